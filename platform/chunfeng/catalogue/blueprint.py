"""The catalogue blueprint, the labels its templates use, and what every view shares."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, render_template
from flask_babel import gettext as _

from ..core import web
from ..i18n import in_locale
from .criteria import CLASS_LABELS, CRITERIA, FUNCTION_LABELS, PATHWAY_LABELS, VOTE_LABELS
from .errors import CatalogueError
from .status import ASSESSMENT_EVENT_LABELS, ASSESSMENT_STATUS_LABELS, LISTING_STATUS_LABELS

bp = Blueprint("catalogue", __name__)

LABELS = {
    "device_class": CLASS_LABELS, "pathway": PATHWAY_LABELS, "listing_status": LISTING_STATUS_LABELS,
    "assessment_status": ASSESSMENT_STATUS_LABELS, "event": ASSESSMENT_EVENT_LABELS, "function": FUNCTION_LABELS,
    "vote": VOTE_LABELS, "criteria": CRITERIA,
}


@bp.app_context_processor
def catalogue_labels():
    return {"catalogue_labels": in_locale(LABELS)}


def saved(change: Callable[[], object], form, message: str) -> bool:
    """`core.web.saved` for the catalogue's refusals."""
    return web.saved(change, form, message, CatalogueError)


def refused(message: str, code: int = 400):
    """A page that says, in the user's language, why a small form posted from elsewhere was refused."""
    return render_template("errors/error.html", code=code, title=_("Please check your input"), message=message), code
