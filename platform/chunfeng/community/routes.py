"""Community pages: the blueprint with its views (needs, challenges, consultations and the FAQ, appointment times,
search and moderation)."""

from __future__ import annotations

from . import views_challenges, views_consultations, views_moderation, views_needs, views_slots  # noqa: F401 - attach the views to bp
from .blueprint import bp

__all__ = ["bp"]
