"""The panel's deliberation pages: the discussion thread, revising a submitted review, the lead reviewer and the
meta-review. The thread and the meta-review are parts of the expert's review page and the administrator's project
page (their context comes from `expert_context` and `admin_context`); the routes here only take the POSTs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..accounts.models import User
from ..core.clock import local_today
from ..core.web import current_actor, next_from_request
from ..extensions import db
from ..forms import choices
from ..submissions.models import Project
from . import deliberation, lead, quality, reviewing, services
from .blind import blind_view
from .blueprint import bp
from .errors import ReviewError
from .forms import DeclineForm, DiscussionForm, LeadForm, MetaAnswerForm, MetaReviewForm, QualityForm, review_form
from .models import Assignment, Review, ReviewRound, RoundEntry


def expert_context(assignment: Assignment) -> dict:
    """What the expert's page shows of the deliberation once their review is submitted."""
    entry = deliberation.entry_of(assignment)
    if entry is None or not policy.can(current_user, "review.discuss", entry):
        return {}
    meta = lead.meta_view(entry)
    mine = next((answer for label, answer, _stale in meta.answers
                 if answer is not None and answer.expert_id == current_user.id), None)
    return {"entry": entry, "thread": deliberation.thread(entry, current_user), "discussion_open":
            deliberation.is_open(entry), "discussion_form": DiscussionForm(), "meta": meta,
            "am_lead": meta.lead is not None and meta.lead.expert_id == current_user.id,
            "meta_form": MetaReviewForm(summary=meta.lead.summary if meta.lead else ""),
            "answer_form": MetaAnswerForm(), "my_answer": mine,
            "my_history": deliberation.history(assignment.review) if assignment.review else [],
            "may_revise": policy.can(current_user, "review.revise", assignment)}


def admin_context(entry: RoundEntry, submitted: list[Assignment]) -> dict:
    """What the administrator's project page shows of the deliberation."""
    form = LeadForm()
    meta = lead.meta_view(entry)
    labels = deliberation.expert_letters(entry)
    form.expert_id.choices = choices(
        (u.id, f"{_('Expert %(letter)s', letter=labels.get(u.id, '?'))} · {u.name}") for u in lead.candidates(entry))
    if meta.lead is not None:
        form.expert_id.data = meta.lead.expert_id
    return {"entry": entry, "thread": deliberation.thread(entry, current_user), "discussion_open":
            deliberation.is_open(entry), "discussion_form": DiscussionForm(), "meta": meta, "lead_form": form,
            "letters": labels, "histories": deliberation.histories([a.review for a in submitted]),
            "names": meta.expert_names, "ratings": quality.ratings_of([a.review for a in submitted]),
            "quality_labels": quality.QUALITY_LABELS, "quality_form": QualityForm()}


def _back(entry: RoundEntry):
    default = url_for("reviews.panel_project", round_id=entry.round_id, project_id=entry.project_id)
    return redirect(next_from_request(default))


@bp.route("/reviews/discussion/<int:entry_id>", methods=["POST"])
@policy.guard("review.discuss")
def discussion_post(entry_id: int):
    entry = policy.load(RoundEntry, entry_id)
    form = DiscussionForm()
    if not form.validate_on_submit():
        flash(" ".join(form.body.errors) or _("Please write a message."), "danger")
        return _back(entry)
    try:
        deliberation.post(entry, current_actor(), form.body.data)
    except ReviewError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Your message was added to the discussion; the other participants were told."), "success")
    return _back(entry)


# --- revising a submitted review ----------------------------------------------------------------------------

@bp.route("/reviews/assignments/<int:assignment_id>/revise", methods=["GET", "POST"])
@policy.guard("review.view")
def review_revise(assignment_id: int):
    assignment = policy.load(Assignment, assignment_id, "review.revise")
    rubric = assignment.round.rubric
    if request.method == "GET":
        form = review_form(rubric, final=True, revising=True, data=reviewing.form_values(assignment.review))
    else:
        form = review_form(rubric, final=True, revising=True)
        if form.validate_on_submit():
            try:
                deliberation.revise(assignment, reviewing.form_input(form, rubric), current_actor(),
                                    form.reason.data or "")
            except ReviewError as error:
                db.session.rollback()
                flash(str(error), "danger")
            else:
                db.session.commit()
                flash(_("Your revised review was saved; your earlier scores stay in its history."), "success")
                return redirect(url_for("reviews.assignment_page", assignment_id=assignment_id))
        else:
            flash(_("Some answers are missing or not valid; they are marked below. Nothing was saved."), "danger")
    return render_template("reviews/review_form.html", assignment=assignment, view=blind_view(assignment),
                           form=form, rubric=rubric, decline_form=DeclineForm(), today=local_today(),
                           revising=True), 200 if request.method == "GET" else 400


# --- the lead reviewer and the meta-review -------------------------------------------------------------------

@bp.route("/reviews/rounds/<int:round_id>/projects/<int:project_id>/lead", methods=["POST"])
@policy.guard("reviews.admin")
def lead_designate(round_id: int, project_id: int):
    entry = services.entry_for(policy.load(ReviewRound, round_id), policy.load(Project, project_id))
    if entry is None:
        abort(404)
    form = LeadForm()
    form.expert_id.choices = choices((u.id, u.name) for u in lead.candidates(entry))
    expert = db.session.get(User, form.expert_id.data or 0) if form.validate_on_submit() else None
    try:
        if expert is None:
            raise ReviewError(_("Choose one of the experts assigned to this project."))
        lead.designate(entry, expert, current_actor())
    except ReviewError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The lead reviewer was designated and told."), "success")
    return _back(entry)


def _own_entry(assignment_id: int) -> tuple[Assignment, RoundEntry]:
    assignment = policy.load(Assignment, assignment_id, "review.view_others")
    entry = deliberation.entry_of(assignment)
    if entry is None:
        abort(404)
    return assignment, entry


def _to_review(assignment: Assignment):
    return redirect(url_for("reviews.assignment_page", assignment_id=assignment.id) + "#meta-title")


@bp.route("/reviews/assignments/<int:assignment_id>/meta", methods=["POST"])
@policy.guard("review.view")
def meta_write(assignment_id: int):
    assignment, entry = _own_entry(assignment_id)
    form = MetaReviewForm()
    try:
        if not form.validate_on_submit():
            raise ReviewError(" ".join(form.summary.errors) or _("Please write the meta-review."))
        lead.write_summary(entry, current_actor(), form.summary.data)
    except ReviewError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Your meta-review was saved; the other reviewers were asked to confirm it."), "success")
    return _to_review(assignment)


@bp.route("/reviews/assignments/<int:assignment_id>/meta/answer", methods=["POST"])
@policy.guard("review.view")
def meta_answer(assignment_id: int):
    assignment, entry = _own_entry(assignment_id)
    form = MetaAnswerForm()
    try:
        if not form.validate_on_submit():
            raise ReviewError(" ".join(form.agrees.errors + form.note.errors) or _("Please confirm or disagree."))
        lead.respond(entry, current_actor(), form.agrees.data == "yes", form.note.data or "")
    except ReviewError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Your answer to the meta-review was recorded."), "success")
    return _to_review(assignment)


# --- the quality of a review ---------------------------------------------------------------------------------

@bp.route("/reviews/reviews/<int:review_id>/quality", methods=["POST"])
@policy.guard("reviews.admin")
def review_quality(review_id: int):
    review = policy.load(Review, review_id)
    form = QualityForm()
    form.rating.choices = choices(quality.QUALITY_LABELS.items())
    assignment = review.assignment
    try:
        if not form.validate_on_submit():
            raise ReviewError(" ".join(form.note.errors) if form.note.errors and not form.rating.errors
                              else _("Choose one of the ratings offered."))
        quality.rate(review, form.rating.data, form.note.data or "", current_actor())
    except ReviewError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The review's quality was rated."), "success")
    return redirect(url_for("reviews.panel_project", round_id=assignment.round_id, project_id=assignment.project_id)
                    + f"#review-{review_id}")
