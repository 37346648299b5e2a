"""The open data API's rate limit: at most CATALOGUE_API_PER_MINUTE requests a minute from one client address,
counted across every worker and node (core/limits.py)."""

from __future__ import annotations

from flask import current_app, request

from ..core import limits

PER_MINUTE = 60
WINDOW_SECONDS = 60


def wait_seconds() -> int:
    limit = int(current_app.config.get("CATALOGUE_API_PER_MINUTE", PER_MINUTE))
    return limits.wait_seconds(f"catalogue-api:{request.remote_addr or ''}", limit, WINDOW_SECONDS)
