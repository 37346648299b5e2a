"""Time as users see it: the platform's configured time zone (BABEL_DEFAULT_TIMEZONE, Asia/Shanghai by default)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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


# Working days: Monday to Friday (public holidays and the weekend swaps around them are not modelled).


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if `end` is not after `start`)."""
    if end <= start:
        return 0
    span = (end - start).days
    weeks, rest = divmod(span, 7)
    # A whole week always holds five working days; the remaining days have the weekdays of start+1..start+rest.
    return weeks * 5 + sum(1 for i in range(1, rest + 1) if (start + timedelta(days=i)).weekday() < 5)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start`."""
    current = start
    remaining = max(days, 0)
    while remaining:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
