"""Who takes part in an incubation and what each party sees.

Staff (administrators and the assigned officer) see everything; the clinician who owns the project sees the
entries meant for the clinician; a company takes part only while its organisation holds the clinician's active share
grant for the project: the same rule (`matching.view_confidential`) that opens the project's confidential details,
so revoking the grant closes the incubation pages, documents and service entries at once.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import policy
from ..accounts.models import AccountStatus, Organization, Role, User
from ..accounts.services import active_admins
from ..core.services import notify
from ..core.web import path_for
from ..db import db
from ..matching.models import ShareGrant
from ..submissions.models import Project
from .errors import IncubationError
from .models import Audience, Incubation, IncubationStatus, ServiceEntry

COMPANY_ROLES = (Role.ENTERPRISE, Role.INVESTOR)
STAFF, CLINICIAN, COMPANY = "staff", "clinician", "company"
COMPANY_GRANT = "matching.view_confidential"

AUDIENCES_OF = {
    CLINICIAN: frozenset({Audience.CLINICIAN, Audience.BOTH}),
    COMPANY: frozenset({Audience.COMPANY, Audience.BOTH}),
}


def project_link(project: Project) -> str:
    """The incubation page of a project, for notifications."""
    return path_for("incubation.project", project_id=project.id)


def granted_organization_ids(project: Project) -> set[int]:
    """Organisations holding the clinician's active share grant for the project."""
    return set(db.session.scalars(select(ShareGrant.organization_id).where(
        ShareGrant.project_id == project.id, ShareGrant.revoked_at.is_(None))))


def granted_organizations(project: Project) -> list[Organization]:
    ids = granted_organization_ids(project)
    if not ids:
        return []
    return list(db.session.scalars(select(Organization).where(Organization.id.in_(ids)).order_by(Organization.name)))


def viewer_role(user, incubation: Incubation) -> str | None:
    """STAFF (administrator or the assigned officer), CLINICIAN (the project owner), COMPANY (a member of an
    organisation holding the clinician's active share grant) or None for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_approved:
        return None
    if user.role == Role.ADMIN or (user.role == Role.OFFICER and incubation.officer_id == user.id):
        return STAFF
    if incubation.project.owner_id == user.id:
        return CLINICIAN
    if user.role in COMPANY_ROLES and policy.can(user, COMPANY_GRANT, incubation.project):
        return COMPANY
    return None


def can_edit(user, incubation: Incubation) -> bool:
    return viewer_role(user, incubation) == STAFF


def can_ask(user, incubation: Incubation) -> bool:
    return incubation.status == IncubationStatus.ACTIVE and viewer_role(user, incubation) in (CLINICIAN, COMPANY)


def visible_entries(incubation: Incubation, user) -> list[ServiceEntry]:
    """The entries of the service record this user may read, newest first."""
    role = viewer_role(user, incubation)
    entries = sorted(incubation.entries, key=lambda e: (e.occurred_on, e.id), reverse=True)
    if role == STAFF:
        return entries
    if role is None:
        return []
    allowed = AUDIENCES_OF[role]
    return [e for e in entries if e.audience in allowed
            and (role != COMPANY or e.organization_id in (None, user.organization_id))]


def company_members(org_ids: set[int]) -> list[User]:
    """Active company accounts of these organisations."""
    if not org_ids:
        return []
    return list(db.session.scalars(select(User).where(
        User.organization_id.in_(org_ids), User.role.in_(COMPANY_ROLES), User.status == AccountStatus.ACTIVE)))


def active_officers() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.OFFICER, User.status == AccountStatus.ACTIVE).order_by(User.name)))


def officer(user_id: int | None) -> User:
    """The active service officer with this id, or IncubationError on the form's officer field."""
    found = db.session.get(User, user_id) if user_id else None
    if found is None or not found.has_role(Role.OFFICER):
        raise IncubationError(_("Please choose an active service officer."), "officer")
    return found


def notify_staff(incubation: Incubation, message: str | tuple[str, str], **values) -> int:
    """Tell the assigned officer (or, while there is none, every administrator) about the incubation; returns how
    many were told."""
    staff = [incubation.officer] if incubation.officer else active_admins()
    for person in staff:
        notify(person, message, project_link(incubation.project), title=incubation.project.title, **values)
    return len(staff)
