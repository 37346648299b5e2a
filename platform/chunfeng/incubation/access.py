"""Incubation's rules.

An incubation is seen by administrators, its assigned officer, the project's clinician and members of a company
whose organisation holds the clinician's active share grant (the rule that opens the project's confidential details);
anyone else gets 404. A service officer starts the incubation of a selected project in their remit (the province
they serve), and so becomes its officer. Administrators and the assigned officer edit the plan and the service
record; the clinician and granted companies ask questions and each reads the entries meant for them. The assigned
officer also reads the project's confidential details.

The rules take an incubation, or anything that belongs to one (a milestone, a milestone document, a service entry),
so routes load any of them with `policy.load`.
"""

from __future__ import annotations

from ..accounts.access import has_role, is_admin
from ..accounts.models import Role
from ..policy import rule
from . import involvement
from .models import Incubation, MilestoneDocument
from .starting import in_remit, incubation_for


def _incubation_of(obj) -> Incubation:
    """The incubation an object belongs to: itself, or that of its milestone, document or service entry."""
    if isinstance(obj, MilestoneDocument):
        obj = obj.milestone
    return obj if isinstance(obj, Incubation) else obj.incubation


@rule("incubation.admin")
def _incubation_admin(user, obj) -> bool:
    return is_admin(user)


@rule("incubation.officer")
def _service_officer(user, obj) -> bool:
    return has_role(user, Role.OFFICER)


@rule("incubation.start")
def _officer_taking_on(user, obj) -> bool:
    """An officer starts the incubation of a project awaiting one in their remit, becoming its officer; any other
    project answers 404."""
    return has_role(user, Role.OFFICER) if obj is None else in_remit(user, obj)


@rule("incubation.progress")
def _clinician_following_incubation(user, obj) -> bool:
    return has_role(user, Role.CLINICIAN)


@rule("incubation.view")
def _incubation_party(user, obj) -> bool:
    """Without an object (route guard): any approved user; the object check then answers 404 or not."""
    return user.is_approved if obj is None else involvement.viewer_role(user, _incubation_of(obj)) is not None


@rule("incubation.edit")
def _incubation_staff(user, obj) -> bool:
    if obj is None:
        return has_role(user, Role.OFFICER, Role.ADMIN)
    return involvement.can_edit(user, _incubation_of(obj))


@rule("incubation.ask")
def _incubation_asker(user, obj) -> bool:
    return user.is_approved if obj is None else involvement.can_ask(user, _incubation_of(obj))


@rule("incubation.consent")
def _incubation_clinician(user, obj) -> bool:
    return has_role(user, Role.CLINICIAN) and (obj is None or _incubation_of(obj).project.owner_id == user.id)


def confidential_access(_sender, user, project) -> bool:
    """Answers `hooks.confidential_access`: the project's assigned officer reads its confidential details."""
    if not has_role(user, Role.OFFICER):
        return False
    found = incubation_for(project)
    return found is not None and found.officer_id == user.id
