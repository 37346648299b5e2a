"""Domains add their navigation links and dashboard panels here, so the shell needs no edits per domain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import policy


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
    context: Callable[[Any], dict]
    order: int = 50


_NAV: list[NavItem] = []
_PANELS: list[Panel] = []


def nav_item(endpoint: str, label: Any, action: str, order: int = 50, group: str = "") -> None:
    if all(item.endpoint != endpoint for item in _NAV):
        _NAV.append(NavItem(endpoint, label, action, order, group))


def dashboard_panel(template: str, action: str, context: Callable[[Any], dict], order: int = 50) -> None:
    if all(panel.template != template for panel in _PANELS):
        _PANELS.append(Panel(template, action, context, order))


def nav_for(user: Any) -> list[NavItem]:
    return sorted((i for i in _NAV if policy.can(user, i.action)), key=lambda i: i.order)


def panels_for(user: Any) -> list[tuple[str, dict]]:
    chosen = sorted((p for p in _PANELS if policy.can(user, p.action)), key=lambda p: p.order)
    return [(panel.template, panel.context(user)) for panel in chosen]
