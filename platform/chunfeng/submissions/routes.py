"""Idea intake pages: my projects, one form per section, submit, versions and receipts, attachments, withdraw."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import policy
from ..core.services import record
from ..core.shell import NavItem, Offer, Panel
from ..core.web import current_actor
from ..extensions import db
from . import clarifications, drafts, services, supplements
from .forms import (
    SECTION_FORMS,
    SPECIALTIES,
    AnswerForm,
    AttachmentForm,
    ClarificationForm,
    DeleteDraftForm,
    NewProjectForm,
    SubmitForm,
    WithdrawForm,
)
from .models import Project
from .sections import SECTION_BY_KEY, SECTIONS, display_sections
from .status import STATUS_LABELS

bp = Blueprint("submissions", __name__, url_prefix="/projects")


@bp.app_template_global()
def status_label(status) -> str:
    """The clinician-facing name of a project status (also for macros imported without context)."""
    return STATUS_LABELS.get(status, status)


def _note_confidential_view(project: Project, what: str, **detail) -> None:
    """Every view of confidential material by someone other than its owner goes to the audit log."""
    if project.owner_id != current_user.id:
        record("project.confidential_viewed", project, actor=current_actor(), page=what, **detail)
        db.session.commit()


def _back_to(project: Project):
    return redirect(url_for("submissions.project", project_id=project.id))


# --- my projects and a new one ---------------------------------------------------------------------------

@bp.route("/")
@policy.guard("submission.mine")
def mine():
    projects, withdrawn = drafts.set_aside(services.projects_of(current_actor()))
    return render_template("submissions/mine.html", projects=projects, withdrawn=withdrawn)


@bp.route("/new", methods=["GET", "POST"])
@policy.guard("submission.create")
def new():
    form = NewProjectForm(data={"specialty": current_user.department})
    if form.validate_on_submit():
        project = services.create_project(current_actor(), form.data)
        db.session.commit()
        flash(_("The project was created and saved as a draft. Continue with the next section."), "success")
        return redirect(url_for("submissions.section", project_id=project.id, key="need"))
    return render_template("submissions/new.html", form=form, specialties=SPECIALTIES), 400 if form.errors else 200


# --- the project page and its sections ---------------------------------------------------------------------

@bp.route("/<int:project_id>")
@policy.guard("submission.view")
def project(project_id: int):
    project = policy.load(Project, project_id)
    return render_project(project)


def render_project(project: Project, missing=None, code: int = 200, answer_form=None, answering: int | None = None):
    """The project page; `answer_form` with `answering` (a clarification's id) shows that answer form again with
    its errors."""
    confidential = policy.can(current_user, "submission.view_confidential", project)
    editable = policy.can(current_user, "submission.edit", project)
    if missing is None:
        missing = services.missing_items(project) if editable else []
    page = render_template(
        "submissions/project.html", project=project, confidential=confidential, editable=editable,
        shown=display_sections(services.project_fields(project), confidential, {item.field for item in missing}),
        steps=services.timeline(project), history=services.history(project),
        states=services.section_states(project) if editable else {}, missing=missing,
        submit_form=SubmitForm(data={"lock_version": project.lock_version}),
        similar=services.similar_for(current_actor(), project) if project.versions and policy.can(
            current_user, "submission.versions", project) else [],
        sections=SECTIONS, links=services.project_links(current_actor(), project),
        supplements=supplements.supplements_of(project) if policy.can(
            current_user, "submission.versions", project) else [],
        questions=clarifications.views(project, current_actor()) if policy.can(
            current_user, "submission.clarifications", project) else [],
        answer_form=answer_form or AnswerForm(formdata=None), answering=answering,
        ask_form=ClarificationForm(formdata=None, data={"due_on": clarifications.default_due()}) if policy.can(
            current_user, "submission.ask", project) and clarifications.may_ask(project) else None,
    )
    if confidential:
        _note_confidential_view(project, "project")
    return page, code


@bp.route("/<int:project_id>/sections/<key>", methods=["GET", "POST"])
@policy.guard("submission.view")
def section(project_id: int, key: str):
    project = policy.load(Project, project_id)
    if key not in SECTION_BY_KEY:
        abort(404)
    if not policy.can(current_user, "submission.edit", project):
        if request.method == "POST" and key in SECTION_FORMS:  # e.g. submitted from another window meanwhile
            return _render_section(project, key, SECTION_FORMS[key](), stale=True), 409
        flash(_("This project cannot be edited in its current status."), "warning")
        return _back_to(project)
    if key == "attachments":
        return _render_attachments(project, AttachmentForm())
    form = SECTION_FORMS[key](data={**services.project_fields(project), "lock_version": project.lock_version})
    if form.validate_on_submit():
        try:
            services.save_section(project, key, form.data, form.lock_version.data)
            db.session.commit()
        except (services.StaleProject, StaleDataError):
            db.session.rollback()
            return _render_section(project, key, form, stale=True), 409
        flash(_("Saved as a draft."), "success")
        return redirect(_after_save(project, key))
    return _render_section(project, key, form), 400 if form.errors else 200


def _after_save(project: Project, key: str) -> str:
    """Save and continue: to the next section, and from the last one to the overview where the clinician submits."""
    keys = [section.key for section in SECTIONS]
    if not request.form.get("next"):
        return url_for("submissions.section", project_id=project.id, key=key)
    if keys.index(key) + 1 < len(keys):
        return url_for("submissions.section", project_id=project.id, key=keys[keys.index(key) + 1])
    return url_for("submissions.project", project_id=project.id)


def _render_section(project: Project, key: str, form, stale: bool = False, **extra):
    return render_template(
        "submissions/section.html", project=project, section=SECTION_BY_KEY[key], form=form, stale=stale,
        sections=SECTIONS, states=services.section_states(project), specialties=SPECIALTIES, **extra)


@bp.route("/<int:project_id>/submit", methods=["POST"])
@policy.guard("submission.view")
def submit(project_id: int):
    project = policy.load(Project, project_id)
    form = SubmitForm()
    lock = form.lock_version.data
    if (version := services.already_submitted(project, lock)) is not None:
        return _submitted(project, version, created=False)
    if not policy.can(current_user, "submission.submit", project):
        flash(_("This project cannot be submitted in its current status."), "warning")
        return _back_to(project)
    try:
        version, created = services.submit(project, current_actor(), lock)
        db.session.commit()
    except services.Incomplete as error:
        db.session.rollback()
        flash(str(error), "danger")
        return render_project(project, missing=error.missing, code=422)
    except services.StaleProject as error:
        db.session.rollback()
        flash(str(error), "warning")
        return _back_to(project)
    except (StaleDataError, IntegrityError):  # a second request won the race: its version stands
        db.session.rollback()
        project = policy.load(Project, project_id)
        if (version := services.already_submitted(project, lock)) is None:
            raise
        created = False
    return _submitted(project, version, created)


def _submitted(project: Project, version, created: bool):
    if created:
        flash(_("Submitted as version %(num)d. Keep the receipt: its SHA-256 digest and server time are your "
                "evidence of what you submitted and when.", num=version.number), "success")
    else:
        flash(_("This form was already submitted as version %(num)d; nothing was submitted twice.",
                num=version.number), "info")
    return _back_to(project)


@bp.route("/<int:project_id>/withdraw", methods=["GET", "POST"])
@policy.guard("submission.view")
def withdraw(project_id: int):
    project = policy.load(Project, project_id, "submission.withdraw")
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw(project, current_actor(), form.reason.data)
        db.session.commit()
        flash(_("The project was withdrawn."), "info")
        return _back_to(project)
    return render_template("submissions/withdraw.html", project=project, form=form), 400 if form.errors else 200


@bp.route("/<int:project_id>/delete", methods=["GET", "POST"])
@policy.guard("submission.view")
def delete_draft(project_id: int):
    """A draft never sent is deleted with its attachments (asked to confirm first); a sent project is withdrawn."""
    project = policy.load(Project, project_id, "submission.delete")
    form = DeleteDraftForm()
    if form.validate_on_submit():
        title = project.title or _("Untitled project")
        files = drafts.delete_draft(project, current_actor())
        db.session.commit()
        for path in files:
            path.unlink(missing_ok=True)
        flash(_("The draft “%(title)s” was deleted.", title=title), "info")
        return redirect(url_for("submissions.mine"))
    return render_template("submissions/delete.html", project=project, form=form)


# --- versions and receipts ---------------------------------------------------------------------------------

def _version(project_id: int, number: int):
    project = policy.load(Project, project_id)
    version = services.version_by_number(project, number)
    if version is None:
        abort(404)
    return project, version


@bp.route("/<int:project_id>/versions")
@policy.guard("submission.versions")
def versions(project_id: int):
    project = policy.load(Project, project_id)
    return render_template("submissions/versions.html", project=project)


@bp.route("/<int:project_id>/versions/<int:number>")
@policy.guard("submission.versions")
def version(project_id: int, number: int):
    project, version = _version(project_id, number)
    previous = services.version_by_number(project, number - 1)
    current_files = {(a.id, a.sha256) for a in project.attachments}
    page = render_template(
        "submissions/version.html", project=project, version=version,
        shown=display_sections(version.content.get("fields", {}), confidential=True),
        changed=services.changed_sections(previous, version), current_files=current_files,
        section_labels={s.key: s.label for s in SECTIONS},
        supplement=supplements.describe(project, version) if version.is_supplement else None)
    _note_confidential_view(project, "version", version=number)
    return page


@bp.route("/<int:project_id>/versions/<int:number>/receipt")
@policy.guard("submission.versions")
def receipt(project_id: int, number: int):
    project, version = _version(project_id, number)
    return render_template("submissions/receipt.html", project=project, version=version)


@bp.route("/<int:project_id>/versions/<int:number>/canonical.json")
@policy.guard("submission.versions")
def canonical(project_id: int, number: int):
    project, version = _version(project_id, number)
    _note_confidential_view(project, "canonical_json", version=number)
    response = Response(services.canonical_json(version.content), mimetype="application/json")
    response.headers["Content-Disposition"] = f"attachment; filename=chunfeng-project-{project.id}-v{number}.json"
    return response


# --- attachments -----------------------------------------------------------------------------------------

def _render_attachments(project: Project, form, code: int = 200):
    limit = services.size_label(services.max_attachment_bytes())
    return _render_section(project, "attachments", form, limit=limit), code


@bp.route("/<int:project_id>/attachments", methods=["POST"])
@policy.guard("submission.view")
def upload(project_id: int):
    project = policy.load(Project, project_id, "submission.edit")
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _render_attachments(project, form, 400)
    upload_file = form.file.data
    try:
        attachment = services.add_attachment(project, upload_file.filename, upload_file.stream, current_actor())
    except services.AttachmentRefused as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, str(error)]
        return _render_attachments(project, form, 400)
    stored, name = services.attachment_path(attachment), attachment.original_name
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        stored.unlink(missing_ok=True)  # no record points at it
        raise
    flash(_("“%(name)s” was attached.", name=name), "success")
    return redirect(url_for("submissions.section", project_id=project.id, key="attachments"))


@bp.route("/<int:project_id>/attachments/<int:attachment_id>")
@policy.guard("submission.attachment")
def attachment(project_id: int, attachment_id: int):
    project = policy.load(Project, project_id)
    found = services.find_attachment(project, attachment_id)
    if found is None:
        abort(404)
    stored = services.attachment_path(found)
    if not stored.is_file():
        abort(404)
    _note_confidential_view(project, "attachment", attachment_id=found.id)
    return send_stored(stored, found.mime_type, found.original_name)


def send_stored(stored, mime_type: str, download_name: str):
    """A stored upload as a download that never renders in the browser nor stays in a cache."""
    response = send_file(stored, mimetype=mime_type, as_attachment=True, download_name=download_name, max_age=0,
                         etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:project_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@policy.guard("submission.view")
def delete_attachment(project_id: int, attachment_id: int):
    project = policy.load(Project, project_id, "submission.edit")
    found = services.find_attachment(project, attachment_id)
    if found is None:
        abort(404)
    name = found.original_name
    path = services.remove_attachment(found, current_actor())
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("“%(name)s” was deleted.", name=name), "info")
    return redirect(url_for("submissions.section", project_id=project.id, key="attachments"))


NAV = Offer(
    NavItem("submissions.mine", _l("My projects"), "submission.mine", order=10),
)
PANELS = Offer(
    Panel("submissions/panel.html", "submission.mine", services.panel_context, order=10),
)
