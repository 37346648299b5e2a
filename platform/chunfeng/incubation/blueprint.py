"""The incubation blueprint, the labels its templates use, and what every view shares."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash

from ..db import db
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
    return {"incubation_labels": LABELS}


def failed(error: IncubationError, form=None) -> None:
    """Show a refusal next to its field when the form has it, else as a message."""
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "danger")


def saved(change: Callable[[], object], form, message: str | Callable[[], str]) -> bool:
    """Run a service call: commit and show `message` (or what it returns, once the change is made) when it
    succeeds; roll back and show the refusal beside its field when it is refused."""
    try:
        change()
    except IncubationError as error:
        db.session.rollback()
        failed(error, form)
        return False
    db.session.commit()
    flash(message() if callable(message) else message, "success")
    return True
