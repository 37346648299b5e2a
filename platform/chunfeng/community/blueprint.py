"""The community's one blueprint and what its views share; the views live in views_*.py, attached by routes.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..extensions import db
from ..i18n import in_locale
from .access import community_may
from .errors import CommunityError, RateLimited
from .forms import CATEGORY_LABELS, KIND_LABELS, REASON_LABELS, VISIBILITY_LABELS
from .models import ClinicalNeed
from .suggestions import SPECIALTY_REASON

bp = Blueprint("community", __name__, url_prefix="/community")

PER_PAGE = 20


@bp.app_context_processor
def community_labels():
    return {"community_labels": in_locale(LABELS)}


LABELS = {"visibility": VISIBILITY_LABELS, "kind": KIND_LABELS, "category": CATEGORY_LABELS, "reason": REASON_LABELS}


@bp.app_template_filter("community_why")
def why_label(reason: str) -> str:
    """A stored suggestion reason in the reader's language: a shared term, or the matching specialty."""
    if reason.startswith(SPECIALTY_REASON):
        return _("same specialty: %(name)s", name=reason.removeprefix(SPECIALTY_REASON))
    return reason


def load_need(need_id: int) -> ClinicalNeed:
    """`policy.load` for needs: a guarded view authorizes its action; a public view lets visitors reach public
    needs only (community_may), and signed-in people the needs they may see."""
    need = policy.load(ClinicalNeed, need_id)
    if policy.current_action() == policy.PUBLIC and not community_may(current_user, "community.view_need", need):
        abort(404)
    return need


def refused(form, error: CommunityError) -> int:
    """Put a refusal next to its field (or at the top) and give the status code to answer with."""
    if error.field and form is not None and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "danger")
    return 429 if isinstance(error, RateLimited) else 400


def listing_filters() -> tuple[str, str]:
    """The search words and specialty of a listing's filter form."""
    return request.args.get("q", "").strip(), request.args.get("specialty", "").strip()


@dataclass(frozen=True)
class Attempt:
    """What became of a submitted form: `done` when the service ran and the change is committed; else the status
    code to answer the re-rendered form with (200 before submitting, 400 or 429 after a refusal)."""

    done: bool
    result: Any = None
    status: int = 200


def attempt(form, action: Callable[[], Any]) -> Attempt:
    """Validate `form`, run the service `action` and commit; refusals go beside their field."""
    if not form.validate_on_submit():
        return Attempt(False, status=400 if form.errors else 200)
    try:
        result = action()
    except CommunityError as error:
        db.session.rollback()
        return Attempt(False, status=refused(form, error))
    db.session.commit()
    return Attempt(True, result)
