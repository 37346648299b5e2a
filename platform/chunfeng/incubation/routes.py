"""Incubation pages: the blueprint with its views, navigation links, workspace panels and the project page link."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import policy
from ..core.shell import NavItem, Offer, Panel
from . import panels, views_admin, views_project  # noqa: F401 - attach the views to bp
from .blueprint import bp
from .starting import incubation_for

__all__ = ["NAV", "PANELS", "bp", "incubation_link"]


def incubation_link(_sender, user, project) -> list[tuple[str, str]]:
    """Answers `hooks.project_links`: the incubation plan, for those who may see it."""
    incubation = incubation_for(project)
    if incubation is not None and policy.can(user, "incubation.view", incubation):
        return [(_("Incubation plan"), url_for("incubation.project", project_id=project.id))]
    return []


NAV = Offer(
    NavItem("incubation.officer_list", _l("My projects (incubation)"), "incubation.officer", order=45),
    NavItem("incubation.admin_list", _l("Incubation tracking"), "incubation.admin", order=75),
)
PANELS = Offer(
    Panel("incubation/panel_officer.html", "incubation.officer", panels.officer_panel, order=20),
    Panel("incubation/panel_clinician.html", "incubation.progress", panels.clinician_panel, order=40),
    Panel("incubation/panel_admin.html", "incubation.admin", panels.admin_panel, order=60, shared=True),
)
