"""Catalogue pages: the blueprint with its views, navigation links and workspace panels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.shell import NavItem, Offer, Panel
from . import (  # noqa: F401 - attach the views to bp
    panels,
    views_api,
    views_hospital,
    views_listings,
    views_regulator,
    views_review,
)
from .blueprint import bp
from .views_listings import project_link, result_offer

__all__ = ["NAV", "PANELS", "bp", "project_link", "result_offer"]

NAV = Offer(
    NavItem("catalogue.index", _l("Innovative products"), "public", order=62),
    NavItem("catalogue.mine", _l("My products"), "catalogue.apply", order=48),
    NavItem("catalogue.hospital", _l("Admission assessment"), "catalogue.hospital", order=30),
    NavItem("catalogue.regulator", _l("From idea to first purchase"), "catalogue.regulator", order=78),
    NavItem("catalogue.review_list", _l("Catalogue applications"), "catalogue.review", order=77, group="admin"),
)
PANELS = Offer(
    Panel("catalogue/panel_hospital.html", "catalogue.hospital", panels.hospital_panel, order=15),
    Panel("catalogue/panel_company.html", "catalogue.apply", panels.company_panel, order=55),
    Panel("catalogue/panel_admin.html", "catalogue.review", panels.admin_panel, order=65, shared=True),
)
