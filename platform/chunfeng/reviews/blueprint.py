"""The domain's one blueprint; its views live in views_*.py and are attached by routes.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, request

from ..extensions import db

bp = Blueprint("reviews", __name__)


def get_or_404(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def back_to(default: str) -> str:
    """The form's `next` field when it is a path on this site, else `default`."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return default
