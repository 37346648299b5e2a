"""Administrators' pages for a round: settings, projects, assignments, the panel, decisions, publication, exports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import policy
from ..accounts.models import User
from ..core.clock import local_today
from ..core.web import current_actor, next_from_request
from ..exports import csv_bytes, download, xlsx_bytes
from ..extensions import db
from ..forms import choices
from ..submissions.models import Project
from ..submissions.status import Status
from . import assignment as assigning
from . import figures, reports, reviewing, rubrics, services
from .blueprint import bp
from .errors import ReviewError
from .forms import AddExpertForm, AddProjectsForm, DecisionForm, RoundForm
from .models import Assignment, AssignmentStatus, Outcome, ReviewRound, RoundEntry
from .panel import project_panel, reviewer_offsets, round_panel
from .views_deliberation import admin_context


def _round_entry(round_id: int, project_id: int) -> tuple[ReviewRound, RoundEntry]:
    """The round and the project's entry in it: 404 unless both exist and the project is in the round."""
    round_ = policy.load(ReviewRound, round_id)
    entry = services.entry_for(round_, policy.load(Project, project_id))
    if entry is None:
        abort(404)
    return round_, entry


def _refused(error: ReviewError, form=None) -> None:
    """Show a service refusal beside its field when the form has it, else as a message."""
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "danger")


# --- rounds ------------------------------------------------------------------------------------------------

@bp.route("/reviews/rounds")
@policy.guard("reviews.admin")
def rounds():
    return render_template("reviews/rounds.html", rounds=services.all_rounds(),
                           waiting=services.count_in_status(Status.ACCEPTED))


def _rubric_choices(form: RoundForm, current: ReviewRound | None = None) -> None:
    """Active rubric versions (and the round's own). On an empty database the reference rubric is offered as 0:
    it is created with the round, so that showing the form writes nothing."""
    offered = [(r.id, f"{r.text('name')} v{r.version}") for r in rubrics.active_rubrics()]
    if current is not None and current.rubric_id not in dict(offered):
        offered.insert(0, (current.rubric_id, f"{current.rubric.text('name')} v{current.rubric.version}"))
    if not offered and rubrics.reference_pending():
        offered = [(0, f"{rubrics.reference_name()} v1")]
    elif not offered:
        flash(_("No active rubric: activate a rubric version first."), "warning")
    form.rubric_id.choices = choices(offered)


def _settings(form: RoundForm) -> services.RoundSettings:
    return services.RoundSettings(**{name: form[name].data for name in services.RoundSettings.__dataclass_fields__})


@bp.route("/reviews/rounds/new", methods=["GET", "POST"])
@policy.guard("reviews.admin")
def round_new():
    form = RoundForm()
    _rubric_choices(form)
    form.rubric_id.validate_choice = False  # 0 (the reference rubric) may exist by now: create_round checks
    if form.validate_on_submit():
        try:
            round_ = services.create_round(_settings(form), current_actor())
        except ReviewError as error:
            db.session.rollback()
            _refused(error, form)
        else:
            db.session.commit()
            flash(_("The round was created. Open it when projects may enter."), "success")
            return redirect(url_for("reviews.round_view", round_id=round_.id))
    return render_template("reviews/round_form.html", form=form, round=None)


@bp.route("/reviews/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@policy.guard("reviews.admin")
def round_edit(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    form = RoundForm(obj=round_)
    _rubric_choices(form, round_)
    if form.validate_on_submit():
        try:
            services.update_round(round_, _settings(form), current_actor())
        except ReviewError as error:
            _refused(error, form)
        else:
            db.session.commit()
            flash(_("The round's settings were saved."), "success")
            return redirect(url_for("reviews.round_view", round_id=round_.id))
    return render_template("reviews/round_form.html", form=form, round=round_)


@bp.route("/reviews/rounds/<int:round_id>")
@policy.guard("reviews.admin")
def round_view(round_id: int):
    """The panel overview; `?confirm=close_intake|conclude|publish` adds the confirmation of that step."""
    return _round_page(policy.load(ReviewRound, round_id), request.args.get("confirm", ""))


def _round_page(round_: ReviewRound, confirm: str = ""):
    """The panel overview, with the confirmation of `confirm` (a step the round allows now) and the counts it
    affects; the step itself is a POST from there. Showing it writes nothing."""
    actions = [event.value for event in services.status_events(round_) if event in services.STATUS_EVENTS]
    counts = services.round_counts(round_)
    if services.can_publish(round_) and counts.publishable:
        actions.append("publish")
    if confirm not in CONFIRMED or confirm not in actions:
        confirm = ""
    return render_template("reviews/round.html", round=round_, panels=figures.round_overview(round_), actions=actions,
                           counts=counts, confirm=confirm, waiting=counts.waiting if round_.accepts_projects else 0)


CONFIRMED = ("close_intake", "conclude", "publish")  # steps the round page asks to confirm, with their counts


@bp.route("/reviews/rounds/<int:round_id>/status/<action>", methods=["GET", "POST"])
@policy.guard("reviews.admin")
def round_status(round_id: int, action: str):
    """GET: the confirmation with the counts; POST: the step."""
    round_ = policy.load(ReviewRound, round_id)
    if request.method == "GET" and action in CONFIRMED:
        return _round_page(round_, action)
    if action not in services.STATUS_EVENTS:
        return redirect(url_for("reviews.round_view", round_id=round_id))
    try:
        services.change_round_status(round_, action, current_actor())
        db.session.commit()
    except ReviewError as error:
        flash(str(error), "danger")
    return redirect(url_for("reviews.round_view", round_id=round_id))


@bp.route("/reviews/rounds/<int:round_id>/publish", methods=["GET", "POST"])
@policy.guard("reviews.admin")
def round_publish(round_id: int):
    """GET: the confirmation with the counts (how many are published, how many stay undecided); POST: publish."""
    round_ = policy.load(ReviewRound, round_id)
    if request.method == "GET":
        return _round_page(round_, "publish")
    try:
        published = services.publish(round_, current_actor())
    except ReviewError as error:
        flash(str(error), "danger")
        return redirect(url_for("reviews.round_view", round_id=round_id))
    db.session.commit()
    flash(ngettext("%(num)d decision was published; the clinician has been told.",
                   "%(num)d decisions were published; the clinicians have been told.", len(published)), "success")
    return redirect(url_for("reviews.public_round", round_id=round_id))


@bp.route("/reviews/rounds/<int:round_id>/projects/add", methods=["GET", "POST"])
@policy.guard("reviews.admin")
def round_add_projects(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    waiting = services.accepted_waiting()
    form = AddProjectsForm()
    form.project_ids.choices = choices((p.id, p.title) for p in waiting)
    if form.validate_on_submit():
        try:
            for project in (p for p in waiting if p.id in (form.project_ids.data or [])):
                services.enter_round(round_, project, current_actor())
        except ReviewError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(ngettext("%(num)d project entered the round.", "%(num)d projects entered the round.",
                           len(form.project_ids.data or [])), "success")
            return redirect(url_for("reviews.round_view", round_id=round_id))
    return render_template("reviews/round_add.html", round=round_, form=form, waiting=waiting)


# --- assignments -------------------------------------------------------------------------------------------

@bp.route("/reviews/rounds/<int:round_id>/assignments")
@policy.guard("reviews.admin")
def assignments(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    panels = round_panel(round_)
    experts = assigning.expert_pool()
    profiles = assigning.profiles_by_expert(experts)
    all_assignments = assigning.round_assignments(round_)
    return render_template(
        "reviews/assignments.html", round=round_, panels=panels, add_form=AddExpertForm(), profiles=profiles,
        loads=assigning.round_loads(round_), experts=experts,
        proposed=sum(1 for a in all_assignments if a.status == AssignmentStatus.PROPOSED),
        declined=[a for a in all_assignments if a.status == AssignmentStatus.DECLINED],
    )


@bp.route("/reviews/rounds/<int:round_id>/assignments/propose", methods=["POST"])
@policy.guard("reviews.admin")
def assignments_propose(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    result = assigning.propose(round_, current_actor())
    db.session.commit()
    flash(ngettext("%(num)d assignment proposed. Check it, adjust, then send the invitation.",
                   "%(num)d assignments proposed. Check them, adjust, then send the invitations.",
                   len(result.created)), "success")
    if result.short:
        flash(_("%(count)s projects could not get enough experts without a conflict or an overload: %(titles)s. "
                "Add experts by hand or raise their maximum load.", count=len(result.short),
                titles="、".join(f"“{title}”" for title in result.short_titles)), "warning")
    return redirect(url_for("reviews.assignments", round_id=round_id))


@bp.route("/reviews/rounds/<int:round_id>/assignments/send", methods=["POST"])
@policy.guard("reviews.admin")
def assignments_send(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    try:
        count = assigning.send_proposals(round_, current_actor())
    except ReviewError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(ngettext("%(num)d invitation was sent to the expert.",
                       "%(num)d invitations were sent to the experts.", count), "success")
    return redirect(url_for("reviews.assignments", round_id=round_id))


@bp.route("/reviews/rounds/<int:round_id>/projects/<int:project_id>/experts", methods=["POST"])
@policy.guard("reviews.admin")
def assignment_add(round_id: int, project_id: int):
    round_, entry = _round_entry(round_id, project_id)
    form = AddExpertForm()
    expert = db.session.get(User, form.expert_id() or 0) if form.validate_on_submit() else None
    if expert is None:
        flash(_("Choose an expert from the list."), "danger")
    else:
        try:
            _assignment, warning = assigning.add_expert(round_, entry, expert, current_actor())
        except ReviewError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(warning or _("The expert was added as a proposal; send the invitations when ready."),
                  "warning" if warning else "success")
    return redirect(next_from_request(url_for("reviews.assignments", round_id=round_id)))


def _assignment_action(assignment_id: int, action) -> object:
    assignment = policy.load(Assignment, assignment_id)
    try:
        action(assignment, current_actor())
    except ReviewError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Done."), "success")
    return redirect(next_from_request(url_for("reviews.assignments", round_id=assignment.round_id)))


@bp.route("/reviews/assignments/<int:assignment_id>/remove", methods=["POST"])
@policy.guard("reviews.admin")
def assignment_remove(assignment_id: int):
    return _assignment_action(assignment_id, assigning.remove_proposal)


@bp.route("/reviews/assignments/<int:assignment_id>/cancel", methods=["POST"])
@policy.guard("reviews.admin")
def assignment_cancel(assignment_id: int):
    return _assignment_action(assignment_id, assigning.cancel)


@bp.route("/reviews/assignments/<int:assignment_id>/reopen", methods=["POST"])
@policy.guard("reviews.admin")
def assignment_reopen(assignment_id: int):
    return _assignment_action(assignment_id, reviewing.reopen)


@bp.route("/reviews/rounds/<int:round_id>/projects/<int:project_id>/re-review", methods=["POST"])
@policy.guard("reviews.admin")
def re_review(round_id: int, project_id: int):
    round_, entry = _round_entry(round_id, project_id)
    try:
        invited = assigning.invite_re_review(round_, entry, current_actor(), local_today())
    except ReviewError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(ngettext("%(num)d expert was invited to review the new version.",
                       "%(num)d experts were invited to review the new version.", len(invited)), "success")
    return redirect(url_for("reviews.panel_project", round_id=round_id, project_id=project_id))


# --- the panel and decisions --------------------------------------------------------------------------------

@bp.route("/reviews/rounds/<int:round_id>/projects/<int:project_id>", methods=["GET", "POST"])
@policy.guard("reviews.admin")
def panel_project(round_id: int, project_id: int):
    round_, entry = _round_entry(round_id, project_id)
    panel = project_panel(round_, entry)
    if request.method == "POST" and request.form.get("action") == "reopen":
        return _reopen(round_, entry)
    form = DecisionForm()
    if request.method == "GET" and panel.suggestion.outcome:
        form.outcome.data, form.pathways.data = panel.suggestion.outcome, list(panel.suggestion.pathways)
    if form.validate_on_submit():
        data = services.DecisionInput(Outcome(form.outcome.data), form.pathways.data or [],
                                      form.override_reason.data or "", form.comment_to_clinician.data or "")
        try:
            services.decide(round_, entry, data, current_actor())
        except ReviewError as error:
            _refused(error, form)
        else:
            db.session.commit()
            flash(_("The decision was recorded."), "success")
            return redirect(url_for("reviews.round_view", round_id=round_id))
    return render_template("reviews/panel_project.html", round=round_, panel=panel, form=form,
                           suggested=services.describe_choice(panel.suggestion.outcome, panel.suggestion.pathways,
                                                              alternatives=True),
                           offsets=reviewer_offsets(round_), similar=services.similar_to(entry.project),
                           totals={a.id: reviewing.total_of(a.review) for a in panel.submitted},
                           **admin_context(entry, panel.submitted))


def _reopen(round_: ReviewRound, entry: RoundEntry):
    """Take back a decision not yet published (a POST of the panel page with action=reopen)."""
    try:
        services.reopen_decision(round_, entry, current_actor())
    except ReviewError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The decision was reopened: the project waits for a decision again."), "success")
    return redirect(url_for("reviews.panel_project", round_id=round_.id, project_id=entry.project_id))


# --- exports -----------------------------------------------------------------------------------------------

@bp.route("/reviews/rounds/<int:round_id>/export.csv")
@policy.guard("reviews.admin")
def export_csv(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    return download(csv_bytes(reports.project_rows(round_)), f"{round_.name}-projects.csv")


@bp.route("/reviews/rounds/<int:round_id>/export-reviews.csv")
@policy.guard("reviews.admin")
def export_reviews_csv(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    return download(csv_bytes(reports.review_rows(round_)), f"{round_.name}-reviews.csv")


@bp.route("/reviews/rounds/<int:round_id>/export.xlsx")
@policy.guard("reviews.admin")
def export_xlsx(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    panels = round_panel(round_)
    data = xlsx_bytes({_("Project summary"): reports.project_rows(round_, panels),
                       _("Individual reviews"): reports.review_rows(round_, panels)})
    return download(data, f"{round_.name}.xlsx")

