"""Connection pages: the clinician's suggestions (with invitations) and requests, a company's connections, one
connection with its answer, timeline, messages and consent. Thin: connections.py, messages.py and grants.py do the
work and flush; the views commit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..accounts.models import Organization
from ..core.web import current_actor, next_from_request
from ..extensions import db
from ..submissions.models import Project
from . import browsing, grants, messages
from . import connections as connecting  # the module; `connections` is a view below
from .blueprint import bp
from .common import MatchingError, is_matchable, profile_approved, profile_of
from .forms import CloseForm, DecisionForm, InvitationAnswerForm, InviteForm, MessageForm, TimelineForm
from .models import Connection, ShareGrant

# --- clinicians: suggestions, invitations and requests ---------------------------------------------------------


@bp.route("/suggestions/<int:project_id>")
@policy.guard("matching.suggestions")
def suggestions(project_id: int):
    return _render_suggestions(policy.load(Project, project_id))


def _render_suggestions(project: Project, status: int = 200, failed: tuple[int, InviteForm] | None = None,
                        refusal: str = ""):
    """`failed`: the organisation whose invitation form came back with errors, and that form; `refusal`: why the
    invitation was not sent."""
    return render_template(
        "matching/suggestions.html",
        project=project,
        suggestions=browsing.suggestions_for(project),
        matchable=is_matchable(project),
        connections=connecting.connections_by_org(project),
        may_invite=policy.can(current_user, "connection.invite", project),
        failed=failed,
        refusal=refusal,
        consent_text=grants.consent_text,
    ), status


@bp.route("/suggestions/<int:project_id>/invite/<int:organization_id>", methods=["POST"])
@policy.guard("connection.invite")
def invite(project_id: int, organization_id: int):
    project = policy.load(Project, project_id)
    organization = db.session.get(Organization, organization_id)
    if organization is None or not profile_approved(organization.id):
        abort(404)
    form = InviteForm()
    if form.validate_on_submit() and not form.consent.data:
        form.consent.errors = [_("To invite, please tick the box to give your consent. If the company accepts, "
                                 "it sees the details of your project.")]
    if form.errors:
        return _render_suggestions(project, 400, failed=(organization.id, form))
    try:
        connection = connecting.invite_company(project, organization, current_actor(), form.message.data)
    except MatchingError as error:
        return _render_suggestions(project, 409, failed=(organization.id, form), refusal=str(error))
    db.session.commit()
    flash(_("Your invitation has been sent to %(org)s. You will be notified of the answer.", org=organization.name),
          "success")
    return redirect(_page_of(connection))


@bp.route("/requests")
@policy.guard("connection.inbox")
def requests():
    return render_template(
        "matching/requests.html",
        connections=connecting.connections_for_owner(current_actor()),
        projects=connecting.matchable_projects_of(current_actor()),
    )


# --- companies: their requests and invitations ------------------------------------------------------------------


@bp.route("/connections")
@policy.guard("connection.list")
def connections():
    return render_template(
        "matching/connections.html", connections=connecting.connections_for_org(current_user.organization_id)
    )


# --- one connection ----------------------------------------------------------------------------------------------


@bp.route("/connections/<int:connection_id>")
@policy.guard("connection.view")
def connection(connection_id: int):
    connection = policy.load(Connection, connection_id)
    return _render_connection(connection)


def _render_connection(connection: Connection, status: int = 200, **forms):
    grant = grants.active_grant(connection.project_id, connection.organization_id)
    user = current_actor()
    answer_form = InvitationAnswerForm if connection.invited else DecisionForm
    return render_template(
        "matching/connection.html",
        connection=connection,
        grant=grant,
        profile=profile_of(connection.organization_id),
        grants=grants.grants_for_connection(connection),
        consent_text=grants.consent_text(connection.project, connection.organization),
        decision_form=forms.get("decision_form") or answer_form(),
        timeline_form=forms.get("timeline_form") or TimelineForm(),
        message_form=forms.get("message_form") or MessageForm(),
        close_form=CloseForm(),
        is_owner=user.id == connection.project.owner_id,
        side=connecting.side_of(user, connection),
        answers=connecting.is_answering_side(user, connection),
        asks=connecting.is_asking_side(user, connection),
        reads_thread=messages.reads_thread(user, connection),
        message_refusal=messages.refusal(connection),
        sees_contact=messages.sees_contact_of_other_side(user, connection),
        project_link=project_page(user, connection.project),
    ), status


def project_page(user, project: Project) -> str:
    """The page of the project the user may see: the clinician's own page, a company's view, or none."""
    if policy.can(user, "submission.view", project):
        return url_for("submissions.project", project_id=project.id)
    if policy.can(user, "matching.view_project", project):
        return url_for("matching.project", project_id=project.id)
    return ""


@bp.route("/connections/<int:connection_id>/decide", methods=["POST"])
@policy.guard("connection.decide")
def decide(connection_id: int):
    connection = policy.load(Connection, connection_id)
    accept = request.form.get("decision") == "accept"
    if connection.invited:
        form = InvitationAnswerForm()
        done = (_("You accepted the invitation. You can now see the details of the project and the clinician's "
                  "contact.") if accept else _("You declined the invitation. The clinician has been told."))
    else:
        form = DecisionForm()
        done = (_("You accepted the request. The company can now see the details of your project.") if accept
                else _("You declined the request. The company has been told."))
    if not form.validate_on_submit():
        return _render_connection(connection, 400, decision_form=form)
    if accept and not connection.invited and not form.consent.data:
        form.consent.errors = [
            _(
                "To accept, please tick the box to give your consent. "
                "Without it, the company cannot see your details."
            )
        ]
        return _render_connection(connection, 400, decision_form=form)
    return _act(lambda: connecting.decide_connection(connection, current_actor(), accept, form.note.data or ""),
                done, _page_of(connection))


@bp.route("/connections/<int:connection_id>/messages", methods=["POST"])
@policy.guard("connection.message")
def post_message(connection_id: int):
    connection = policy.load(Connection, connection_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_connection(connection, 400, message_form=form)
    try:
        messages.post_message(connection, current_actor(), form.body.data)
    except MatchingError as error:
        form.body.errors = [str(error)]
        return _render_connection(connection, 409, message_form=form)
    db.session.commit()
    flash(_("Your message has been sent."), "success")
    return redirect(_page_of(connection) + "#messages")


@bp.route("/connections/<int:connection_id>/events", methods=["POST"])
@policy.guard("connection.update")
def add_event(connection_id: int):
    connection = policy.load(Connection, connection_id)
    form = TimelineForm()
    if form.validate_on_submit():
        try:
            connecting.add_event(connection, current_actor(), form.kind.data, form.happened_on.data, form.text.data)
        except MatchingError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("The entry has been added to the shared timeline."), "success")
            return redirect(_page_of(connection) + "#timeline")
    return _render_connection(connection, 400, timeline_form=form)


@bp.route("/connections/<int:connection_id>/close", methods=["POST"])
@policy.guard("connection.update")
def close(connection_id: int):
    connection = policy.load(Connection, connection_id)
    form = CloseForm()
    return _act(
        lambda: connecting.close_connection(connection, current_actor(), form.note.data or ""),
        _("The connection has been closed."),
        _page_of(connection),
        form.validate_on_submit(),
    )


@bp.route("/connections/<int:connection_id>/withdraw", methods=["POST"])
@policy.guard("connection.withdraw")
def withdraw(connection_id: int):
    connection = policy.load(Connection, connection_id)
    return _act(
        lambda: connecting.withdraw_connection(connection, current_actor()),
        _("Your invitation has been withdrawn.") if connection.invited else _("Your request has been withdrawn."),
        _page_of(connection),
    )


@bp.route("/connections/<int:connection_id>/share", methods=["POST"])
@policy.guard("grant.share")
def share_again(connection_id: int):
    connection = policy.load(Connection, connection_id)
    if request.form.get("consent") != "y":
        flash(_("To share your details, please tick the box to give your consent."), "warning")
        return redirect(_page_of(connection))
    return _act(
        lambda: connecting.regrant(connection, current_actor()),
        _("The company can see the details of your project again."),
        _page_of(connection),
    )


@bp.route("/grants/<int:grant_id>/revoke", methods=["POST"])
@policy.guard("grant.revoke")
def revoke(grant_id: int):
    grant = policy.load(ShareGrant, grant_id)
    return _act(
        lambda: grants.revoke_grant(grant, current_actor()),
        _("Access withdrawn: %(org)s can no longer see the details of your project.", org=grant.organization.name),
        next_from_request(url_for("matching.requests")),
    )


def _act(action, done: str, back: str, valid: bool = True):
    """Run a service action: commit and say `done`, or say why it was refused; then go `back`."""
    if valid:
        try:
            action()
        except MatchingError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(back)


def _page_of(connection: Connection) -> str:
    return url_for("matching.connection", connection_id=connection.id)
