"""The domain's one blueprint; its views live in routes.py and views_connections.py."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("matching", __name__, url_prefix="/matching")
