"""Matching pages: organisation profiles, matched projects, administration; the clinician's suggestions and the
connections are in views_connections.py. Thin: the work is done in profiles.py, browsing.py, connections.py,
messages.py, grants.py and refresh.py, which flush; the views commit."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import policy
from ..core.shell import NavItem, Offer, Panel
from ..core.web import current_actor, next_from_request, requested_page
from ..extensions import db
from ..forms import choices
from ..i18n import in_locale
from ..submissions.models import Project
from ..submissions.sections import VERSION_FIELDS, display_sections
from . import browsing, grants, messages, profiles, refresh, views_connections  # noqa: F401 - attach the views
from . import connections as connecting  # the module; `connections` is a view
from .blueprint import bp
from .common import MatchingError, is_matchable, org_members, profile_of
from .documents import FIELD_LABELS
from .forms import (
    LABELS,
    BrowseForm,
    ConnectRequestForm,
    EnterpriseProfileForm,
    InvestorProfileForm,
    ProfileDecisionForm,
    signal_text,
)
from .models import ConnectionStatus, OrgProfile, ProfileKind, ProfileStatus

__all__ = ["bp"]



def _company_panel(user) -> dict:
    return {"panel": browsing.company_panel(user.organization_id)}


def _clinician_panel(user) -> dict:
    return {
        "pending": browsing.requests_awaiting(user),
        "active": sum(c.status == ConnectionStatus.ACCEPTED for c in browsing.owner_connections(user)),
        "projects": browsing.matchable_lines(user),
    }


def _admin_panel(_user) -> dict:
    return browsing.admin_counts()


def pending_requests(_sender, user) -> list[tuple[str, str]]:
    """Answers `hooks.pending_actions`: companies' requests awaiting the clinician, from the read the clinician's
    matching panel shares."""
    if not policy.can(user, "connection.inbox"):
        return []
    return [
        (_("%(org)s asks to connect about “%(project)s”. Accept or decline.", org=c.organization,
           project=c.title), url_for("matching.connection", connection_id=c.id))
        for c in browsing.requests_awaiting(user)
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
    status = browsing.profile_status(current_user.organization_id)
    options = browsing.filter_options()
    form = BrowseForm(request.args)
    any_ = _("Any")
    form.specialty.choices = choices([("", any_)] + [(s, s) for s in options["specialties"]])
    form.region.choices = choices([("", any_)] + [(r, r) for r in options["regions"]])
    filters = _browse_filters(form)
    page = browsing.browse(current_user.organization_id, filters) if status == ProfileStatus.APPROVED else None
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("matching/browse.html", profile_status=status, form=form, filters=filters, page=page,
                           args=args)


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


# --- administrators ------------------------------------------------------------------------------------


ADMIN_PER_PAGE = 50


@bp.route("/admin/profiles")
@policy.guard("matching.admin")
def admin_profiles():
    status = request.args.get("status", "")
    chosen = ProfileStatus(status) if status in {s.value for s in ProfileStatus} else None
    return render_template(
        "matching/admin_profiles.html",
        page=requested_page(profiles.profiles_for_review(chosen), ADMIN_PER_PAGE),
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
    fields = in_locale(FIELD_LABELS)
    return {"matching_labels": in_locale(LABELS), "match_signal": signal_text,
            "match_field": lambda key: fields.get(key, key)}


@bp.context_processor
def connection_helpers():
    """Who wrote an entry as the reader may know it, a message's local time, the project page the reader may see."""
    return {
        "entry_author": lambda connection, author, side=None: messages.author_name(current_user, connection, author,
                                                                                   side),
        "sent_at": messages.sent_at,
        "project_page": lambda project: views_connections.project_page(current_user, project),
        "side_labels": messages.SIDE_LABELS,
    }


def suggestion_link(_sender, user, project) -> list[tuple[str, str]]:
    if is_matchable(project) and policy.can(user, "matching.suggestions", project):
        return [(_("Suggested enterprises and investors"), url_for("matching.suggestions", project_id=project.id))]
    return []



def interest_offer(_sender, user, project) -> list[tuple[str, dict]]:
    """Answers `hooks.result_offers`: on a selected project's public page, a verified company asks to connect (the
    request of the matched-projects page), or finds its connection; other visitors see nothing of matching."""
    if not policy.can(user, "connection.request", project):
        return []
    return [("matching/_interest.html", {
        "project": project, "form": ConnectRequestForm(),
        "connection": connecting.latest_connection(project.id, user.organization_id)})]


NAV = Offer(
    NavItem("matching.browse_projects", _l("Matched projects"), "matching.browse", order=20),
    NavItem("matching.connections", _l("My connections"), "connection.list", order=22),
    NavItem("matching.profile", _l("Our profile"), "matching.profile", order=24),
    NavItem("matching.requests", _l("Connection requests"), "connection.inbox", order=25),
    NavItem("matching.admin_profiles", _l("Profiles and connections"), "matching.admin", order=3, group="admin"),
)
PANELS = Offer(
    Panel("matching/panel_company.html", "matching.browse", _company_panel, order=20),
    Panel("matching/panel_clinician.html", "connection.inbox", _clinician_panel, order=25),
    Panel("matching/panel_admin.html", "matching.admin", _admin_panel, order=60, shared=True),
)
