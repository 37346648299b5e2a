"""Administrators' pages before review: the formal check, rubric versions and the expert directory."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import policy
from ..accounts.models import Role, User
from ..core.web import current_actor, requested_rows
from ..extensions import db
from ..forms import choices
from ..submissions.models import Project
from ..submissions.sections import display_sections
from ..submissions.services import project_fields
from ..submissions.status import Status
from . import assignment as assigning
from . import quality, rubrics, services
from .blind import blind_team
from .blueprint import bp
from .conflicts import declared_conflicts
from .errors import ReviewError
from .forms import ExpertProfileForm, PassForm, ReturnForm, RubricForm
from .models import ReviewRound, Rubric, RubricStatus

# --- formal check ------------------------------------------------------------------------------------------

@bp.route("/reviews/formal-check")
@policy.guard("reviews.admin")
def formal_check():
    counts = services.counts_in_status(Status.SUBMITTED, Status.ACCEPTED)
    page = requested_rows(services.formal_check_queue(), counts[Status.SUBMITTED], QUEUE_PER_PAGE)
    return render_template("reviews/formal_queue.html", page=page,
                           waiting=services.accepted_titles(WAITING_SHOWN) if counts[Status.ACCEPTED] else [],
                           waiting_total=counts[Status.ACCEPTED], waiting_shown=WAITING_SHOWN)


QUEUE_PER_PAGE = 25
WAITING_SHOWN = 20


def _pass_form() -> PassForm:
    form = PassForm()
    rounds = [r for r in services.all_rounds() if r.accepts_projects]
    form.round_id.choices = choices([(0, _l("The next round: it waits among the accepted projects until you add "
                                              "it to a round"))]
                                    + [(r.id, r.name) for r in rounds])
    if form.round_id.data is None and rounds:
        form.round_id.data = rounds[0].id
    return form


def _sent_project(project_id: int) -> Project:
    """The formal check pages show confidential details: a draft, never submitted, answers 404."""
    return policy.load(Project, project_id, "submission.view_confidential")


@bp.route("/reviews/formal-check/<int:project_id>")
@policy.guard("reviews.admin")
def formal_check_project(project_id: int):
    project = _sent_project(project_id)
    return _formal_page(project, _pass_form(), ReturnForm())


def _formal_page(project: Project, pass_form: PassForm, return_form: ReturnForm, status: int = 200):
    return render_template(
        "reviews/formal_project.html", project=project, pass_form=pass_form, return_form=return_form,
        sections=display_sections(project_fields(project), confidential=True),
        similar=services.similar_to(project), waiting=project.status == Status.SUBMITTED,
        team=blind_team(project_fields(project).get("team", ""), project),
    ), status


@bp.route("/reviews/formal-check/<int:project_id>/pass", methods=["POST"])
@policy.guard("reviews.admin")
def formal_pass(project_id: int):
    project = _sent_project(project_id)
    form = _pass_form()
    if not form.validate_on_submit():
        return _formal_page(project, form, ReturnForm(), 400)
    round_ = db.session.get(ReviewRound, form.round_id.data) if form.round_id.data else None
    try:
        services.pass_formal_check(project, current_actor(), round_, form.note.data or "")
    except ReviewError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("reviews.formal_check_project", project_id=project_id))
    db.session.commit()
    flash(_("“%(title)s” passed the formal check.", title=project.title)
          + (" " + _("It entered %(round)s.", round=round_.name) if round_ else ""), "success")
    return redirect(url_for("reviews.formal_check"))


@bp.route("/reviews/formal-check/<int:project_id>/return", methods=["POST"])
@policy.guard("reviews.admin")
def formal_return(project_id: int):
    project = _sent_project(project_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _formal_page(project, _pass_form(), form, 400)
    try:
        services.return_formal_check(project, current_actor(), form.reasons.data)
    except ReviewError as error:
        flash(str(error), "danger")
        return redirect(url_for("reviews.formal_check_project", project_id=project_id))
    db.session.commit()
    flash(_("“%(title)s” was returned to the clinician.", title=project.title), "success")
    return redirect(url_for("reviews.formal_check"))


# --- rubrics -----------------------------------------------------------------------------------------------

@bp.route("/reviews/rubrics")
@policy.guard("reviews.admin")
def rubric_list():
    return render_template("reviews/rubrics.html", rubrics=rubrics.all_rubrics())


@bp.route("/reviews/rubrics/<int:rubric_id>")
@policy.guard("reviews.admin")
def rubric_view(rubric_id: int):
    rubric = policy.load(Rubric, rubric_id)
    return render_template("reviews/rubric.html", rubric=rubric, problems=rubrics.problems(rubric)
                           if rubric.status == RubricStatus.DRAFT else [])


@bp.route("/reviews/rubrics/<int:rubric_id>/edit", methods=["GET", "POST"])
@policy.guard("reviews.admin")
def rubric_edit(rubric_id: int):
    rubric = policy.load(Rubric, rubric_id)
    if rubric.status != RubricStatus.DRAFT:
        flash(_("This rubric version is in use and cannot change. Copy it to make a new version."), "warning")
        return redirect(url_for("reviews.rubric_view", rubric_id=rubric_id))
    form = RubricForm() if request.method == "POST" else RubricForm(data=rubrics.form_rows(rubric))
    if form.validate_on_submit():
        try:
            edit = rubrics.edit_from_rows(form.name_zh.data, form.name_en.data or "", form.note.data or "",
                                          form.criteria.data, form.gates.data)
            rubrics.update_draft(rubric, edit, current_actor())
        except ReviewError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The draft was saved."), "success")
            return redirect(url_for("reviews.rubric_view", rubric_id=rubric_id))
    return render_template("reviews/rubric_edit.html", rubric=rubric, form=form)


def _rubric_action(rubric_id: int, action, message) -> object:
    rubric = policy.load(Rubric, rubric_id)
    try:
        result = action(rubric, current_actor())
    except ReviewError as error:
        flash(str(error), "danger")
        return redirect(url_for("reviews.rubric_view", rubric_id=rubric_id))
    db.session.commit()
    flash(message, "success")
    target = result if isinstance(result, Rubric) else rubric
    if db.session.get(Rubric, target.id) is None:
        return redirect(url_for("reviews.rubric_list"))
    return redirect(url_for("reviews.rubric_view", rubric_id=target.id))


@bp.route("/reviews/rubrics/<int:rubric_id>/copy", methods=["POST"])
@policy.guard("reviews.admin")
def rubric_copy(rubric_id: int):
    return _rubric_action(rubric_id, rubrics.copy_rubric, _l("A new draft version was made. Edit it, then "
                                                               "activate it."))


@bp.route("/reviews/rubrics/<int:rubric_id>/activate", methods=["POST"])
@policy.guard("reviews.admin")
def rubric_activate(rubric_id: int):
    return _rubric_action(rubric_id, rubrics.activate, _l("The rubric version is active; rounds may use it."))


@bp.route("/reviews/rubrics/<int:rubric_id>/archive", methods=["POST"])
@policy.guard("reviews.admin")
def rubric_archive(rubric_id: int):
    return _rubric_action(rubric_id, rubrics.archive, _l("The rubric version was archived."))


@bp.route("/reviews/rubrics/<int:rubric_id>/discard", methods=["POST"])
@policy.guard("reviews.admin")
def rubric_discard(rubric_id: int):
    return _rubric_action(rubric_id, rubrics.discard_draft, _l("The draft was discarded."))


# --- experts -----------------------------------------------------------------------------------------------

@bp.route("/reviews/experts")
@policy.guard("reviews.admin")
def experts():
    pool = assigning.expert_pool()
    return render_template("reviews/experts.html", experts=pool, profiles=assigning.profiles_by_expert(pool),
                           loads=assigning.open_loads(), quality=quality.by_expert())


@bp.route("/reviews/experts/<int:user_id>", methods=["GET", "POST"])
@policy.guard("reviews.admin")
def expert_edit(user_id: int):
    expert = policy.load(User, user_id)
    if expert.role != Role.EXPERT:
        return redirect(url_for("reviews.experts"))
    profile = assigning.profile_of(expert)
    form = ExpertProfileForm(obj=profile)
    if form.validate_on_submit():
        form.populate_obj(profile)
        assigning.profile_saved(profile, current_actor())
        db.session.commit()
        flash(_("The expert's profile was saved."), "success")
        return redirect(url_for("reviews.experts"))
    return render_template("reviews/expert_edit.html", expert=expert, form=form,
                           conflicts=declared_conflicts(expert))
