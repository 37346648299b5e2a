"""Providers' rules.

A provider's staff (role `provider`) edit their organisation's profile and answer the requests sent to it; a request
sent to another provider answers 404. A request is seen by the provider it was sent to, by the incubation's staff
(administrators and the assigned officer) and by the project's clinician; the officer or the clinician sends and
withdraws requests for their incubated project. Administrators approve or return provider profiles.
"""

from __future__ import annotations

from ..accounts.access import has_role, is_admin
from ..accounts.models import Role
from ..incubation import involvement
from ..incubation.models import Incubation
from ..policy import rule
from .models import ServiceRequest
from .staff import is_staff_of

REQUESTERS = (involvement.STAFF, involvement.CLINICIAN)


def _incubation_of(obj) -> Incubation:
    return obj.incubation if isinstance(obj, ServiceRequest) else obj


def may_request(user, incubation: Incubation) -> bool:
    """The incubation's officer (or an administrator) and the project's clinician send and withdraw requests."""
    return involvement.viewer_role(user, incubation) in REQUESTERS


@rule("providers.staff")
def _provider_staff(user, obj) -> bool:
    return has_role(user, Role.PROVIDER)


@rule("providers.admin")
def _providers_admin(user, obj) -> bool:
    return is_admin(user)


@rule("providers.request.view")
def _request_party(user, obj) -> bool:
    if obj is None:
        return user.is_approved
    return is_staff_of(user, obj.provider.organization_id) or may_request(user, obj.incubation)


@rule("providers.request.answer")
def _request_provider(user, obj) -> bool:
    return has_role(user, Role.PROVIDER) if obj is None else is_staff_of(user, obj.provider.organization_id)


@rule("providers.request.send")
def _request_sender(user, obj) -> bool:
    if obj is None:
        return has_role(user, Role.OFFICER, Role.ADMIN, Role.CLINICIAN)
    return may_request(user, _incubation_of(obj))


EVENT_ROLES = (Role.CLINICIAN, Role.ENTERPRISE, Role.INVESTOR, Role.PROVIDER, Role.ADMIN)


@rule("providers.events")
def _event_goer(user, obj) -> bool:
    """Matchmaking days: clinicians, companies, investors, providers, and the administrators who run them."""
    return has_role(user, *EVENT_ROLES)


@rule("providers.events.manage")
def _event_admin(user, obj) -> bool:
    return is_admin(user)


@rule("providers.meeting")
def _meeting_party(user, obj) -> bool:
    """A meeting is answered (and its outcome recorded) by its two participants; administrators see every one."""
    if obj is None:
        return has_role(user, *EVENT_ROLES)
    return is_admin(user) or user.id in (obj.first.user_id, obj.second.user_id)
