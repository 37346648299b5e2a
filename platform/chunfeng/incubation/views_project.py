"""One project's incubation: its page with the plan and the service record, questions and answers, the success
story consent, the milestone pages and documents, and the public success stories."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import policy
from ..core import hooks
from ..core.clock import local_today
from ..core.web import current_actor
from ..db import db
from ..forms import choices
from . import documents, involvement, milestones, service_record, starting, stories, tracking
from .blueprint import bp, saved
from .forms import (
    AnswerForm,
    ConsentForm,
    EntryForm,
    MilestoneForm,
    OfficerForm,
    QuestionForm,
    TransitionForm,
    officer_choices,
)
from .models import (
    Audience,
    Incubation,
    IncubationStatus,
    Milestone,
    MilestoneDocument,
    MilestoneStatus,
    ServiceEntry,
)
from .plan import EXEMPTION_HINT, KEY_LABELS, MILESTONE_STATUS_LABELS, SKIPPABLE


def _incubation(project_id: int) -> Incubation:
    """The project's incubation, authorized for the action the view's guard names (404 if none or not allowed)."""
    return policy.load(Incubation, starting.incubation_id_for(project_id))


def _organization_choices(incubation: Incubation, everyone_label="") -> list:
    return choices([("", everyone_label)] + [(str(o.id), o.name)
                                             for o in involvement.granted_organizations(incubation.project)])


def _project_page(incubation: Incubation, status: int = 200, **forms):
    user = current_actor()
    role = involvement.viewer_role(user, incubation)
    is_staff = role == involvement.STAFF
    entry_form = forms.get("entry_form") or EntryForm(formdata=None, occurred_on=local_today())
    if is_staff:
        entry_form.organization.choices = _organization_choices(incubation, _l("Every connected company"))
    officer_form = forms.get("officer_form") or OfficerForm(
        formdata=None, officer=str(incubation.officer_id or ""))
    officer_form.officer.choices = officer_choices(involvement.active_officers())
    answer_forms = forms.get("answer_forms", {})
    return render_template(
        "incubation/project.html", incubation=incubation, project=incubation.project, role=role,
        is_staff=is_staff, plan=tracking.plan(incubation), entries=involvement.visible_entries(incubation, user),
        timeline=tracking.project_timeline(incubation.project),
        allowed_events={m.id: milestones.allowed_events(m) for m in incubation.milestones} if is_staff else {},
        entry_form=entry_form, officer_form=officer_form,
        question_form=forms.get("question_form") or QuestionForm(formdata=None),
        answer_form_for=lambda entry: answer_forms.get(entry.id) or AnswerForm(formdata=None, prefix=f"a{entry.id}"),
        consent_form=ConsentForm(formdata=None, consent=incubation.success_story_consent),
        consent_text=stories.CONSENT_TEXT, skippable=SKIPPABLE, exemption_hint=EXEMPTION_HINT,
        can_ask=involvement.can_ask(user, incubation), Audience=Audience, today=local_today(),
        sections=hooks.collect(hooks.incubation_sections, user=user, incubation=incubation),
    ), status


def _back_to_record(project_id: int, anchor: str = "service-record"):
    return redirect(url_for("incubation.project", project_id=project_id, _anchor=anchor))


@bp.route("/incubation/project/<int:project_id>")
@policy.guard("incubation.view")
def project(project_id: int):
    return _project_page(_incubation(project_id))


@bp.route("/incubation/project/<int:project_id>/entries", methods=["POST"])
@policy.guard("incubation.edit")
def add_entry(project_id: int):
    incubation = _incubation(project_id)
    form = EntryForm()
    form.organization.choices = _organization_choices(incubation)
    if form.validate_on_submit() and saved(
            lambda: service_record.add_entry(
                incubation, current_actor(), kind=form.kind.data, audience=form.audience.data, text=form.text.data,
                occurred_on=form.occurred_on.data,
                organization_id=int(form.organization.data) if form.organization.data else None),
            form, _("The entry has been added to the service record.")):
        return _back_to_record(project_id)
    return _project_page(incubation, 400, entry_form=form)


@bp.route("/incubation/project/<int:project_id>/questions", methods=["POST"])
@policy.guard("incubation.ask")
def ask(project_id: int):
    incubation = _incubation(project_id)
    form = QuestionForm()
    if form.validate_on_submit() and saved(
            lambda: service_record.ask_question(incubation, current_actor(), form.question.data),
            form, _("Your question has been sent to the service officer.")):
        return _back_to_record(project_id)
    return _project_page(incubation, 400, question_form=form)


@bp.route("/incubation/entry/<int:entry_id>/answer", methods=["POST"])
@policy.guard("incubation.edit")
def answer(entry_id: int):
    entry = policy.load(ServiceEntry, entry_id)
    form = AnswerForm(prefix=f"a{entry.id}")
    if form.validate_on_submit():
        saved(lambda: service_record.answer_question(entry, current_actor(), form.answer.data), None,
              _("The answer has been sent."))
        return _back_to_record(entry.incubation.project_id, f"entry-{entry.id}")
    return _project_page(entry.incubation, 400, answer_forms={entry.id: form})


@bp.route("/incubation/project/<int:project_id>/success-story", methods=["POST"])
@policy.guard("incubation.consent")
def consent(project_id: int):
    incubation = _incubation(project_id)
    form = ConsentForm()
    if form.validate_on_submit():
        saved(lambda: stories.set_success_story_consent(incubation, current_actor(), bool(form.consent.data)), None,
              _("Thank you: your consent has been recorded.") if form.consent.data
              else _("Your consent has been withdrawn; the project is not shown as a success story."))
    return _back_to_record(project_id, "success-story")


# --- milestones -----------------------------------------------------------------------------------------

def _milestone_page(milestone: Milestone, status: int = 200, form=None, transition_form=None):
    incubation = milestone.incubation
    view = next(v for v in tracking.plan(incubation) if v.milestone.id == milestone.id)
    return render_template(
        "incubation/milestone.html", milestone=milestone, view=view, incubation=incubation,
        project=incubation.project, form=form or MilestoneForm(formdata=None, obj=milestone),
        transition_form=transition_form or TransitionForm(formdata=None),
        events=milestones.allowed_events(milestone) if incubation.status == IncubationStatus.ACTIVE else [],
        exemption_hint=EXEMPTION_HINT if milestone.key in SKIPPABLE else None,
    ), status


def _changed(milestone: Milestone) -> str:
    """What a status change did, for the officer: the step's new status and the step it started, if any."""
    said = _("%(step)s: %(status)s.", step=KEY_LABELS[milestone.key], status=MILESTONE_STATUS_LABELS[milestone.status])
    following = milestones.next_step(milestone) if milestone.status == MilestoneStatus.DONE else None
    if following is not None and following.status == MilestoneStatus.IN_PROGRESS:
        said += " " + _("The next step, %(step)s, is now in progress.", step=KEY_LABELS[following.key])
    return said


def _saved(milestone: Milestone, with_document: bool, done: bool) -> str:
    said = _("The milestone and its document have been saved.") if with_document else _("The milestone has been saved.")
    return f"{said} {_changed(milestone)}" if done else said


def _back_to_plan(milestone: Milestone):
    return _back_to_record(milestone.incubation.project_id, f"milestone-{milestone.id}")


@bp.route("/incubation/milestone/<int:milestone_id>", methods=["GET", "POST"])
@policy.guard("incubation.edit")
def milestone(milestone_id: int):
    milestone = policy.load(Milestone, milestone_id)
    form = MilestoneForm(obj=milestone) if request.method == "GET" else MilestoneForm()
    upload = form.upload if request.method == "POST" else None
    if form.validate_on_submit() and saved(
            lambda: milestones.save_step(
                milestone, current_actor(), upload, planned_start=form.planned_start.data,
                planned_due=form.planned_due.data, owner=form.owner.data or "", notes=form.notes.data or "",
                actual_start=form.actual_start.data, actual_done=form.actual_done.data,
                mark_done=bool(form.mark_done.data)),
            form, lambda: _saved(milestone, upload is not None, bool(form.mark_done.data))):
        return _back_to_plan(milestone)
    return _milestone_page(milestone, 400 if request.method == "POST" else 200, form=form)


@bp.route("/incubation/milestone/<int:milestone_id>/status", methods=["POST"])
@policy.guard("incubation.edit")
def transition(milestone_id: int):
    milestone = policy.load(Milestone, milestone_id)
    form = TransitionForm()
    if form.validate_on_submit() and saved(
            lambda: milestones.change_milestone(milestone, form.event.data, current_actor(), on=form.on.data), None,
            lambda: _changed(milestone)):
        return _back_to_plan(milestone)
    return _milestone_page(milestone, 400, transition_form=form)


@bp.route("/incubation/document/<int:document_id>")
@policy.guard("incubation.view")
def document(document_id: int):
    found = policy.load(MilestoneDocument, document_id)
    path = documents.path_for(found.stored_name)
    if not path.is_file():
        abort(404)
    documents.record_download(found, current_actor())
    db.session.commit()
    response = send_file(path, mimetype=found.mime_type, as_attachment=True,
                         download_name=documents.download_name(found), max_age=0, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- public ---------------------------------------------------------------------------------------------

@bp.route("/results/success-stories")
@policy.public
def success_stories():
    return render_template("incubation/success_stories.html", stories=stories.success_stories())
