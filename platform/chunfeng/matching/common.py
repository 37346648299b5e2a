"""What every matching feature needs: the domain's refusal, who counts as a company, its profile and members, and
which projects companies may see."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import AccountStatus, OrgKind, Role, User
from ..core.services import notify
from ..db import db
from ..submissions.models import Project
from ..submissions.status import SELECTED_STATES, VISIBLE_TO_COMPANIES, Status
from .models import OrgProfile, ProfileKind


class MatchingError(ValueError):
    """A user-facing refusal, already translated into the request's language."""


def add_unless_taken(obj) -> bool:
    """Add and flush `obj` (with what it cascades to) in a savepoint. False, with nothing added, when a unique
    constraint says a concurrent request got there first: the caller answers with a message, never a 500."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError:
        return False
    return True


ORG_PROFILE_KIND = {OrgKind.ENTERPRISE: ProfileKind.ENTERPRISE, OrgKind.INVESTOR: ProfileKind.INVESTOR}
ROLE_PROFILE_KIND = {Role.ENTERPRISE: ProfileKind.ENTERPRISE, Role.INVESTOR: ProfileKind.INVESTOR}


def is_company_user(user) -> bool:
    """An approved enterprise or investor account that belongs to an organisation."""
    return bool(user.has_role(Role.ENTERPRISE, Role.INVESTOR) and user.organization_id)


# built once: a company's workspace and matched projects read it on every visit
_PROFILE = select(OrgProfile).where(OrgProfile.organization_id == bindparam("organization_id"))


def profile_of(organization_id: int | None) -> OrgProfile | None:
    if organization_id is None:
        return None
    return db.session.scalar(_PROFILE, {"organization_id": organization_id})


def profile_approved(organization_id: int | None) -> bool:
    profile = profile_of(organization_id)
    return profile is not None and profile.is_approved


def org_members(organization_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.organization_id == organization_id,
                User.status == AccountStatus.ACTIVE,
                User.role.in_(tuple(ROLE_PROFILE_KIND)),
            )
        )
    )


def notify_members(organization_id: int, message: str, link: str, **params) -> None:
    """Tell every active member of the organisation (an N_() message with its parameters)."""
    for member in org_members(organization_id):
        notify(member, message, link, **params)


def matchable_clause():
    """Released for matching (or later), or selected with published results."""
    return or_(
        Project.status.in_(tuple(VISIBLE_TO_COMPANIES)),
        and_(Project.status.in_(tuple(SELECTED_STATES)), Project.published_at.is_not(None)),
    )


def is_matchable(project: Project) -> bool:
    status = Status(project.status)
    return status in VISIBLE_TO_COMPANIES or (status in SELECTED_STATES and project.published_at is not None)
