"""Single-use, time-limited links (confirm an address, reset a password, accept an invitation).

The link carries a random token; the database keeps only its SHA-256 digest, so a copy of the database opens no
account. A new link of a purpose voids the older unused ones of the same account and purpose.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ..db import db, utcnow
from .models import AccountToken, TokenPurpose, User

PASSWORD_PURPOSES = (TokenPurpose.RESET_PASSWORD, TokenPurpose.INVITATION)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(purpose: TokenPurpose) -> timedelta:
    cfg = current_app.config
    return {
        TokenPurpose.RESET_PASSWORD: timedelta(minutes=cfg["PASSWORD_RESET_MINUTES"]),
        TokenPurpose.VERIFY_EMAIL: timedelta(hours=cfg["EMAIL_VERIFY_HOURS"]),
        TokenPurpose.INVITATION: timedelta(days=cfg["INVITATION_DAYS"]),
    }[purpose]


def issue(user: User, purpose: TokenPurpose) -> str:
    """A new token for `user` (returned once, never stored); older unused ones of the purpose stop working."""
    now = utcnow()
    db.session.execute(update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None),
    ).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, digest=digest(token), created_at=now,
                                expires_at=now + lifetime(purpose)))
    db.session.flush()
    return token


def peek(token: str, *purposes: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired token of one of `purposes`, without using it (for showing the form)."""
    if not token or len(token) > 100:
        return None
    found = db.session.scalar(select(AccountToken).where(AccountToken.digest == digest(token)))
    if found is None or found.purpose not in purposes or found.used_at is not None or found.expires_at < utcnow():
        return None
    if not found.user.is_active:
        return None
    return found


def consume(found: AccountToken) -> bool:
    """Mark the token used; False when a parallel request used it first."""
    result = db.session.execute(update(AccountToken).where(
        AccountToken.id == found.id, AccountToken.used_at.is_(None)).values(used_at=utcnow()))
    return result.rowcount == 1


def forget(user: User) -> None:
    db.session.execute(AccountToken.__table__.delete().where(AccountToken.user_id == user.id))


def purge(before) -> int:
    """Delete links that expired before `before` (used or not): for the retention purge."""
    result = db.session.execute(AccountToken.__table__.delete().where(AccountToken.expires_at < before))
    return result.rowcount or 0
