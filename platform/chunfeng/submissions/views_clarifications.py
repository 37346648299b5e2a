"""Clarification questions: the panel asks (an assigned expert from the review page, an administrator from the
project page), the clinician answers on the project page before the deadline."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import policy
from ..core.web import current_actor, next_from_request
from ..extensions import db
from . import clarifications, services
from .access import assigned_expert
from .forms import AnswerForm, ClarificationForm
from .models import Clarification, Project
from .routes import bp, render_project
from .views_supplements import unlink_all


def _ask_page(project: Project, form: ClarificationForm, back: str, code: int, message: str = ""):
    """The question form again, with what was wrong (blind: the project's title only)."""
    return render_template("submissions/ask.html", project=project, form=form, back=back, message=message), code


@bp.route("/<int:project_id>/clarifications", methods=["POST"])
@policy.guard("submission.ask")
def ask(project_id: int):
    project = policy.load(Project, project_id)
    form = ClarificationForm()
    back = next_from_request(url_for("submissions.project", project_id=project.id))
    if not clarifications.may_ask(project):
        return _ask_page(project, form, back, 409, _("Questions to the applicant can be asked only while the "
                                                     "project is under expert review."))
    if not form.validate_on_submit():
        return _ask_page(project, form, back, 400)
    try:
        item = clarifications.ask(project, current_actor(), form.question.data, form.due_on.data,
                                  as_expert=assigned_expert(current_user, project))
    except services.SubmissionError as error:
        db.session.rollback()
        return _ask_page(project, form, back, 400, str(error))
    db.session.commit()
    clarifications.mail_question(item)
    flash(_("Your question was sent to the applicant, who does not see your name. The answer is due by %(date)s.",
            date=item.due_on.isoformat()), "success")
    return redirect(back)


@bp.route("/<int:project_id>/clarifications/<int:clarification_id>/answer", methods=["POST"])
@policy.guard("submission.answer")
def answer(project_id: int, clarification_id: int):
    item = policy.load(Clarification, clarification_id)
    if item.project_id != project_id:
        abort(404)
    project = item.project
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_project(project, answer_form=form, answering=item.id, code=400)
    written = []
    uploads = [(upload.filename, upload.stream) for upload in form.chosen_files()]
    try:
        version = clarifications.answer(item, current_actor(), form.answer.data, uploads, written)
        db.session.commit()
    except clarifications.ClarificationClosed as error:
        db.session.rollback()
        unlink_all(written)
        flash(str(error), "warning")
        return render_project(project, code=409)
    except services.SubmissionError as error:
        db.session.rollback()
        unlink_all(written)
        target = form.file if isinstance(error, services.AttachmentRefused) else form.answer
        target.errors = [*target.errors, str(error)]
        return render_project(project, answer_form=form, answering=item.id, code=400)
    except (StaleDataError, IntegrityError):  # answered, or the project changed, in another request meanwhile
        db.session.rollback()
        unlink_all(written)
        flash(_("This question was answered or the project changed in another window meanwhile; nothing was saved "
                "from this form. Please reload the page."), "warning")
        return render_project(db.session.get(Project, project_id), code=409)
    flash(_("Thank you. Your answer was sent and added to the project as supplementary material (version "
            "%(num)d).", num=version.number), "success")
    return redirect(url_for("submissions.project", project_id=project_id, _anchor=f"clarification-{item.id}"))
