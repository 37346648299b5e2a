"""Providers pages: the blueprint with its views, navigation links, and what it adds to the incubation page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import policy
from ..core.clock import local_today
from ..core.shell import NavItem, Offer, Panel
from . import suggestions, timers, views_events, views_profiles, views_requests  # noqa: F401 - attach views
from .access import may_request
from .blueprint import bp
from .models import RequestStatus
from .profiles import profile_of
from .requests import requests_for_incubation, requests_for_provider

__all__ = ["NAV", "PANELS", "bp", "incubation_section"]


def incubation_section(_sender, user, incubation) -> list[tuple[str, dict]]:
    """Answers `hooks.incubation_sections`: the requests sent for the project and, for those who send them, the
    providers suggested at each open milestone they serve."""
    if not may_request(user, incubation):
        return []
    items = requests_for_incubation(incubation)
    today = local_today()
    return [("providers/_incubation_section.html", {
        "requests": items, "overdue": {r.id: timers.overdue(r, today) for r in items},
        "suggested": suggestions.suggestions_by_milestone(incubation),
        "can_send": policy.can(user, "providers.request.send", incubation),
    })]


NAV = Offer(
    NavItem("providers.profile", _l("Provider profile"), "providers.staff", order=30),
    NavItem("providers.my_requests", _l("Service requests"), "providers.staff", order=31),
    NavItem("providers.events_list", _l("Matchmaking days"), "providers.events", order=64),  # shared: under More
    NavItem("providers.admin_profiles", _l("Service providers"), "providers.admin", order=76, group="admin"),
)


def provider_panel(user) -> dict:
    """The provider's workspace: its profile's status, the requests awaiting an answer and those overdue."""
    found = profile_of(user.organization_id)
    items = requests_for_provider(found) if found is not None else []
    today = local_today()
    return {"profile": found, "waiting": sum(1 for r in items if r.status == RequestStatus.SENT),
            "overdue": sum(1 for r in items if timers.overdue(r, today)),
            "open": sum(1 for r in items if r.status in (RequestStatus.ACCEPTED, RequestStatus.STARTED))}


PANELS = Offer(Panel("providers/panel_provider.html", "providers.staff", provider_panel, order=20))
