"""Matching's rules: profiles, matches, browsing, connections and consent grants.

Companies (approved enterprise or investor accounts of an organisation) see summaries of matchable projects once an
administrator approved their organisation's profile; confidential details and the clinician's contact only while
their organisation holds the clinician's active share grant. Connections are seen by both parties and
administrators.
"""

from __future__ import annotations

from ..accounts.access import is_admin
from ..accounts.models import Role
from ..policy import rule
from ..submissions.access import sent_to_platform
from .common import is_company_user, is_matchable, profile_approved
from .connections import is_answering_side, is_asking_side, is_party
from .grants import has_confidential_access


@rule("matching.profile", "matching.browse", "connection.list")
def _company_member(user, obj) -> bool:
    """Any approved member of an enterprise or investor; with an object (profile, connection), of its org."""
    if not is_company_user(user):
        return False
    return obj is None or getattr(obj, "organization_id", None) == user.organization_id


@rule("matching.view_project", "connection.request")
def _company_sees_summary(user, project) -> bool:
    if not is_company_user(user) or not profile_approved(user.organization_id):
        return False
    return project is None or is_matchable(project)


@rule("matching.view_confidential")
def _company_holds_grant(user, project) -> bool:
    """A member of a company whose organisation holds the clinician's active share grant for the project."""
    return project is not None and has_confidential_access(user, project)


def confidential_access(_sender, user, project) -> bool:
    """Answers `hooks.confidential_access`: the company's grant opens the project's confidential details."""
    return _company_holds_grant(user, project)


@rule("matching.suggestions")
def _owner_sees_suggestions(user, project) -> bool:
    if is_admin(user):
        return project is None or sent_to_platform(project)
    return user.has_role(Role.CLINICIAN) and (project is None or project.owner_id == user.id)


@rule("connection.inbox")
def _clinician(user, obj) -> bool:
    return user.has_role(Role.CLINICIAN)


@rule("grant.revoke", "grant.share")
def _owner_of_connected_project(user, obj) -> bool:
    """obj: a Connection or ShareGrant; the clinician who owns its project decides."""
    return user.has_role(Role.CLINICIAN) and (obj is None or obj.project.owner_id == user.id)


@rule("connection.invite")
def _owner_invites(user, project) -> bool:
    """The clinician invites companies to connect about their own project."""
    return user.has_role(Role.CLINICIAN) and (project is None or project.owner_id == user.id)


def _clinician_or_company(user) -> bool:
    return user.is_approved and (user.has_role(Role.CLINICIAN) or is_company_user(user))


@rule("connection.decide")
def _answering_side(user, connection) -> bool:
    """The side that was asked: the clinician answers a company's request, the company the clinician's invitation."""
    if connection is None:
        return _clinician_or_company(user)
    return user.is_approved and is_answering_side(user, connection)


@rule("connection.view")
def _connection_party_or_admin(user, connection) -> bool:
    return is_admin(user) or _connection_party(user, connection)


@rule("connection.update", "connection.message")
def _connection_party(user, connection) -> bool:
    if connection is None:
        return user.has_role(Role.CLINICIAN) or is_company_user(user)
    return user.is_approved and is_party(user, connection)


@rule("connection.withdraw")
def _asking_side(user, connection) -> bool:
    """The side that asked: the company its request, the clinician an invitation."""
    if connection is None:
        return _clinician_or_company(user)
    return user.is_approved and is_asking_side(user, connection)


@rule("matching.admin")
def _matching_admin(user, obj) -> bool:
    return is_admin(user)
