"""The incubation blueprint, the labels its templates use, and what every view shares."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint

from ..core import web
from ..core.web import show_refusal
from ..i18n import in_locale
from ..submissions.models import DEVICE_CLASS_LABELS, PATHWAY_LABELS
from ..submissions.status import STATUS_LABELS
from .errors import IncubationError
from .milestones import EVENT_LABELS
from .plan import AUDIENCE_LABELS, KEY_LABELS, KIND_LABELS, MILESTONE_STATUS_LABELS

bp = Blueprint("incubation", __name__)

LABELS = {
    "key": KEY_LABELS, "milestone_status": MILESTONE_STATUS_LABELS, "kind": KIND_LABELS, "audience": AUDIENCE_LABELS,
    "pathway": PATHWAY_LABELS, "event": EVENT_LABELS, "project_status": STATUS_LABELS,
    "device_class": DEVICE_CLASS_LABELS,
}


@bp.app_context_processor
def incubation_labels():
    return {"incubation_labels": in_locale(LABELS)}


def failed(error: IncubationError, form=None) -> None:
    show_refusal(error, form)


def saved(change: Callable[[], object], form, message: str | Callable[[], str]) -> bool:
    """`core.web.saved` for incubation's refusals."""
    return web.saved(change, form, message, IncubationError)
