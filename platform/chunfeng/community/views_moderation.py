"""Search across the community, reporting content, and the administrators' moderation queue."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..core.web import current_actor, next_from_request
from ..extensions import db
from . import moderation
from .blueprint import bp, listing_filters
from .forms import ReportForm
from .links import target_link
from .models import Report, ReportStatus
from .search import SEARCH_KINDS, known_specialties
from .search import search as find


@bp.route("/search")
@policy.public
def search():
    query, specialty = listing_filters()
    kind = request.args.get("type", "")
    kind = kind if kind in SEARCH_KINDS else ""
    results = find(current_user, query, kind, specialty)
    return render_template("community/search.html", results=results, query=query, kind=kind,
                           specialty=specialty, specialties=known_specialties(current_user))


def _target(kind: str, target_id: int):
    obj = moderation.visible_target(current_actor(), kind, target_id)
    if obj is None:
        abort(404)
    return obj


@bp.route("/report/<kind>/<int:target_id>", methods=["GET", "POST"])
@policy.guard("community.report")
def report(kind: str, target_id: int):
    obj = _target(kind, target_id)
    form = ReportForm()
    if form.validate_on_submit():
        moderation.report(current_actor(), obj, form.reason_kind.data, form.reason.data or "")
        db.session.commit()
        flash(_("Thank you. The administrators will look at your report."), "success")
        return redirect(target_link(obj))
    return render_template("community/report.html", form=form, target=obj, kind=kind), 400 if form.errors else 200


@bp.route("/admin/reports", endpoint="moderation")
@policy.guard("community.moderate")
def moderation_queue():
    status = request.args.get("status", "open")
    show_hidden = status == "hidden"
    return render_template(
        "community/moderation.html", status=status, statuses=[s.value for s in ReportStatus],
        reports=[] if show_hidden else moderation.report_queue(status),
        hidden=moderation.hidden_content() if show_hidden else [], kind_of=moderation.target_kind,
        link_of=target_link)


@bp.route("/admin/reports/<int:report_id>/dismiss", methods=["POST"])
@policy.guard("community.moderate")
def dismiss_report(report_id: int):
    dismissed = moderation.dismiss_report(policy.load(Report, report_id), current_actor())
    db.session.commit()
    flash(_("The report was dismissed.") if dismissed else _("This report was already settled."),
          "success" if dismissed else "info")
    return redirect(url_for("community.moderation"))


@bp.route("/admin/<kind>/<int:target_id>/visibility", methods=["POST"])
@policy.guard("community.moderate")
def set_hidden(kind: str, target_id: int):
    obj = _target(kind, target_id)
    hide = request.form.get("hidden") == "1"
    moderation.set_hidden(obj, hide, current_actor())
    db.session.commit()
    flash(_("The content is hidden.") if hide else _("The content is visible again."), "success")
    return redirect(next_from_request(url_for("community.moderation")))
