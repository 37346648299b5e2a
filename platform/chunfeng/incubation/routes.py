from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import policy
from ..core.shell import NavItem, Offer, Panel
from ..db import db
from ..forms import choices
from ..submissions.models import DEVICE_CLASS_LABELS, PATHWAY_LABELS, Pathway, Project
from ..submissions.status import STATUS_LABELS, TIMELINE, timeline_position
from . import documents, panels, services, timers
from .forms import (
    ALL_PATHWAYS,
    AnswerForm,
    ConsentForm,
    DocumentForm,
    EntryForm,
    MilestoneForm,
    OfficerForm,
    QuestionForm,
    StartIncubationForm,
    TargetForm,
    TransitionForm,
    officer_choices,
)
from .milestones import EVENT_LABELS, allowed_events
from .models import Audience, Incubation, IncubationStatus, Milestone, MilestoneDocument, ServiceEntry
from .plan import (
    AUDIENCE_LABELS,
    EXEMPTION_HINT,
    KEY_LABELS,
    KIND_LABELS,
    MILESTONE_STATUS_LABELS,
    PLAN_KEYS,
    SKIPPABLE,
)

bp = Blueprint("incubation", __name__)


LABELS = {
    "key": KEY_LABELS, "milestone_status": MILESTONE_STATUS_LABELS, "kind": KIND_LABELS, "audience": AUDIENCE_LABELS,
    "pathway": PATHWAY_LABELS, "event": EVENT_LABELS, "project_status": STATUS_LABELS,
    "device_class": DEVICE_CLASS_LABELS,
}


@bp.app_context_processor
def incubation_labels():
    return {"incubation_labels": LABELS}


def _user():
    return current_user._get_current_object()


def _incubation_of_project(project_id: int, action: str = "incubation.view") -> Incubation:
    incubation = services.incubation_for(project_id)
    if incubation is None:
        abort(404)
    policy.authorize(action, incubation)
    return incubation


def _milestone(milestone_id: int) -> Milestone:
    milestone = db.get_or_404(Milestone, milestone_id)
    policy.authorize("incubation.edit", milestone.incubation)
    return milestone


def _failed(error: services.IncubationError, form=None) -> None:
    """Show a refusal next to its field when the form has it, else as a message."""
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "danger")


# --- officer and administrator lists --------------------------------------------------------------------

@bp.route("/incubation/mine")
@policy.guard("incubation.officer")
def officer_list():
    return render_template("incubation/officer_list.html", rows=services.officer_rows(_user()),
                           today=services.today())


def _start_form(project: Project, officers, form: StartIncubationForm | None = None) -> StartIncubationForm:
    if form is None:
        form = StartIncubationForm(formdata=None, prefix=f"p{project.id}")
        form.pathway.data = services.recommended_pathways(project)[0].value
    form.officer.choices = officer_choices(officers)
    return form


def _admin_page(status: int = 200, failed: tuple[int, StartIncubationForm] | None = None):
    officers = services.active_officers()
    officer_id = request.args.get("officer", type=int)
    overdue_only = request.args.get("overdue") == "1"
    eligible = services.eligible_projects()
    forms = {p.id: _start_form(p, officers, failed[1] if failed and failed[0] == p.id else None) for p in eligible}
    return render_template(
        "incubation/admin_list.html", rows=services.admin_rows(officer_id=officer_id, overdue_only=overdue_only),
        eligible=eligible, start_forms=forms, recommended={p.id: services.recommended_pathways(p) for p in eligible},
        officers=services.officers_with_load(), officer_id=officer_id, overdue_only=overdue_only,
        today=services.today(),
    ), status


@bp.route("/incubation/admin")
@policy.guard("incubation.admin")
def admin_list():
    return _admin_page()


@bp.route("/incubation/admin/start/<int:project_id>", methods=["POST"])
@policy.guard("incubation.admin")
def start(project_id: int):
    project = db.get_or_404(Project, project_id)
    form = StartIncubationForm(prefix=f"p{project.id}")
    form.officer.choices = officer_choices(services.active_officers())
    if form.validate_on_submit():
        try:
            services.start_incubation(project, int(form.officer.data), Pathway(form.pathway.data), _user(),
                                      start=form.start.data)
        except services.IncubationError as error:
            db.session.rollback()
            _failed(error, form)
        else:
            db.session.commit()
            flash(_("Incubation started: the pathway plan has been created and the officer notified."), "success")
            return redirect(url_for("incubation.project", project_id=project.id))
    return _admin_page(400, failed=(project.id, form))


@bp.route("/incubation/<int:incubation_id>/officer", methods=["POST"])
@policy.guard("incubation.admin")
def reassign(incubation_id: int):
    incubation = db.get_or_404(Incubation, incubation_id)
    form = OfficerForm()
    form.officer.choices = officer_choices(services.active_officers())
    if form.validate_on_submit():
        try:
            services.assign_officer(incubation, int(form.officer.data), _user())
        except services.IncubationError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The service officer has been changed."), "success")
    else:
        flash(_("Please choose a service officer."), "danger")
    return redirect(url_for("incubation.project", project_id=incubation.project_id))


@bp.route("/incubation/admin/targets", methods=["GET", "POST"])
@policy.guard("incubation.admin")
def targets():
    form = TargetForm()
    status = 200
    if form.validate_on_submit():
        pathways = list(Pathway) if form.pathway.data == ALL_PATHWAYS else [Pathway(form.pathway.data)]
        try:
            services.set_target(form.key.data, pathways, form.percent.data, form.days.data, _user())
        except services.IncubationError as error:
            _failed(error, form)
            status = 400
        else:
            db.session.commit()
            flash(_("The target has been saved. Timers use it from now on."), "success")
            return redirect(url_for("incubation.targets"))
    elif form.is_submitted():
        status = 400
    book = services.TargetBook()
    table = [(key, [(pathway, book.describe(key, pathway)) for pathway in Pathway]) for key in PLAN_KEYS]
    return render_template("incubation/targets.html", form=form, table=table, pathways=list(Pathway),
                           statutory=timers.STATUTORY_LIMITS), status


@bp.route("/incubation/admin/figures")
@policy.guard("incubation.admin")
def figures():
    return render_template("incubation/figures.html", figures=services.figures(), keys=PLAN_KEYS)


# --- one project's incubation ---------------------------------------------------------------------------

def _project_page(incubation: Incubation, status: int = 200, **forms):
    user = _user()
    role = services.viewer_role(user, incubation)
    is_staff = role == "staff"
    entry_form = forms.get("entry_form") or EntryForm(formdata=None, occurred_on=services.today())
    connected = []
    if is_staff:
        connected = _connected_organizations(incubation)
        entry_form.organization.choices = choices(
            [("", _l("Every connected company"))] + [(str(o.id), o.name) for o in connected])
    officer_form = forms.get("officer_form") or OfficerForm(
        formdata=None, officer=str(incubation.officer_id or ""))
    officer_form.officer.choices = officer_choices(services.active_officers())
    answer_forms = forms.get("answer_forms", {})
    return render_template(
        "incubation/project.html", incubation=incubation, project=incubation.project, role=role,
        is_staff=is_staff, plan=services.plan(incubation), entries=services.visible_entries(incubation, user),
        timeline=TIMELINE, position=timeline_position(incubation.project.status),
        allowed_events={m.id: allowed_events(m) for m in incubation.milestones} if is_staff else {},
        entry_form=entry_form, officer_form=officer_form,
        question_form=forms.get("question_form") or QuestionForm(formdata=None),
        answer_form_for=lambda entry: answer_forms.get(entry.id) or AnswerForm(formdata=None, prefix=f"a{entry.id}"),
        consent_form=ConsentForm(formdata=None, consent=incubation.success_story_consent),
        consent_text=services.CONSENT_TEXT, skippable=SKIPPABLE, exemption_hint=EXEMPTION_HINT,
        can_ask=services.can_ask(user, incubation), Audience=Audience, today=services.today(),
    ), status


def _connected_organizations(incubation: Incubation):
    from ..accounts.models import Organization

    ids = services.connected_organization_ids(incubation.project)
    return db.session.scalars(db.select(Organization).where(Organization.id.in_(ids)).order_by(
        Organization.name)).all() if ids else []


@bp.route("/incubation/project/<int:project_id>")
@policy.guard("incubation.view")
def project(project_id: int):
    return _project_page(_incubation_of_project(project_id))


@bp.route("/incubation/project/<int:project_id>/entries", methods=["POST"])
@policy.guard("incubation.edit")
def add_entry(project_id: int):
    incubation = _incubation_of_project(project_id, "incubation.edit")
    form = EntryForm()
    form.organization.choices = choices(
        [("", "")] + [(str(o.id), o.name) for o in _connected_organizations(incubation)])
    if form.validate_on_submit():
        try:
            services.add_entry(incubation, _user(), kind=form.kind.data, audience=form.audience.data,
                               text=form.text.data, occurred_on=form.occurred_on.data,
                               organization_id=int(form.organization.data) if form.organization.data else None)
        except services.IncubationError as error:
            db.session.rollback()
            _failed(error, form)
        else:
            db.session.commit()
            flash(_("The entry has been added to the service record."), "success")
            return redirect(url_for("incubation.project", project_id=project_id, _anchor="service-record"))
    return _project_page(incubation, 400, entry_form=form)


@bp.route("/incubation/project/<int:project_id>/questions", methods=["POST"])
@policy.guard("incubation.ask")
def ask(project_id: int):
    incubation = _incubation_of_project(project_id, "incubation.ask")
    form = QuestionForm()
    if form.validate_on_submit():
        services.ask_question(incubation, _user(), form.question.data)
        db.session.commit()
        flash(_("Your question has been sent to the service officer."), "success")
        return redirect(url_for("incubation.project", project_id=project_id, _anchor="service-record"))
    return _project_page(incubation, 400, question_form=form)


@bp.route("/incubation/entry/<int:entry_id>/answer", methods=["POST"])
@policy.guard("incubation.edit")
def answer(entry_id: int):
    entry = db.get_or_404(ServiceEntry, entry_id)
    policy.authorize("incubation.edit", entry.incubation)
    form = AnswerForm(prefix=f"a{entry.id}")
    if form.validate_on_submit():
        try:
            services.answer_question(entry, _user(), form.answer.data)
        except services.IncubationError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The answer has been sent."), "success")
        return redirect(url_for("incubation.project", project_id=entry.incubation.project_id,
                                _anchor=f"entry-{entry.id}"))
    return _project_page(entry.incubation, 400, answer_forms={entry.id: form})


@bp.route("/incubation/project/<int:project_id>/success-story", methods=["POST"])
@policy.guard("incubation.consent")
def consent(project_id: int):
    incubation = _incubation_of_project(project_id, "incubation.consent")
    form = ConsentForm()
    if form.validate_on_submit():
        services.set_success_story_consent(incubation, _user(), bool(form.consent.data))
        db.session.commit()
        flash(_("Thank you: your consent has been recorded.") if form.consent.data
              else _("Your consent has been withdrawn; the project is not shown as a success story."), "success")
    return redirect(url_for("incubation.project", project_id=project_id, _anchor="success-story"))


# --- milestones -----------------------------------------------------------------------------------------

def _milestone_page(milestone: Milestone, status: int = 200, form=None, document_form=None, transition_form=None):
    incubation = milestone.incubation
    view = next(v for v in services.plan(incubation) if v.milestone.id == milestone.id)
    return render_template(
        "incubation/milestone.html", milestone=milestone, view=view, incubation=incubation,
        project=incubation.project, form=form or MilestoneForm(formdata=None, obj=milestone),
        document_form=document_form or DocumentForm(formdata=None),
        transition_form=transition_form or TransitionForm(formdata=None),
        events=allowed_events(milestone) if incubation.status == IncubationStatus.ACTIVE else [],
        exemption_hint=EXEMPTION_HINT if milestone.key in SKIPPABLE else None,
    ), status


@bp.route("/incubation/milestone/<int:milestone_id>", methods=["GET", "POST"])
@policy.guard("incubation.edit")
def milestone(milestone_id: int):
    milestone = _milestone(milestone_id)
    form = MilestoneForm(obj=milestone) if request.method == "GET" else MilestoneForm()
    if form.validate_on_submit():
        try:
            services.update_milestone(
                milestone, _user(), planned_start=form.planned_start.data, planned_due=form.planned_due.data,
                owner=form.owner.data or "", notes=form.notes.data or "", actual_start=form.actual_start.data,
                actual_done=form.actual_done.data)
        except services.IncubationError as error:
            db.session.rollback()
            _failed(error, form)
        else:
            db.session.commit()
            flash(_("The milestone has been saved."), "success")
            return redirect(url_for("incubation.project", project_id=milestone.incubation.project_id,
                                    _anchor=f"milestone-{milestone.id}"))
    return _milestone_page(milestone, 400 if form.errors else 200, form=form)


@bp.route("/incubation/milestone/<int:milestone_id>/status", methods=["POST"])
@policy.guard("incubation.edit")
def transition(milestone_id: int):
    milestone = _milestone(milestone_id)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            services.change_milestone(milestone, form.event.data, _user(), on=form.on.data)
        except services.IncubationError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return _milestone_page(db.session.get(Milestone, milestone_id), 400, transition_form=form)
        db.session.commit()
        flash(_("%(step)s: %(status)s.", step=KEY_LABELS[milestone.key],
                status=MILESTONE_STATUS_LABELS[milestone.status]), "success")
        return redirect(url_for("incubation.project", project_id=milestone.incubation.project_id,
                                _anchor=f"milestone-{milestone.id}"))
    return _milestone_page(milestone, 400, transition_form=form)


@bp.route("/incubation/milestone/<int:milestone_id>/documents", methods=["POST"])
@policy.guard("incubation.edit")
def upload(milestone_id: int):
    milestone = _milestone(milestone_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            services.add_document(milestone, form.file.data, _user())
        except services.IncubationError as error:
            db.session.rollback()
            _failed(error, form)
        else:
            db.session.commit()
            flash(_("The document has been uploaded."), "success")
            return redirect(url_for("incubation.milestone", milestone_id=milestone.id))
    return _milestone_page(db.session.get(Milestone, milestone_id), 400, document_form=form)


@bp.route("/incubation/document/<int:document_id>")
@policy.guard("incubation.view")
def document(document_id: int):
    found = db.get_or_404(MilestoneDocument, document_id)
    policy.authorize("incubation.view", found.milestone.incubation)
    path = documents.path_for(found.stored_name)
    if not path.is_file():
        abort(404)
    services.record_download(found, _user())
    db.session.commit()
    return send_file(path, mimetype=found.mime_type, as_attachment=True, download_name=found.original_name)


# --- public ---------------------------------------------------------------------------------------------

@bp.route("/results/success-stories")
@policy.public
def success_stories():
    return render_template("incubation/success_stories.html", stories=services.success_stories())


def incubation_link(_sender, user, project) -> list[tuple[str, str]]:
    incubation = services.incubation_for(project)
    if incubation is not None and policy.can(user, "incubation.view", incubation):
        return [(_("Incubation plan"), url_for("incubation.project", project_id=project.id))]
    return []



NAV = Offer(
    NavItem("incubation.officer_list", _l("My projects (incubation)"), "incubation.officer", order=45),
    NavItem("incubation.admin_list", _l("Incubation tracking"), "incubation.admin", order=75),
)
PANELS = Offer(
    Panel("incubation/panel_officer.html", "incubation.officer", panels.officer_panel, order=20),
    Panel("incubation/panel_doctor.html", "incubation.progress", panels.doctor_panel, order=40),
    Panel("incubation/panel_admin.html", "incubation.admin", panels.admin_panel, order=60),
)
