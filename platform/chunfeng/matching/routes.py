"""Matching pages: organisation profiles, matched projects, the clinician's suggestions, connections. Thin: the work
is done in profiles.py, browsing.py, connections.py, grants.py and refresh.py, which flush; the views commit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import policy
from ..core.shell import NavItem, Offer, Panel
from ..core.web import current_actor, next_from_request
from ..extensions import db
from ..forms import choices
from ..submissions.models import Project
from ..submissions.sections import VERSION_FIELDS, display_sections
from . import browsing, grants, profiles, refresh
from . import connections as connecting  # the module; `connections` is a view below
from .common import MatchingError, is_matchable, org_members, profile_of
from .documents import field_label
from .forms import (
    LABELS,
    BrowseForm,
    CloseForm,
    ConnectRequestForm,
    DecisionForm,
    EnterpriseProfileForm,
    InvestorProfileForm,
    ProfileDecisionForm,
    TimelineForm,
    signal_text,
)
from .models import Connection, ConnectionStatus, OrgProfile, ProfileKind, ProfileStatus, ShareGrant

bp = Blueprint("matching", __name__, url_prefix="/matching")



def _company_panel(user) -> dict:
    return {
        "profile": profile_of(user.organization_id),
        "top": browsing.top_matches(user.organization_id),
        "stages": connecting.org_connection_stages(user.organization_id),
    }


def _clinician_panel(user) -> dict:
    connections = connecting.connections_for_owner(user)
    return {
        "pending": [c for c in connections if c.status == ConnectionStatus.REQUESTED],
        "active": [c for c in connections if c.status == ConnectionStatus.ACCEPTED],
        "projects": connecting.matchable_projects_of(user),
    }


def _admin_panel(user) -> dict:
    return {"profiles": profiles.profile_counts(), "connections": connecting.connection_counts()}


def pending_requests(_sender, user) -> list[tuple[str, str]]:
    return [
        (_("%(org)s asks to connect about “%(project)s”. Accept or decline.", org=c.organization.name,
           project=c.project.title), url_for("matching.connection", connection_id=c.id))
        for c in connecting.pending_requests(user)
    ]






# --- organisation profile ------------------------------------------------------------------------------


@bp.route("/profile", methods=["GET", "POST"])
@policy.guard("matching.profile")
def profile():
    existing = profile_of(current_user.organization_id)
    profile = existing or profiles.new_profile(current_actor())
    form_class = InvestorProfileForm if profile.kind == ProfileKind.INVESTOR else EnterpriseProfileForm
    form = form_class(obj=profile)
    if form.validate_on_submit():
        profiles.save_profile(profile, form.data, current_actor())
        db.session.commit()
        if profile.is_approved:
            flash(_("Your profile has been saved. Your matched projects have been updated."), "success")
        else:
            flash(
                _("Your profile has been saved and sent to the platform administrators for approval."),
                "success",
            )
        return redirect(url_for("matching.profile"))
    return render_template("matching/profile.html", form=form, profile=profile, existing=existing)


# --- companies: matched projects -----------------------------------------------------------------------


def _browse_filters(form: BrowseForm) -> browsing.BrowseFilters:
    scope = request.args.get("scope", "matched")
    return browsing.BrowseFilters(
        scope=scope if scope in ("matched", "all", "saved") else "matched",
        q=(form.q.data or "")[:100],
        specialty=form.specialty.data or "",
        device_class=form.device_class.data or "",
        stage=form.stage.data or "",
        region=form.region.data or "",
        page=request.args.get("page", 1, type=int),
    )


@bp.route("/projects")
@policy.guard("matching.browse")
def browse_projects():
    profile = profile_of(current_user.organization_id)
    options = browsing.filter_options()
    form = BrowseForm(request.args)
    form.specialty.choices = choices([("", _("Any"))] + [(s, s) for s in options["specialties"]])
    form.region.choices = choices([("", _("Any"))] + [(r, r) for r in options["regions"]])
    filters = _browse_filters(form)
    page = (
        browsing.browse(current_user.organization_id, filters)
        if profile is not None and profile.is_approved
        else None
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "matching/browse.html", profile=profile, form=form, filters=filters, page=page, args=args
    )


@bp.route("/projects/<int:project_id>")
@policy.guard("matching.view_project")
def project(project_id: int):
    project = policy.load(Project, project_id)
    granted = policy.can(current_user, "matching.view_confidential", project)
    if granted:
        grants.record_grant_view(current_actor(), project)
        db.session.commit()
    return _render_project(project, ConnectRequestForm(), granted)


def _render_project(project: Project, form: ConnectRequestForm, granted: bool = False, status: int = 200):
    org_id = current_user.organization_id
    fields = {name: getattr(project, name) for name in VERSION_FIELDS}
    return render_template(
        "matching/project.html", project=project, granted=granted, form=form,
        sections=display_sections(fields, confidential=granted),
        match=browsing.match_for(project.id, org_id), saved=browsing.is_saved(org_id, project.id),
        connection=connecting.latest_connection(project.id, org_id),
    ), status


@bp.route("/projects/<int:project_id>/save", methods=["POST"])
@policy.guard("matching.view_project")
def save_project(project_id: int):
    project = policy.load(Project, project_id)
    saved = request.form.get("saved", "1") == "1"
    browsing.set_saved(current_actor(), project, saved)
    db.session.commit()
    flash(_("Saved to your organisation's list.") if saved else _("Removed from your saved projects."), "success")
    return redirect(next_from_request(url_for("matching.project", project_id=project.id)))


@bp.route("/projects/<int:project_id>/connect", methods=["POST"])
@policy.guard("connection.request")
def request_connection(project_id: int):
    project = policy.load(Project, project_id)
    form = ConnectRequestForm()
    if not form.validate_on_submit():
        return _render_project(project, form, status=400)
    try:
        connection = connecting.request_connection(project, current_actor(), form.reason.data)
    except MatchingError as error:
        flash(str(error), "warning")
        return redirect(url_for("matching.project", project_id=project.id))
    db.session.commit()
    flash(_("Your request has been sent to the clinician. You will be notified of the answer."), "success")
    return redirect(url_for("matching.connection", connection_id=connection.id))


# --- clinicians: suggestions and requests --------------------------------------------------------------


@bp.route("/suggestions/<int:project_id>")
@policy.guard("matching.suggestions")
def suggestions(project_id: int):
    project = policy.load(Project, project_id)
    return render_template(
        "matching/suggestions.html",
        project=project,
        suggestions=browsing.suggestions_for(project),
        matchable=is_matchable(project),
    )


@bp.route("/requests")
@policy.guard("connection.inbox")
def requests():
    return render_template(
        "matching/requests.html",
        connections=connecting.connections_for_owner(current_actor()),
        projects=connecting.matchable_projects_of(current_actor()),
    )


@bp.route("/connections")
@policy.guard("connection.list")
def connections():
    return render_template(
        "matching/connections.html", connections=connecting.connections_for_org(current_user.organization_id)
    )


@bp.route("/connections/<int:connection_id>")
@policy.guard("connection.view")
def connection(connection_id: int):
    connection = policy.load(Connection, connection_id)
    return _render_connection(connection)


def _render_connection(connection: Connection, status: int = 200, **forms):
    grant = grants.active_grant(connection.project_id, connection.organization_id)
    return render_template(
        "matching/connection.html",
        connection=connection,
        grant=grant,
        profile=profile_of(connection.organization_id),
        grants=grants.grants_for_connection(connection),
        consent_text=grants.consent_text(connection.project, connection.organization),
        decision_form=forms.get("decision_form") or DecisionForm(),
        timeline_form=forms.get("timeline_form") or TimelineForm(),
        close_form=CloseForm(),
        is_owner=current_user.id == connection.project.owner_id,
    ), status


@bp.route("/connections/<int:connection_id>/decide", methods=["POST"])
@policy.guard("connection.decide")
def decide(connection_id: int):
    connection = policy.load(Connection, connection_id)
    form = DecisionForm()
    accept = request.form.get("decision") == "accept"
    if not form.validate_on_submit():
        return _render_connection(connection, 400, decision_form=form)
    if accept and not form.consent.data:
        form.consent.errors = [
            _(
                "To accept, please tick the box to give your consent. "
                "Without it, the company cannot see your details."
            )
        ]
        return _render_connection(connection, 400, decision_form=form)
    return _act(
        lambda: connecting.decide_connection(connection, current_actor(), accept, form.note.data or ""),
        _("You accepted the request. The company can now see the details of your project.")
        if accept
        else _("You declined the request. The company has been told."),
        _page_of(connection),
    )


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
        _("Your request has been withdrawn."),
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


# --- administrators ------------------------------------------------------------------------------------


@bp.route("/admin/profiles")
@policy.guard("matching.admin")
def admin_profiles():
    status = request.args.get("status", "")
    chosen = ProfileStatus(status) if status in {s.value for s in ProfileStatus} else None
    return render_template(
        "matching/admin_profiles.html",
        profiles=profiles.profiles_for_review(chosen),
        counts=profiles.profile_counts(),
        status=status,
    )


@bp.route("/admin/profiles/<int:profile_id>", methods=["GET", "POST"])
@policy.guard("matching.admin")
def admin_profile(profile_id: int):
    profile = policy.load(OrgProfile, profile_id)
    form = ProfileDecisionForm()
    if form.validate_on_submit():
        approve = request.form.get("decision") == "approve"
        try:
            profiles.decide_profile(profile, approve, current_actor(), form.note.data or "")
        except MatchingError as error:
            form.note.errors = [*form.note.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _("Profile approved: it is now matched with projects.")
                if approve
                else _("The profile has been returned to the organisation."),
                "success",
            )
            return redirect(url_for("matching.admin_profiles"))
    status = 400 if form.errors else 200
    return render_template(
        "matching/admin_profile.html",
        profile=profile,
        form=form,
        members=org_members(profile.organization_id),
        matches=browsing.top_matches(profile.organization_id, limit=10) if profile.is_approved else [],
    ), status


@bp.route("/admin/refresh", methods=["POST"])
@policy.guard("matching.admin")
def admin_refresh():
    counts = refresh.refresh_matches()
    db.session.commit()
    flash(
        _(
            "Matches recomputed: %(rows)d suggestions for %(projects)d projects "
            "and %(profiles)d organisations.",
            rows=counts.rows,
            projects=counts.projects,
            profiles=counts.profiles,
        ),
        "success",
    )
    return redirect(url_for("matching.admin_profiles"))


@bp.route("/admin/connections")
@policy.guard("matching.admin")
def admin_connections():
    status, stage = request.args.get("status", ""), request.args.get("stage", "")
    return render_template(
        "matching/admin_connections.html",
        connections=connecting.all_connections(status, stage),
        counts=connecting.connection_counts(),
        status=status,
        stage=stage,
    )


@bp.app_context_processor
def matching_labels():
    return {"matching_labels": LABELS, "match_signal": signal_text, "match_field": field_label}


def suggestion_link(_sender, user, project) -> list[tuple[str, str]]:
    if is_matchable(project) and policy.can(user, "matching.suggestions", project):
        return [(_("Suggested enterprises and investors"), url_for("matching.suggestions", project_id=project.id))]
    return []



NAV = Offer(
    NavItem("matching.browse_projects", _l("Matched projects"), "matching.browse", order=20),
    NavItem("matching.connections", _l("My connections"), "connection.list", order=22),
    NavItem("matching.profile", _l("Organisation profile"), "matching.profile", order=24),
    NavItem("matching.requests", _l("Connection requests"), "connection.inbox", order=25),
    NavItem("matching.admin_profiles", _l("Profiles and connections"), "matching.admin", order=3, group="admin"),
)
PANELS = Offer(
    Panel("matching/panel_company.html", "matching.browse", _company_panel, order=20),
    Panel("matching/panel_clinician.html", "connection.inbox", _clinician_panel, order=25),
    Panel("matching/panel_admin.html", "matching.admin", _admin_panel, order=60),
)
