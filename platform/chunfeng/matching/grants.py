"""Share grants, the consent gate: the clinician's separate consent naming one organisation opens a project's
confidential details and contact to it; withdrawing it closes them at once. The database holds at most one active
grant per project and organisation, and withdrawing revokes every active grant of the pair."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Consent, Organization
from ..core.services import N_, record
from ..core.web import path_for
from ..db import db, utcnow
from ..submissions.models import Project
from .common import MatchingError, add_unless_taken, is_company_user, notify_members
from .lifecycles import timeline_entry
from .models import Connection, ShareGrant

SHARED_ITEMS = ("confidential_details", "attachments", "name", "hospital", "phone", "email")


def _pair_grants(project_id: int, organization_id: int):
    return select(ShareGrant).where(ShareGrant.project_id == project_id, ShareGrant.organization_id == organization_id)


def active_grant(project_id: int, organization_id: int | None) -> ShareGrant | None:
    if organization_id is None:
        return None
    return db.session.scalar(_pair_grants(project_id, organization_id).where(ShareGrant.revoked_at.is_(None)).limit(1))


def has_confidential_access(user, project) -> bool:
    """True when the user's organisation holds the clinician's active grant for this project."""
    return is_company_user(user) and active_grant(project.id, user.organization_id) is not None


def consent_text(project: Project, organization: Organization) -> str:
    return _(
        "I agree that %(company)s may see the confidential details and attachments of my project "
        "“%(project)s”, and my name, hospital, phone number and e-mail address, so that we can discuss "
        "cooperation. I can withdraw this consent at any time; the company then loses access at once.",
        company=organization.name,
        project=project.title,
    )


def grant_access(connection: Connection, clinician) -> ShareGrant:
    """Record the clinician's separate consent naming the company (PIPL Art. 23) and open the gate."""
    project, org = connection.project, connection.organization
    consent = Consent(
        user_id=clinician.id,
        kind="share_grant",
        version="1",
        text=consent_text(project, org),
        detail={
            "project_id": project.id,
            "project": project.title,
            "organization_id": org.id,
            "organization": org.name,
            "shared": list(SHARED_ITEMS),
        },
    )
    grant = ShareGrant(project_id=project.id, organization_id=org.id, connection_id=connection.id, consent=consent,
                       granted_by_id=clinician.id)
    if not add_unless_taken(grant):  # a second click or a second tab got there first
        raise MatchingError(_("This company already has access."))
    record("grant.created", grant, actor=clinician, project_id=project.id, organization=org.name)
    return grant


def revoke_grant(grant: ShareGrant, clinician) -> None:
    """Withdraw the organisation's access to the project: every active grant of the pair, not only this one."""
    grants = list(db.session.scalars(
        _pair_grants(grant.project_id, grant.organization_id).where(ShareGrant.revoked_at.is_(None))))
    if not grants:
        raise MatchingError(_("This access has already been withdrawn."))
    now = utcnow()
    connection_ids = []
    for each in grants:
        each.revoked_at = now
        if each.consent is not None:
            each.consent.revoked_at = now
        record("grant.revoked", each, actor=clinician, project_id=each.project_id,
               organization=each.organization.name)
        if each.connection_id and each.connection_id not in connection_ids:
            connection_ids.append(each.connection_id)
    for connection_id in connection_ids:
        if (connection := db.session.get(Connection, connection_id)) is not None:
            timeline_entry(connection, "grant_revoked", clinician)
    notify_members(grant.organization_id, N_("The clinician withdrew your access to the details of “%(project)s”."),
                   path_for("matching.project", project_id=grant.project_id), project=grant.project.title)


def record_grant_view(user, project: Project, what: str = "details", **detail) -> None:
    """Every view of granted material goes to the audit log."""
    record("grant.view", project, actor=user, organization_id=user.organization_id, what=what, **detail)


def grants_for_connection(connection: Connection) -> list[ShareGrant]:
    return list(db.session.scalars(
        _pair_grants(connection.project_id, connection.organization_id).order_by(ShareGrant.id.desc())))


def withdraw_grants_of_closed_account(_sender, user) -> None:
    """Answers `hooks.personal_data_erase`: a clinician who closes the account takes back every company's access
    to the project details."""
    grants = db.session.scalars(
        select(ShareGrant).join(Project, Project.id == ShareGrant.project_id)
        .where(Project.owner_id == user.id, ShareGrant.revoked_at.is_(None)))
    for grant in grants.all():
        if grant.is_active:  # not already revoked with an earlier grant of the same pair
            revoke_grant(grant, user)
