"""The officer's list and the administrator's pages: incubation tracking, starting incubations, officers, stage
targets and figures."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import policy
from ..core.clock import local_today
from ..core.web import current_actor, requested_page
from ..db import db
from ..submissions.models import Pathway, Project
from . import figures as incubation_figures
from . import starting, timers, tracking
from . import targets as stage_targets
from .blueprint import bp, saved
from .forms import ALL_PATHWAYS, OfficerForm, StartIncubationForm, TakeOnForm, TargetForm, officer_choices
from .involvement import active_officers
from .models import Incubation
from .plan import PLAN_KEYS


def _prefilled(form_class: type[TakeOnForm], project: Project, form: TakeOnForm | None = None) -> TakeOnForm:
    """The start form of one waiting project (prefixed by its id), the recommended pathway chosen; or the form
    just refused, with its errors."""
    if form is None:
        form = form_class(formdata=None, prefix=f"p{project.id}")
        form.pathway.data = starting.recommended_pathways(project)[0].value
    return form


def _officer_page(status: int = 200, failed_start: tuple[int, TakeOnForm] | None = None):
    officer = current_actor()
    page = _waiting_page(starting.eligible_query(officer), failed_start)
    forms = {p.id: _prefilled(TakeOnForm, p, failed_start[1] if failed_start and failed_start[0] == p.id else None)
             for p in page.items}
    return render_template("incubation/officer_list.html", rows=tracking.officer_rows(officer), today=local_today(),
                           waiting=page, start_forms=forms,
                           recommended={p.id: starting.recommended_pathways(p) for p in page.items}), status


WAITING_PER_PAGE = 20


def _waiting_page(query, failed_start: tuple[int, object] | None):
    """The page of waiting projects asked for; a start just refused stays in view with its errors."""
    page = requested_page(query, WAITING_PER_PAGE)
    if failed_start and all(p.id != failed_start[0] for p in page.items):
        page.items.insert(0, db.session.get(Project, failed_start[0]))
    return page


@bp.route("/incubation/mine")
@policy.guard("incubation.officer")
def officer_list():
    return _officer_page()


@bp.route("/incubation/mine/start/<int:project_id>", methods=["POST"])
@policy.guard("incubation.start")
def take_on(project_id: int):
    """The officer starts a waiting project of their remit and becomes its officer (404 for any other project)."""
    project = policy.load(Project, project_id)
    form = TakeOnForm(prefix=f"p{project.id}")
    officer = current_actor()
    if form.validate_on_submit() and saved(
            lambda: starting.start_incubation(project, officer.id, Pathway(form.pathway.data), officer,
                                              start=form.start.data),
            form, _("Incubation started: the pathway plan has been created. You are its service officer.")):
        return redirect(url_for("incubation.project", project_id=project.id))
    return _officer_page(400, failed_start=(project.id, form))


def _start_form(project: Project, officers, form: StartIncubationForm | None = None) -> TakeOnForm:
    form = _prefilled(StartIncubationForm, project, form)
    form.officer.choices = officer_choices(officers)
    return form


def _admin_page(status: int = 200, failed_start: tuple[int, StartIncubationForm] | None = None):
    officers = active_officers()
    officer_id = request.args.get("officer", type=int)
    overdue_only = request.args.get("overdue") == "1"
    eligible = _waiting_page(starting.eligible_query(), failed_start)
    forms = {p.id: _start_form(p, officers, failed_start[1] if failed_start and failed_start[0] == p.id else None)
             for p in eligible.items}
    return render_template(
        "incubation/admin_list.html", rows=tracking.admin_rows(officer_id=officer_id, overdue_only=overdue_only),
        eligible=eligible, start_forms=forms,
        recommended={p.id: starting.recommended_pathways(p) for p in eligible.items},
        officers=tracking.officers_with_load(), officer_id=officer_id, overdue_only=overdue_only,
        today=local_today(),
    ), status


@bp.route("/incubation/admin")
@policy.guard("incubation.admin")
def admin_list():
    return _admin_page()


@bp.route("/incubation/admin/start/<int:project_id>", methods=["POST"])
@policy.guard("incubation.admin")
def start(project_id: int):
    project = policy.load(Project, project_id)
    form = StartIncubationForm(prefix=f"p{project.id}")
    form.officer.choices = officer_choices(active_officers())
    if form.validate_on_submit() and saved(
            lambda: starting.start_incubation(project, int(form.officer.data), Pathway(form.pathway.data),
                                              current_actor(), start=form.start.data),
            form, _("Incubation started: the pathway plan has been created and the officer notified.")):
        return redirect(url_for("incubation.project", project_id=project.id))
    return _admin_page(400, failed_start=(project.id, form))


@bp.route("/incubation/<int:incubation_id>/officer", methods=["POST"])
@policy.guard("incubation.admin")
def reassign(incubation_id: int):
    incubation = policy.load(Incubation, incubation_id)
    form = OfficerForm()
    form.officer.choices = officer_choices(active_officers())
    if form.validate_on_submit():
        saved(lambda: starting.assign_officer(incubation, int(form.officer.data), current_actor()), None,
              _("The service officer has been changed."))
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
        if saved(lambda: stage_targets.set_target(form.key.data, pathways, form.percent.data, form.days.data,
                                                  current_actor()),
                 form, _("The target has been saved. Timers use it from now on.")):
            return redirect(url_for("incubation.targets"))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template("incubation/targets.html", form=form, table=stage_targets.TargetBook().table(PLAN_KEYS),
                           pathways=list(Pathway), statutory=timers.STATUTORY_LIMITS), status


@bp.route("/incubation/admin/figures")
@policy.guard("incubation.admin")
def figures():
    return render_template("incubation/figures.html", figures=incubation_figures.figures(), keys=PLAN_KEYS)
