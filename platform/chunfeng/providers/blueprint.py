"""The providers blueprint, the labels its templates use, and what every view shares."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint

from ..core import web
from ..core.web import show_refusal
from ..i18n import in_locale
from ..incubation.plan import KEY_LABELS
from ..submissions.models import DEVICE_CLASS_LABELS
from .errors import ProviderError
from .labels import (
    ANSWER_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    PROFILE_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    SIDE_LABELS,
)

bp = Blueprint("providers", __name__)

LABELS = {
    "kind": KIND_LABELS, "profile_status": PROFILE_STATUS_LABELS, "request_status": REQUEST_STATUS_LABELS,
    "side": SIDE_LABELS, "answer": ANSWER_LABELS, "outcome": OUTCOME_LABELS, "field": FIELD_LABELS,
    "milestone": KEY_LABELS, "device_class": DEVICE_CLASS_LABELS,
}


@bp.app_context_processor
def provider_labels():
    return {"provider_labels": in_locale(LABELS)}


def failed(error: ProviderError, form=None) -> None:
    show_refusal(error, form)


def saved(change: Callable[[], object], form, message: str) -> bool:
    """`core.web.saved` for the providers' refusals."""
    return web.saved(change, form, message, ProviderError)
