"""Incubation's rules.

An incubation is seen by administrators, its assigned officer, the project's clinician and members of a connected
company (accepted connection or active share grant); anyone else gets 404. Administrators and the assigned officer
edit the plan and the service record; the clinician and connected companies ask questions and each reads the
entries meant for them. The assigned officer also reads the project's confidential details.
"""

from __future__ import annotations

from ..accounts.access import has_role, is_admin
from ..accounts.models import Role
from ..policy import rule
from . import services


@rule("incubation.admin")
def _incubation_admin(user, obj) -> bool:
    return is_admin(user)


@rule("incubation.officer")
def _service_officer(user, obj) -> bool:
    return has_role(user, Role.OFFICER)


@rule("incubation.progress")
def _clinician_following_incubation(user, obj) -> bool:
    return has_role(user, Role.CLINICIAN)


@rule("incubation.view")
def _incubation_party(user, incubation) -> bool:
    """Without an incubation (route guard): any approved user; the object check then answers 404 or not."""
    return user.is_approved if incubation is None else services.viewer_role(user, incubation) is not None


@rule("incubation.edit")
def _incubation_staff(user, incubation) -> bool:
    if incubation is None:
        return has_role(user, Role.OFFICER, Role.ADMIN)
    return services.can_edit(user, incubation)


@rule("incubation.ask")
def _incubation_asker(user, incubation) -> bool:
    return user.is_approved if incubation is None else services.can_ask(user, incubation)


@rule("incubation.consent")
def _incubation_clinician(user, incubation) -> bool:
    return has_role(user, Role.CLINICIAN) and (incubation is None or incubation.project.owner_id == user.id)


def confidential_access(_sender, user, project) -> bool:
    """Answers `hooks.confidential_access`: the project's assigned officer reads its confidential details."""
    if not has_role(user, Role.OFFICER):
        return False
    found = services.incubation_for(project)
    return found is not None and found.officer_id == user.id
