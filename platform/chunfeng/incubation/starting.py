"""Starting an incubation: which projects wait for one, the recommended pathway, the generated plan and the
service officer."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organization, Role, User
from ..core.clock import add_working_days, local_today
from ..core.services import N_, notify, person, record
from ..db import db
from ..reviews.services import latest_decision
from ..submissions import status as project_status
from ..submissions.models import DeviceClass, Pathway, Project
from ..submissions.status import SELECTED_STATES, Event, Status
from . import milestones, status
from .errors import IncubationError
from .involvement import officer, project_link
from .models import Incubation, Milestone
from .plan import PLAN_DAYS, PLAN_KEYS, plan_class
from .targets import TargetBook

INCUBATABLE = SELECTED_STATES | {Status.MATCHING}
NOT_AWAITING = _l("This project is not awaiting incubation: it is not selected, or already started.")


def incubation_for(project: Project | int) -> Incubation | None:
    return db.session.scalar(select(Incubation).where(Incubation.project_id == _project_id(project)))


def incubation_id_for(project: Project | int) -> int | None:
    """The id of the project's incubation, for `policy.load` (None when it has none)."""
    return db.session.scalar(select(Incubation.id).where(Incubation.project_id == _project_id(project)))


def _project_id(project: Project | int) -> int:
    return project if isinstance(project, int) else project.id


def eligible_projects(officer: User | None = None) -> list[Project]:
    """Selected projects (or ones in matching) that have no incubation yet; with an officer, only those in the
    officer's remit (see `remit_province`)."""
    return list(db.session.scalars(eligible_query(officer)))


def eligible_query(officer: User | None = None) -> Select:
    """`eligible_projects` as a query, the longest waiting first (a page of them at a time)."""
    return _eligible(select(Project), officer).order_by(Project.id)


def eligible_count(officer: User | None = None) -> int:
    """How many `eligible_projects` there are, counted by the database."""
    return db.session.scalar(_eligible(select(func.count(Project.id)), officer)) or 0


def _eligible(query: Select, officer: User | None) -> Select:
    started = select(Incubation.project_id)
    query = query.where(Project.status.in_(INCUBATABLE), Project.id.not_in(started))
    province = remit_province(officer) if officer is not None else ""
    if province:
        query = (query.join(User, User.id == Project.owner_id)
                 .join(Organization, Organization.id == User.organization_id)
                 .where(Organization.province == province))
    return query


def remit_province(officer: User) -> str:
    """The province a service officer serves: that of the officer's organisation (a provincial service station
    serves the projects of its province's clinicians); empty for an organisation that names none (a national
    station serves every province)."""
    return officer.organization.province if officer.organization is not None else ""


def in_remit(officer: User, project: Project) -> bool:
    """Whether the officer may take on this project: it awaits incubation and its clinician works in the province
    the officer serves."""
    if not officer.has_role(Role.OFFICER) or not awaiting_incubation(project):
        return False
    province = remit_province(officer)
    return not province or project.province == province


def awaiting_incubation(project: Project) -> bool:
    return Status(project.status) in INCUBATABLE and incubation_for(project) is None


def recommended_pathways(project: Project) -> list[Pathway]:
    """The expert decision's recommended pathways; without one, what the status and device class imply."""
    decision = latest_decision(project)
    recommended = [Pathway(p) for p in (getattr(decision, "recommended_pathway", None) or [])]
    if recommended:
        return recommended
    hopes = set(project.pathway_hopes or [])
    if project.device_class == DeviceClass.III or (
            project.device_class == DeviceClass.UNKNOWN and hopes == {Pathway.INNOVATION.value}):
        return [Pathway.INNOVATION]
    if project.status == Status.SELECTED_PRIORITY:
        return [Pathway.PRE_REVIEW, Pathway.PRIORITY]
    return [Pathway.PRE_REVIEW]


def start_incubation(project: Project, officer_id: int | None, pathway: Pathway | str, actor,
                     start: date | None = None) -> Incubation:
    """Assign a service officer to a selected project, generate its pathway plan and move it into incubation."""
    today = local_today()
    start = start or today
    if not awaiting_incubation(project):
        raise IncubationError(str(NOT_AWAITING))
    if start > today:
        raise IncubationError(_("The date cannot be in the future."), "start")
    chosen = officer(officer_id)
    incubation = status.lifecycle.begin(Incubation(
        project=project, officer_id=chosen.id, pathway=Pathway(pathway), started_on=start,
        started_by_id=getattr(actor, "id", None)))
    db.session.add(incubation)
    try:
        db.session.flush()  # one incubation per project: of two starts at the same moment, the second stops here
    except IntegrityError as error:
        raise IncubationError(str(NOT_AWAITING)) from error
    generate_plan(incubation, start)
    project_status.apply(project, Event.START_INCUBATION, actor, note=chosen.name)
    db.session.flush()
    record("incubation.started", incubation, actor=actor, project_id=project.id, officer_id=chosen.id,
           pathway=str(incubation.pathway))
    notify(project.owner, N_("%(title)s has entered incubation. Your service officer is %(officer)s."),
           project_link(project), title=project.title, officer=person(chosen))
    if chosen.id != getattr(actor, "id", None):  # an officer who took the project on needs no telling
        notify(chosen, N_("You are the service officer for %(title)s."), project_link(project), title=project.title)
    return incubation


def generate_plan(incubation: Incubation, start: date) -> list[Milestone]:
    """Milestones for every step of the pathway, each planned to start when the previous one is due."""
    device_class = plan_class(incubation.project.device_class, incubation.pathway)
    book = TargetBook()
    cursor = start
    for position, key in enumerate(PLAN_KEYS, start=1):
        duration = book.days(key, incubation.pathway, device_class) or PLAN_DAYS[key][device_class]
        due = add_working_days(cursor, duration)
        incubation.milestones.append(milestones.lifecycle.begin(
            Milestone(key=key, position=position, planned_start=cursor, planned_due=due)))
        cursor = due
    return incubation.milestones


def assign_officer(incubation: Incubation, officer_id: int | None, actor) -> None:
    chosen = officer(officer_id)
    if chosen.id == incubation.officer_id:
        return
    previous = incubation.officer_id
    incubation.officer_id = chosen.id
    record("incubation.officer_changed", incubation, actor=actor, previous=previous, officer_id=chosen.id)
    project = incubation.project
    notify(chosen, N_("You are the service officer for %(title)s."), project_link(project), title=project.title)
    notify(project.owner, N_("%(title)s has a new service officer: %(officer)s."), project_link(project),
           title=project.title, officer=person(chosen))
