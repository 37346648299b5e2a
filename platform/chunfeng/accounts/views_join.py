"""Joining an organisation: its active members (and administrators) see who asks to join, next to its current
members, and approve or decline."""

from __future__ import annotations

from functools import cache

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from .. import policy
from ..core.todo import Asks
from ..core.web import current_actor
from ..extensions import db
from . import services
from .forms import ConfirmForm
from .models import JoinRequest, Organization, User
from .routes import bp


@bp.route("/organization/requests")
@policy.guard("account.join_decide")
def join_requests():
    pending = services.pending_join_requests(current_actor())
    members = {join.organization_id: services.active_members(join.organization) for join in pending}
    return render_template("accounts/join_requests.html", pending=pending, members=members, form=ConfirmForm())


@bp.route("/organization/requests/<int:request_id>", methods=["POST"])
@policy.guard("account.join_decide")
def decide_join(request_id: int):
    join = policy.load(JoinRequest, request_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        approve = request.form.get("decision") == "approve"
        try:
            services.decide_join(join, approve, current_actor())
        except (services.AccountError, ValueError):
            flash(_("This request was already decided."), "warning")
        else:
            db.session.commit()
            flash(_("%(name)s is now a member of %(organization)s.", name=join.user.name,
                    organization=join.organization.name) if approve else
                  _("The request of %(name)s was declined.", name=join.user.name), "success")
    return redirect(url_for("accounts.join_requests"))


def pending_for(_sender, user) -> Asks | None:
    """Dashboard: the join requests waiting for this member's decision (those `services.pending_join_requests`
    gives a member), oldest first, read as the names the to-do list shows; nothing to read when the session's own
    statement found no request to the organisation."""
    if not user.is_approved or user.is_admin or user.organization_id is None or user.joins_awaiting is False:
        return None
    return _join_asks()


@cache
def _join_asks() -> Asks:
    """Built once per process (every member's workspace asks for it): the requester's and the organisation's
    names."""
    query = (select(JoinRequest.id.label("ref"), User.name.label("first"), Organization.name.label("second"),
                    JoinRequest.created_at.label("at")).select_from(JoinRequest)
             .join(User, User.id == JoinRequest.user_id)
             .join(Organization, Organization.id == JoinRequest.organization_id)
             .where(*services.awaiting_member(bindparam("organization_id"), bindparam("user_id"))))
    return Asks(query, _join_line, newest_first=False)


def _join_line(row) -> tuple[str, str]:
    return (_("%(name)s asks to join %(organization)s. Please confirm or decline.", name=row.first,
              organization=row.second), url_for("accounts.join_requests"))
