"""The domain's one blueprint; its views live in views_*.py and are attached by routes.py."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reviews", __name__)
