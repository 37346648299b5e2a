"""Site paths of community pages for notifications (built from the routes, in requests and CLI commands alike)."""

from __future__ import annotations

from ..core.web import path_for
from .models import Challenge, ClinicalNeed, Comment, Consultation


def need_link(need: ClinicalNeed) -> str:
    return path_for("community.need", need_id=need.id)


def challenge_link(challenge: Challenge) -> str:
    return path_for("community.challenge", challenge_id=challenge.id)


def consultation_link(consultation: Consultation) -> str:
    return path_for("community.consultation", consultation_id=consultation.id)


def target_link(obj) -> str:
    """The page of a need, a challenge, or a comment (its anchor on its need's or challenge's page)."""
    if isinstance(obj, Comment):
        return f"{target_link(obj.target)}#comment-{obj.id}"
    return need_link(obj) if isinstance(obj, ClinicalNeed) else challenge_link(obj)
