"""Expert review pages: the blueprint with its views, navigation links and workspace panels."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .. import policy
from ..core.clock import local_today
from ..core.shell import NavItem, Offer, Panel
from ..submissions.models import DEVICE_CLASS_LABELS, PATHWAY_LABELS
from ..submissions.status import STATUS_LABELS, Status
from . import (  # noqa: F401 - attach the views to bp
    reminders,
    services,
    views_bids,
    views_deliberation,
    views_expert,
    views_public,
    views_rounds,
    views_setup,
)
from .blueprint import bp
from .forms import CONFIDENCE_LABELS, OVERALL_LABELS
from .models import OUTCOME_LABELS
from .panel import BASIS_LABELS

__all__ = ["bp"]


def _expert_panel(user) -> dict:
    return {"items": reminders.due_for(user)[:8], "today": local_today()}


def _admin_panel(user) -> dict:
    counts = services.counts_in_status(Status.SUBMITTED, Status.ACCEPTED)
    return {"queue": counts[Status.SUBMITTED], "waiting": counts[Status.ACCEPTED],
            "rounds": services.active_round_progress()}


NONE = Markup('<span class="text-muted">—</span>')


def decimal(value: float | None, digits: int = 1) -> Markup | str:
    """A figure as the review pages show it (what the num macro of reviews/_macros.html does, for long tables)."""
    return NONE if value is None else f"{value:.{digits}f}"


@bp.context_processor
def review_labels() -> dict:
    return {
        "confidence_labels": CONFIDENCE_LABELS, "overall_labels": OVERALL_LABELS, "pathway_labels": PATHWAY_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "device_class_labels": DEVICE_CLASS_LABELS, "status_labels": STATUS_LABELS, "basis_labels": BASIS_LABELS,
        "endpoints": current_app.view_functions, "decimal": decimal,
    }


REVIEWED_STATES = frozenset({
    Status.REVISION_REQUESTED, Status.SELECTED_PRIORITY, Status.SELECTED, Status.NOT_SELECTED, Status.MATCHING,
    Status.INCUBATION, Status.APPROVED,
})


def outcome_link(_sender, user, project) -> list[tuple[str, str]]:
    decided = project.status in REVIEWED_STATES
    if decided and policy.can(user, "review.outcome", project):
        return [(_("Review result and the experts' comments"), url_for("reviews.outcome", project_id=project.id))]
    return []


NAV = Offer(
    NavItem("reviews.mine", _l("My reviews"), "review.expert", order=15),
    NavItem("reviews.formal_check", _l("Formal check"), "reviews.admin", order=30),
    NavItem("reviews.rounds", _l("Review rounds"), "reviews.admin", order=31),
    NavItem("reviews.public_results", _l("Published results"), policy.PUBLIC, order=90),
)
PANELS = Offer(
    Panel("reviews/_panel_expert.html", "review.expert", _expert_panel, order=15),
    Panel("reviews/_panel_admin.html", "reviews.admin", _admin_panel, order=30, shared=True),
)
