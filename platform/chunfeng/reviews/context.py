"""Small helpers that need the running application: site paths for notification links (in requests and CLI
commands alike) and today's date in the platform's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def path_for(endpoint: str, **values) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
