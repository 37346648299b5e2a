"""The shell's navigation links and workspace panels. Domains answer `hooks.nav_items` and
`hooks.dashboard_panels` with these objects from their own setup, so the shell needs no edits per domain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale

from .. import policy
from . import hooks
from .recent import Recent


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy_gettext string
    action: str  # the policy action the user must pass to see the link
    order: int = 50
    group: str = ""  # "admin": shown in the administration drop-down instead of the top bar


@dataclass(frozen=True)
class Panel:
    template: str
    action: str
    context: Callable[[Any], dict | None]  # None: nothing to show to this person now (the panel is left out)
    order: int = 50
    # The same for everyone who may see it (figures of the platform, not of the person): counted at most once a
    # minute (see core/recent.py); its template shows when, with main/_counted.html. Its context holds plain values.
    shared: bool = False


SHARED_PANELS: Recent[dict] = Recent("shell.shared-panels")


# The links a person may follow, per person: a rule may read the database (an officer's assignment, a hospital's
# function), so they are worked out again after a minute, and at once after a change this worker commits.
NAV_LINKS: Recent[list] = Recent("shell.nav", size=4096)


def nav_for(user: Any) -> list[NavItem]:
    key = None if user is None else (user.id, user.role, user.status, user.organization_id)
    return NAV_LINKS.get(key, lambda: _allowed_links(user))


def _allowed_links(user: Any) -> list[NavItem]:
    items = hooks.collect(hooks.nav_items)
    return sorted((i for i in items if policy.can(user, i.action)), key=lambda i: i.order)


def panels_for(user: Any) -> list[tuple[str, dict]]:
    panels = hooks.collect(hooks.dashboard_panels)
    chosen = sorted((p for p in panels if policy.can(user, p.action)), key=lambda p: p.order)
    shown = [(panel.template, _context(panel, user)) for panel in chosen]
    return [(template, context) for template, context in shown if context is not None]


def _context(panel: Panel, user: Any) -> dict | None:
    if not panel.shared:
        return panel.context(user)
    kept = SHARED_PANELS.kept((panel.template, str(get_locale())), lambda: panel.context(user))
    return {**kept.value, "counted_at": kept.at}


class Offer:
    """A receiver that answers a shell hook with fixed items: `hooks.connect(hooks.nav_items, routes.NAV)`."""

    def __init__(self, *items: NavItem | Panel):
        self.items = items

    def __call__(self, _sender, **_kwargs) -> tuple:
        return self.items
