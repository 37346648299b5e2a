"""Time as users see it: the platform's configured time zone (BABEL_DEFAULT_TIMEZONE, Asia/Shanghai by default)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

DEFAULT_ZONE = "Asia/Shanghai"


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE))


def local_now() -> datetime:
    return datetime.now(local_zone())


def local_today() -> date:
    """Today on the calendars of the platform's users."""
    return local_now().date()


def to_local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC time in the platform's zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(local_zone()) if moment.tzinfo is None else moment.astimezone(
        local_zone())
