"""Log-in throttling that slows an attacker's source without locking the owner out.

Failures are counted per (account, source) pair and per source, in the database so that every app node sees them.
After LOGIN_MAX_FAILURES failures of a pair (four times as many for a source across accounts), each further try is
refused until LOGIN_DELAY_SECONDS * 2^(extra failures) have passed since the last failure, capped at
LOGIN_MAX_DELAY_SECONDS. A source is the client's address, or, for a browser that logged in to that account before,
its known-device id: the owner on their own device is not slowed by failures from anywhere else. A successful log-in
clears the pair's failures. The same table limits how often account e-mails can be asked for.
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..db import db, utcnow
from .models import LoginAttempt

SOURCE_FACTOR = 4


def keys(email: str, source: str, device: str = "") -> list[str]:
    account = email.strip().lower()
    if device:
        return [f"pair:{account}|device:{device}"]
    return [f"pair:{account}|{source}", f"ip:{source}"]


def _free(key: str) -> int:
    free = current_app.config["LOGIN_MAX_FAILURES"]
    return free * SOURCE_FACTOR if key.startswith("ip:") else free


def delay_for(failures: int, free: int) -> int:
    """Seconds to wait after `failures` failures when `free` are allowed without waiting."""
    if failures < free:
        return 0
    cfg = current_app.config
    return int(min(cfg["LOGIN_DELAY_SECONDS"] * 2 ** min(failures - free, 30), cfg["LOGIN_MAX_DELAY_SECONDS"]))


def wait_seconds(attempt_keys: list[str]) -> int:
    """How long these keys must still wait (0: try now)."""
    now = utcnow()
    since = now - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    longest = 0
    for key in attempt_keys:
        count, last = db.session.execute(
            select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.key == key, LoginAttempt.at >= since)
        ).one()
        if not count:
            continue
        remaining = (last + timedelta(seconds=delay_for(count, _free(key))) - now).total_seconds()
        longest = max(longest, math.ceil(remaining))
    return longest


def fail(attempt_keys: list[str]) -> None:
    for key in attempt_keys:
        db.session.add(LoginAttempt(key=key))


def succeed(attempt_keys: list[str]) -> None:
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.key == attempt_keys[0]))


def forget_account(email: str) -> None:
    """Erase what the table holds about an account (closure)."""
    account = email.strip().lower()
    db.session.execute(delete(LoginAttempt).where(
        LoginAttempt.key.startswith(f"pair:{account}|", autoescape=True)
        | LoginAttempt.key.startswith(f"mail:{account}|", autoescape=True)
        | (LoginAttempt.key == f"email:{account}")))


def mail_limited(kind: str, email: str, source: str) -> bool:
    """True when this address (or this source) already asked for ACCOUNT_MAILS_PER_HOUR account e-mails in the
    last hour; otherwise the request is counted."""
    limit = current_app.config["ACCOUNT_MAILS_PER_HOUR"]
    since = utcnow() - timedelta(hours=1)
    attempt_keys = [f"mail:{email.strip().lower()}|{kind}", f"mail-source:{source}"]
    for key in attempt_keys:
        count = db.session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.at >= since))
        if count >= limit * (SOURCE_FACTOR if key.startswith("mail-source:") else 1):
            return True
    fail(attempt_keys)
    return False
