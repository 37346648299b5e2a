"""The consents the community asks for: a clinician's contact details shared with one company, a question
published in the FAQ. Each is a `Consent` row with the wording the person agreed to."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import Consent
from ..db import db, utcnow

CONTACT_SHARE = "contact_share"
FAQ_PUBLICATION = "faq_publication"


def grant(user, kind: str, text: str, **detail) -> Consent:
    consent = Consent(user_id=user.id, kind=kind, detail=detail, text=text)
    db.session.add(consent)
    return consent


def withdraw(consent: Consent | None) -> None:
    if consent is not None and consent.revoked_at is None:
        consent.revoked_at = utcnow()


def standing(user, kind: str, **detail) -> list[Consent]:
    """The person's consents of `kind` not withdrawn, whose detail matches."""
    rows = db.session.scalars(select(Consent).where(
        Consent.user_id == user.id, Consent.kind == kind, Consent.revoked_at.is_(None))).all()
    return [c for c in rows if all(c.detail.get(k) == v for k, v in detail.items())]
