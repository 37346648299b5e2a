"""Supplementary material pages: the clinician's form (reason, changed answers, new files), the files a supplement
added as the assigned experts download them (neutral names), and what the experts' review page shows of the
supplements and questions (the template global `panel_material`, read by submissions/_panel_material.html)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import policy
from ..core.services import record
from ..core.web import current_actor
from ..extensions import db
from . import clarifications, services, supplements
from .access import owns
from .forms import ClarificationForm, SupplementForm
from .models import Project
from .routes import bp, send_stored
from .sections import SECTION_BY_KEY, SECTIONS, SUPPLEMENT_FIELDS


def unlink_all(paths) -> None:
    """Files written for a transaction that did not commit: no record points at them."""
    for path in paths:
        path.unlink(missing_ok=True)


def _render(project: Project, form, code: int = 200, stale: bool = False):
    groups = [(section, [form[name] for name in section.fields if name in SUPPLEMENT_FIELDS])
              for section in SECTIONS]
    return render_template(
        "submissions/supplement.html", project=project, form=form, stale=stale,
        groups=[(section, fields) for section, fields in groups if fields],
        limit=services.size_label(services.max_attachment_bytes())), code


@bp.route("/<int:project_id>/supplement", methods=["GET", "POST"])
@policy.guard("submission.view")
def supplement(project_id: int):
    project = policy.load(Project, project_id)
    if not owns(current_user, project):
        abort(404)
    form = SupplementForm(data={**services.project_fields(project), "lock_version": project.lock_version})
    if not policy.can(current_user, "submission.supplement", project):
        message = _("Supplementary material can be added only after submitting and before the decision, while "
                    "the project is not open for editing.")
        flash(message, "warning")
        if request.method == "POST":
            return _render(project, form, 409)
        return redirect(url_for("submissions.project", project_id=project.id))
    if not form.validate_on_submit():
        return _render(project, form, 400 if form.errors else 200)
    written = []
    uploads = [(upload.filename, upload.stream) for upload in form.chosen_files()]
    lock = form.lock_version.data
    try:
        version, created = supplements.supplement(
            project, current_actor(), form.reason.data, {name: form[name].data for name in SUPPLEMENT_FIELDS},
            uploads, lock, written)
        db.session.commit()
    except services.StaleProject:
        db.session.rollback()
        unlink_all(written)
        return _render(project, form, 409, stale=True)
    except services.SubmissionError as error:
        db.session.rollback()
        unlink_all(written)
        target = form.files if isinstance(error, services.AttachmentRefused) else form.reason
        target.errors = [*target.errors, str(error)]
        return _render(project, form, 400)
    except (StaleDataError, IntegrityError):  # another request saved first: its version stands
        db.session.rollback()
        unlink_all(written)
        project = policy.load(Project, project_id)
        if (version := services.already_supplemented(project, lock)) is None:
            return _render(project, form, 409, stale=True)
        created = False
    if created:
        flash(_("Saved as supplementary version %(num)d. The reviewing experts and the administrators were told; "
                "they see what changed.", num=version.number), "success")
    else:
        flash(_("This form was already saved as version %(num)d; nothing was added twice.", num=version.number),
              "info")
    return redirect(url_for("submissions.version", project_id=project.id, number=version.number))


@bp.route("/<int:project_id>/versions/<int:number>/added/<int:position>")
@policy.guard("submission.panel_material")
def panel_file(project_id: int, number: int, position: int):
    """A file a supplementary version added, for the experts reading the project: named by number only."""
    project = policy.load(Project, project_id)
    found = supplements.added_attachment(project, number, position)
    stored = services.attachment_path(found) if found is not None else None
    if stored is None or not stored.is_file():
        abort(404)
    record("attachment.viewed", project, actor=current_actor(), attachment_id=found.id, version=number)
    db.session.commit()
    extension = found.original_name.rsplit(".", 1)[-1].lower() if "." in found.original_name else "bin"
    return send_stored(stored, found.mime_type, f"supplement-v{number}-{position}.{extension}")


@bp.app_template_global()
def panel_material(project: Project, version=None) -> dict:
    """For an expert's review page: the supplements after the version under review (blind: no file names, no team
    section), the clarification questions and, while the project is under review, the form to ask one."""
    if project is None or not policy.can(current_user, "submission.panel_material", project):
        return {}
    may_ask = policy.can(current_user, "submission.ask", project) and clarifications.may_ask(project)
    return {
        "project": project,
        "supplements": supplements.supplements_of(project, after=version.number if version else 0, blind=True),
        "questions": clarifications.views(project, current_actor()),
        "ask_form": ClarificationForm(formdata=None, data={"due_on": clarifications.default_due(),
                                                           "next": request.path}) if may_ask else None,
        "section_labels": {key: section.label for key, section in SECTION_BY_KEY.items()},
    }
