"""What the accounts domain adds to a person's data export, and erases when the account is closed."""

from __future__ import annotations

from sqlalchemy import delete, select

from ..db import db
from . import throttle, tokens
from .models import JoinRequest


def export(_sender, user) -> dict:
    joins = db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == user.id))
    return {"accounts": {
        "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None,
        "mail_preferences": dict(user.mail_preferences or {}),
        "join_requests": [{"organization": j.organization.name, "status": str(j.status),
                           "created_at": j.created_at.isoformat()} for j in joins],
    }}


def erase(_sender, user) -> None:
    """Links sent by e-mail, requests to join an organisation, throttling records keyed by the address."""
    tokens.forget(user)
    db.session.execute(delete(JoinRequest).where(JoinRequest.user_id == user.id))
    throttle.forget_account(user.email)
    user.mail_preferences = {}
