"""A provider's staff: the active provider accounts of its organisation."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import AccountStatus, Role, User
from ..core.services import notify
from ..db import db


def staff_of(organization_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.organization_id == organization_id, User.role == Role.PROVIDER, User.status == AccountStatus.ACTIVE)))


def is_staff_of(user, organization_id: int | None) -> bool:
    return (organization_id is not None and getattr(user, "role", None) == Role.PROVIDER
            and user.is_approved and user.organization_id == organization_id)


def notify_staff(organization_id: int, message: str, link: str, **params) -> list[User]:
    """Tell every active staff member of the provider (an N_() message with its parameters); returns them."""
    people = staff_of(organization_id)
    for person in people:
        notify(person, message, link, **params)
    return people
