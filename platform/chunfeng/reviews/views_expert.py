"""The expert's pages: my reviews, the invitation and conflict declaration, the blind review form, the other
reviews after submitting, the blind attachment download, and the expert profile with declared conflicts.
Nothing here reads the project's owner: project content comes from blind.blind_view only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import policy
from ..core.clock import local_today
from ..core.services import record
from ..core.web import current_actor
from ..extensions import db
from ..submissions.services import attachment_path
from . import assignment as assigning
from . import bids, conflicts, reminders, reviewing
from .aggregation import aggregate as combine
from .blind import attachment_for, blind_view
from .blueprint import bp
from .errors import ReviewError
from .forms import AcceptForm, ConflictForm, DeclineForm, ExpertProfileForm, review_form
from .models import Assignment, AssignmentStatus, DeclaredConflict, DeclineReason
from .panel import sheet, thresholds
from .views_deliberation import expert_context


@bp.route("/reviews/mine")
@policy.guard("review.expert")
def mine():
    return render_template("reviews/mine.html", assignments=reminders.my_assignments(current_actor()),
                           today=local_today(), bidding=bids.bidding_rounds())


# --- one assignment ----------------------------------------------------------------------------------------

@bp.route("/reviews/assignments/<int:assignment_id>")
@policy.guard("review.view")
def assignment_page(assignment_id: int):
    assignment = policy.load(Assignment, assignment_id)
    if assignment.status == AssignmentStatus.INVITED and policy.can(current_user, "review.respond", assignment):
        return _invitation(assignment, AcceptForm(), DeclineForm())
    if policy.can(current_user, "review.perform", assignment):
        return _form_page(assignment, _filled_form(assignment))
    return _read_only(assignment)


def _invitation(assignment: Assignment, accept_form: AcceptForm, decline_form: DeclineForm, status: int = 200):
    view = blind_view(assignment)
    return render_template("reviews/invitation.html", assignment=assignment, title=view.title,
                           summary=view.summary, accept_form=accept_form, decline_form=decline_form,
                           today=local_today()), status


def _filled_form(assignment: Assignment):
    return review_form(assignment.round.rubric, final=False, data=reviewing.form_values(assignment.review))


def _form_page(assignment: Assignment, form, status: int = 200):
    return render_template("reviews/review_form.html", assignment=assignment, view=blind_view(assignment),
                           form=form, rubric=assignment.round.rubric, decline_form=DeclineForm(),
                           today=local_today()), status


def _read_only(assignment: Assignment):
    peers, aggregate, labels = [], None, {}
    if policy.can(current_user, "review.view_others", assignment):
        peers = reviewing.submitted_peers(assignment)
        labels = reviewing.letters(reviewing.reviews_of_same_version(assignment))
        aggregate = combine([sheet(a) for a in peers], assignment.round.rubric.weights, thresholds(assignment.round))
    materials = policy.can(current_user, "review.materials", assignment)
    deliberating = expert_context(assignment) if assignment.status == AssignmentStatus.SUBMITTED else {}
    return render_template("reviews/review_done.html", assignment=assignment, rubric=assignment.round.rubric,
                           view=blind_view(assignment) if materials else None, peers=peers, labels=labels,
                           aggregate=aggregate, total=reviewing.total_of(assignment.review)
                           if assignment.review else None, **deliberating)


@bp.route("/reviews/assignments/<int:assignment_id>/accept", methods=["POST"])
@policy.guard("review.view")
def assignment_accept(assignment_id: int):
    assignment = policy.load(Assignment, assignment_id, "review.respond")
    form = AcceptForm()
    if not form.validate_on_submit():
        return _invitation(assignment, form, DeclineForm(), 400)
    try:
        assigning.accept(assignment, current_actor())
    except ReviewError as error:
        flash(str(error), "danger")
        return redirect(url_for("reviews.assignment_page", assignment_id=assignment_id))
    db.session.commit()
    flash(_("Thank you. The review form is open; your answers are saved as a draft until you submit."), "success")
    return redirect(url_for("reviews.assignment_page", assignment_id=assignment_id))


@bp.route("/reviews/assignments/<int:assignment_id>/decline", methods=["POST"])
@policy.guard("review.view")
def assignment_decline(assignment_id: int):
    assignment = policy.load(Assignment, assignment_id, "review.respond")
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            assigning.decline(assignment, current_actor(), DeclineReason(form.reason.data), form.note.data or "")
        except ReviewError as error:
            form.note.errors = [*form.note.errors, str(error)]
        else:
            db.session.commit()
            flash(_("You declined this review. The administrators have been told."), "info")
            return redirect(url_for("reviews.mine"))
    if assignment.status == AssignmentStatus.ACCEPTED:
        flash(" ".join(form.note.errors or form.reason.errors), "danger")
        return redirect(url_for("reviews.assignment_page", assignment_id=assignment_id))
    return _invitation(assignment, AcceptForm(), form, 400)


@bp.route("/reviews/assignments/<int:assignment_id>/review", methods=["POST"])
@policy.guard("review.view")
def review_save(assignment_id: int):
    assignment = policy.load(Assignment, assignment_id)
    if not policy.can(current_user, "review.perform", assignment):
        flash(_("This review is locked and can no longer be changed."), "warning")
        return redirect(url_for("reviews.assignment_page", assignment_id=assignment_id))
    submitting = request.form.get("action") == "submit"
    form = review_form(assignment.round.rubric, final=submitting)
    if not form.validate_on_submit():
        flash(_("Some answers are missing or not valid; they are marked below. Nothing was submitted."), "danger")
        return _form_page(assignment, form, 400)
    try:
        _save_once_more_on_a_clash(assignment, _input(form, assignment), submitting)
    except ReviewError as error:
        flash(str(error), "danger")
        return _form_page(assignment, form, 400)
    if submitting:
        flash(_("Your review was submitted and is now locked. You can read the other experts' reviews."), "success")
    else:
        flash(_("Draft saved."), "success")
    return redirect(url_for("reviews.assignment_page", assignment_id=assignment_id))


def _save_once_more_on_a_clash(assignment: Assignment, answers: reviewing.ReviewInput, submitting: bool) -> None:
    """A save that met another save of the same review (the database refused a second copy of a score) is
    repeated once on what the other stored; it never fails the request."""
    try:
        reviewing.save(assignment, answers, current_actor(), submit=submitting)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        reviewing.save(db.session.get(Assignment, assignment.id), answers, current_actor(), submit=submitting)
        db.session.commit()


def _input(form, assignment: Assignment) -> reviewing.ReviewInput:
    return reviewing.form_input(form, assignment.round.rubric)


@bp.route("/reviews/assignments/<int:assignment_id>/materials/<int:number>")
@policy.guard("review.view")
def material(assignment_id: int, number: int):
    """An attachment of the version under review, under a neutral name (file names often carry a name)."""
    assignment = policy.load(Assignment, assignment_id, "review.materials")
    attachment = attachment_for(assignment, number)
    if attachment is None:
        abort(404)
    record("attachment.viewed", assignment.project, actor=current_actor(), attachment_id=attachment.id,
           assignment_id=assignment.id)
    db.session.commit()
    extension = attachment.original_name.rsplit(".", 1)[-1].lower() if "." in attachment.original_name else "bin"
    return send_file(attachment_path(attachment), mimetype=attachment.mime_type, as_attachment=True,
                     download_name=f"attachment-{number}.{extension}")


# --- the expert's profile and declared conflicts -------------------------------------------------------------

@bp.route("/reviews/profile", methods=["GET", "POST"])
@policy.guard("expert.profile")
def profile():
    mine_ = assigning.profile_of(current_actor())
    form = ExpertProfileForm(obj=mine_)
    if form.validate_on_submit():
        form.populate_obj(mine_)
        assigning.profile_saved(mine_, current_actor())
        db.session.commit()
        flash(_("Your expert profile was saved."), "success")
        return redirect(url_for("reviews.profile"))
    return _profile_page(form, ConflictForm())


def _profile_page(form: ExpertProfileForm, conflict_form: ConflictForm, status: int = 200):
    return render_template("reviews/profile.html", form=form, conflict_form=conflict_form,
                           conflicts=conflicts.declared_conflicts(current_actor())), status


@bp.route("/reviews/profile/conflicts", methods=["POST"])
@policy.guard("expert.profile")
def conflict_add():
    form = ConflictForm()
    if form.validate_on_submit():
        conflicts.declare_organisation(current_actor(), form.organization_name.data, form.reason.data)
        db.session.commit()
        flash(_("Your declaration was recorded: projects from this organisation will not be assigned to you."),
              "success")
        return redirect(url_for("reviews.profile"))
    return _profile_page(ExpertProfileForm(obj=assigning.profile_of(current_actor())), form, 400)


@bp.route("/reviews/profile/conflicts/<int:conflict_id>/delete", methods=["POST"])
@policy.guard("expert.declaration")
def conflict_delete(conflict_id: int):
    conflict = policy.load(DeclaredConflict, conflict_id)
    try:
        conflicts.withdraw_declaration(conflict, current_actor())
    except ReviewError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The declaration was removed."), "info")
    return redirect(url_for("reviews.profile"))
