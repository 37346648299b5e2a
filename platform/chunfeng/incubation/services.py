"""Incubation logic, testable without HTTP: starting an incubation, the plan, milestones, the service record,
who sees what, success stories, the officer's and the administrator's lists and the figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import AccountStatus, Consent, Role, User
from ..accounts.services import active_admins
from ..core.services import N_, notify, record
from ..db import db, utcnow
from ..submissions import status as project_status
from ..submissions.models import DeviceClass, Pathway, Project
from ..submissions.status import SELECTED_STATES, Event, Status
from . import documents, milestones, timers
from .models import (
    Audience,
    EntryKind,
    Incubation,
    IncubationStatus,
    Milestone,
    MilestoneDocument,
    MilestoneKey,
    MilestoneStatus,
    ServiceEntry,
    StageTarget,
)
from .plan import DEFAULT_PERCENT, PLAN_DAYS, PLAN_KEYS, guidance, plan_class

SHANGHAI = ZoneInfo("Asia/Shanghai")
INCUBATABLE = SELECTED_STATES | {Status.MATCHING}
COMPANY_ROLES = (Role.ENTERPRISE, Role.INVESTOR)
SUCCESS_STORY = "success_story"
CONSENT_TEXT = _l(
    "I agree that the title, public summary, specialty, pathway and approval date of this project are shown as a "
    "success story on the platform's public results page. My name, hospital and the confidential details are not "
    "shown. I can withdraw this consent at any time.")


class IncubationError(ValueError):
    """A refused action, already translated for the user; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def today() -> date:
    """Today in China: the day officers and doctors see on their calendars."""
    return datetime.now(SHANGHAI).date()


def project_link(project: Project) -> str:
    return f"/incubation/project/{project.id}"


# --- who is involved ------------------------------------------------------------------------------------

def connected_organization_ids(project: Project) -> set[int]:
    """Organisations with an accepted connection or an active share grant for the project (matching domain)."""
    try:
        from ..matching.models import Connection, ConnectionStatus, ShareGrant
    except ImportError:
        return set()
    accepted = select(Connection.organization_id).where(
        Connection.project_id == project.id, Connection.status == ConnectionStatus.ACCEPTED)
    granted = select(ShareGrant.organization_id).where(
        ShareGrant.project_id == project.id, ShareGrant.revoked_at.is_(None))
    return set(db.session.scalars(accepted.union(granted)))


def viewer_role(user, incubation: Incubation) -> str | None:
    """'staff' (administrator or the assigned officer), 'doctor' (the project owner), 'company' (a member of a
    connected organisation) or None for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_approved:
        return None
    if user.role == Role.ADMIN or (user.role == Role.OFFICER and incubation.officer_id == user.id):
        return "staff"
    if incubation.project.owner_id == user.id:
        return "doctor"
    if (user.role in COMPANY_ROLES and user.organization_id is not None
            and user.organization_id in connected_organization_ids(incubation.project)):
        return "company"
    return None


def can_edit(user, incubation: Incubation) -> bool:
    return viewer_role(user, incubation) == "staff"


def can_ask(user, incubation: Incubation) -> bool:
    return incubation.status == IncubationStatus.ACTIVE and viewer_role(user, incubation) in ("doctor", "company")


def active_officers() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.OFFICER, User.status == AccountStatus.ACTIVE).order_by(User.name)))


def _officer(user_id: int | None) -> User:
    officer = db.session.get(User, user_id) if user_id else None
    if officer is None or not officer.has_role(Role.OFFICER):
        raise IncubationError(_("Please choose an active service officer."), "officer")
    return officer


# --- starting an incubation -----------------------------------------------------------------------------

def incubation_for(project: Project | int) -> Incubation | None:
    project_id = project if isinstance(project, int) else project.id
    return db.session.scalar(select(Incubation).where(Incubation.project_id == project_id))


def eligible_projects() -> list[Project]:
    """Selected projects (or ones in matching) that have no incubation yet."""
    started = select(Incubation.project_id)
    return list(db.session.scalars(
        select(Project).where(Project.status.in_(INCUBATABLE), Project.id.not_in(started)).order_by(Project.id)))


def _latest_decision(project: Project):
    try:
        from ..reviews.services import latest_decision
    except ImportError:
        return None
    return latest_decision(project)


def recommended_pathways(project: Project) -> list[Pathway]:
    """The expert decision's recommended pathways; without one, what the status and device class imply."""
    decision = _latest_decision(project)
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
    start = start or today()
    if incubation_for(project) is not None or Status(project.status) not in INCUBATABLE:
        raise IncubationError(_("This project is not awaiting incubation: it is not selected, or already started."))
    if start > today():
        raise IncubationError(_("The date cannot be in the future."), "start")
    officer = _officer(officer_id)
    incubation = Incubation(project=project, officer_id=officer.id, pathway=Pathway(pathway), started_on=start,
                            started_by_id=getattr(actor, "id", None))
    db.session.add(incubation)
    generate_plan(incubation, start)
    project_status.apply(project, Event.START_INCUBATION, actor, note=officer.name)
    db.session.flush()
    record("incubation.started", incubation, actor=actor, project_id=project.id, officer_id=officer.id,
           pathway=str(incubation.pathway))
    notify(project.owner, N_("%(title)s has entered incubation. Your service officer is %(officer)s."),
           project_link(project), title=project.title, officer=officer.name)
    notify(officer, N_("You are the service officer for %(title)s."), project_link(project), title=project.title)
    return incubation


def generate_plan(incubation: Incubation, start: date) -> list[Milestone]:
    """Milestones for every step of the pathway, each planned to start when the previous one is due."""
    device_class = plan_class(incubation.project.device_class, incubation.pathway)
    book = TargetBook()
    cursor = start
    for position, key in enumerate(PLAN_KEYS, start=1):
        duration = book.days(key, incubation.pathway, device_class) or PLAN_DAYS[key][device_class]
        due = timers.add_working_days(cursor, duration)
        incubation.milestones.append(Milestone(key=key, position=position, planned_start=cursor, planned_due=due,
                                               status=MilestoneStatus.NOT_STARTED))
        cursor = due
    return incubation.milestones


def assign_officer(incubation: Incubation, officer_id: int | None, actor) -> None:
    officer = _officer(officer_id)
    if officer.id == incubation.officer_id:
        return
    previous = incubation.officer_id
    incubation.officer_id = officer.id
    record("incubation.officer_changed", incubation, actor=actor, previous=previous, officer_id=officer.id)
    project = incubation.project
    notify(officer, N_("You are the service officer for %(title)s."), project_link(project), title=project.title)
    notify(project.owner, N_("%(title)s has a new service officer: %(officer)s."), project_link(project),
           title=project.title, officer=officer.name)


# --- stage targets --------------------------------------------------------------------------------------

class TargetBook:
    """The administrator's targets, loaded once; defaults apply where none is set."""

    def __init__(self) -> None:
        self.rows = {(t.key, t.pathway): t for t in db.session.scalars(select(StageTarget))}

    def setting(self, key: MilestoneKey, pathway: Pathway) -> StageTarget | None:
        return self.rows.get((MilestoneKey(key), Pathway(pathway)))

    def days(self, key: MilestoneKey, pathway: Pathway, device_class: str) -> int | None:
        statutory = timers.statutory_limit(key, device_class)
        row = self.setting(key, pathway)
        if row is not None:
            return timers.target_days(statutory, row.percent, row.days)
        return timers.target_days(statutory, DEFAULT_PERCENT[Pathway(pathway)])

    def describe(self, key: MilestoneKey, pathway: Pathway) -> dict:
        """One cell of the targets table: the effective days and how they were reached."""
        device_class = plan_class(DeviceClass.UNKNOWN, pathway)
        row = self.setting(key, pathway)
        return {
            "statutory": timers.statutory_limit(key, device_class),
            "percent": row.percent if row else (DEFAULT_PERCENT[Pathway(pathway)]
                                                if timers.statutory_limit(key, device_class) else None),
            "explicit": row.days if row else None,
            "is_default": row is None,
            "days": self.days(key, pathway, device_class),
        }


def set_target(key: MilestoneKey | str, pathways: list[Pathway], percent: int | None, days: int | None,
               actor) -> None:
    """Set (or, with neither percent nor days, reset to the default) the target of a milestone on pathways."""
    key = MilestoneKey(key)
    if percent and days:
        raise IncubationError(_("Give either a percentage or a number of days, not both."), "percent")
    if percent and not any(timers.statutory_limit(key, c) for c in ("II", "III")):
        raise IncubationError(_("This milestone has no statutory time limit: give a number of days instead."),
                              "percent")
    book = TargetBook()
    for pathway in map(Pathway, pathways):
        row = book.setting(key, pathway)
        if not percent and not days:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = StageTarget(key=key, pathway=pathway)
            db.session.add(row)
        row.percent, row.days, row.updated_by_id = percent or None, days or None, getattr(actor, "id", None)
    record("incubation.target_set", None, actor=actor, key=str(key), pathways=[str(p) for p in pathways],
           percent=percent, days=days)


# --- milestones -----------------------------------------------------------------------------------------

@dataclass
class MilestoneView:
    milestone: Milestone
    clock: timers.Clock
    guidance: object = None  # a lazy translated hint from the pathway, or None

    @property
    def key(self) -> MilestoneKey:
        return self.milestone.key


def plan(incubation: Incubation, on: date | None = None, book: TargetBook | None = None) -> list[MilestoneView]:
    on = on or today()
    book = book or TargetBook()
    device_class = plan_class(incubation.project.device_class, incubation.pathway)
    return [
        MilestoneView(m, timers.clock(actual_start=m.actual_start, actual_done=m.actual_done,
                                      planned_due=m.planned_due, target=book.days(m.key, incubation.pathway,
                                                                                  device_class),
                                      today=on, closed=m.closed),
                      guidance(incubation.pathway, m.key))
        for m in incubation.milestones
    ]


def _editable(incubation: Incubation) -> None:
    if incubation.status != IncubationStatus.ACTIVE:
        raise IncubationError(_("This incubation is closed; its plan can no longer be changed."))


def change_milestone(milestone: Milestone, event: milestones.MilestoneEvent | str, actor,
                     on: date | None = None) -> MilestoneStatus:
    """Move a milestone through its state machine; finishing the approval milestone approves the project."""
    incubation = milestone.incubation
    _editable(incubation)
    previous = milestone.status
    try:
        new = milestones.advance(milestone, event, on or today(), today())
    except milestones.MilestoneError as error:
        raise IncubationError(str(error)) from error
    record("incubation.milestone", milestone, actor=actor, key=str(milestone.key), event=str(event),
           from_status=str(previous), to_status=str(new), on=(on or today()).isoformat())
    if milestone.key == MilestoneKey.APPROVAL and new == MilestoneStatus.DONE:
        _approve(incubation, actor, milestone.actual_done)
    return new


def _approve(incubation: Incubation, actor, on: date) -> None:
    project = incubation.project
    project_status.apply(project, Event.APPROVE, actor)
    incubation.status, incubation.approved_on = IncubationStatus.APPROVED, on
    if incubation.success_story_consent:
        incubation.success_story_published_at = utcnow()
    record("incubation.approved", incubation, actor=actor, project_id=project.id)
    notify(project.owner, N_("Congratulations: %(title)s has been approved for market."), project_link(project),
           title=project.title)


def update_milestone(milestone: Milestone, actor, *, planned_start: date | None, planned_due: date | None,
                     owner: str, notes: str, actual_start: date | None = None,
                     actual_done: date | None = None) -> list[str]:
    """Save the officer's edits of a milestone; returns the names of the fields that changed."""
    _editable(milestone.incubation)
    if planned_start and planned_due and planned_due < planned_start:
        raise IncubationError(_("The planned due date cannot be before the planned start."), "planned_due")
    values = {"planned_start": planned_start, "planned_due": planned_due, "owner": owner.strip(),
              "notes": notes.strip()}
    # Actual dates are set by status changes; here they can only be corrected, never added or removed.
    if milestone.actual_start is not None and actual_start is not None:
        values["actual_start"] = actual_start
    if milestone.actual_done is not None and actual_done is not None:
        values["actual_done"] = actual_done
    start, done = values.get("actual_start", milestone.actual_start), values.get("actual_done", milestone.actual_done)
    if any(d and d > today() for d in (start, done)):
        raise IncubationError(_("The date cannot be in the future."), "actual_done")
    if start and done and done < start:
        raise IncubationError(_("A milestone cannot be finished before it started."), "actual_done")
    changed = [name for name, value in values.items() if getattr(milestone, name) != value]
    for name in changed:
        setattr(milestone, name, values[name])
    if changed:
        record("incubation.milestone_edited", milestone, actor=actor, key=str(milestone.key), fields=changed)
    return changed


def add_document(milestone: Milestone, upload, actor) -> MilestoneDocument:
    _editable(milestone.incubation)
    try:
        stored = documents.store(upload)
    except documents.UploadError as error:
        raise IncubationError(str(error), "file") from error
    document = MilestoneDocument(milestone=milestone, uploaded_by_id=getattr(actor, "id", None),
                                 original_name=stored.original_name, stored_name=stored.stored_name,
                                 mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256)
    db.session.add(document)
    db.session.flush()
    record("incubation.document_added", document, actor=actor, milestone_id=milestone.id, sha256=stored.sha256)
    return document


def record_download(document: MilestoneDocument, actor) -> None:
    record("incubation.document_viewed", document, actor=actor, milestone_id=document.milestone_id)


# --- service record -------------------------------------------------------------------------------------

AUDIENCES_OF = {
    "doctor": frozenset({Audience.DOCTOR, Audience.BOTH}),
    "company": frozenset({Audience.COMPANY, Audience.BOTH}),
}


def visible_entries(incubation: Incubation, user) -> list[ServiceEntry]:
    """The entries of the service record this user may read, newest first."""
    role = viewer_role(user, incubation)
    entries = sorted(incubation.entries, key=lambda e: (e.occurred_on, e.id), reverse=True)
    if role == "staff":
        return entries
    if role is None:
        return []
    allowed = AUDIENCES_OF[role]
    return [e for e in entries if e.audience in allowed
            and (role != "company" or e.organization_id in (None, user.organization_id))]


def add_entry(incubation: Incubation, author, *, kind: EntryKind | str, audience: Audience | str, text: str,
              occurred_on: date, organization_id: int | None = None) -> ServiceEntry:
    """An officer's (or administrator's) record of a consultation, site visit or guidance."""
    _editable(incubation)
    if occurred_on > today():
        raise IncubationError(_("The date cannot be in the future."), "occurred_on")
    audience = Audience(audience)
    if organization_id and (audience != Audience.COMPANY
                            or organization_id not in connected_organization_ids(incubation.project)):
        raise IncubationError(_("Choose a connected company, and the audience 'The connected company'."),
                              "organization")
    entry = ServiceEntry(incubation=incubation, kind=EntryKind(kind), audience=audience, text=text.strip(),
                         occurred_on=occurred_on, author_id=author.id, organization_id=organization_id or None)
    db.session.add(entry)
    db.session.flush()
    record("incubation.entry_added", entry, actor=author, kind=str(entry.kind), audience=str(audience))
    _tell_audience(entry)
    return entry


def _company_members(org_ids: set[int]) -> list[User]:
    if not org_ids:
        return []
    return list(db.session.scalars(select(User).where(
        User.organization_id.in_(org_ids), User.role.in_(COMPANY_ROLES), User.status == AccountStatus.ACTIVE)))


def _tell_audience(entry: ServiceEntry) -> None:
    project = entry.incubation.project
    readers: list[User] = []
    if entry.audience in AUDIENCES_OF["doctor"]:
        readers.append(project.owner)
    if entry.audience in AUDIENCES_OF["company"]:
        orgs = {entry.organization_id} if entry.organization_id else connected_organization_ids(project)
        readers.extend(_company_members(orgs))
    for reader in readers:
        notify(reader, N_("New note from your service officer on %(title)s."), project_link(project),
               title=project.title)


def ask_question(incubation: Incubation, asker, text: str) -> ServiceEntry:
    """The doctor or a connected company asks the officer; the question is visible to the asking side only."""
    role = viewer_role(asker, incubation)
    if role not in ("doctor", "company") or incubation.status != IncubationStatus.ACTIVE:
        raise IncubationError(_("Only the doctor and the connected company can ask questions here."))
    company = role == "company"
    entry = ServiceEntry(incubation=incubation, kind=EntryKind.QUESTION, text=text.strip(), occurred_on=today(),
                         audience=Audience.COMPANY if company else Audience.DOCTOR, author_id=asker.id,
                         organization_id=asker.organization_id if company else None)
    db.session.add(entry)
    db.session.flush()
    record("incubation.question_asked", entry, actor=asker)
    for staff in [incubation.officer] if incubation.officer else active_admins():
        notify(staff, N_("New question on %(title)s."), project_link(incubation.project),
               title=incubation.project.title)
    return entry


def answer_question(entry: ServiceEntry, actor, text: str) -> None:
    if entry.kind != EntryKind.QUESTION:
        raise IncubationError(_("Only questions can be answered."))
    entry.answer, entry.answered_by_id, entry.answered_at = text.strip(), actor.id, utcnow()
    record("incubation.question_answered", entry, actor=actor)
    if entry.author is not None:
        notify(entry.author, N_("Your question on %(title)s has been answered."),
               project_link(entry.incubation.project), title=entry.incubation.project.title)


# --- success stories ------------------------------------------------------------------------------------

def set_success_story_consent(incubation: Incubation, user, consent: bool) -> None:
    """The doctor's separate consent to show the project as a public success story (kept as a Consent record)."""
    if incubation.project.owner_id != user.id:
        raise IncubationError(_("Only the doctor who submitted the project can decide this."))
    if consent == incubation.success_story_consent:
        return
    if consent:
        db.session.add(Consent(user_id=user.id, kind=SUCCESS_STORY, version="1", text=str(CONSENT_TEXT),
                               detail={"project_id": incubation.project_id}))
        if incubation.status == IncubationStatus.APPROVED:
            incubation.success_story_published_at = utcnow()
    else:
        for row in db.session.scalars(select(Consent).where(
                Consent.user_id == user.id, Consent.kind == SUCCESS_STORY, Consent.revoked_at.is_(None))):
            if row.detail.get("project_id") == incubation.project_id:
                row.revoked_at = utcnow()
        incubation.success_story_published_at = None
    incubation.success_story_consent = consent
    record("incubation.success_story_consent", incubation, actor=user, consent=consent)


def success_stories() -> list[Incubation]:
    return list(db.session.scalars(
        select(Incubation).options(selectinload(Incubation.project))
        .where(Incubation.status == IncubationStatus.APPROVED, Incubation.success_story_consent.is_(True),
               Incubation.success_story_published_at.is_not(None))
        .order_by(Incubation.approved_on.desc(), Incubation.id.desc())))


# --- lists for officers and administrators --------------------------------------------------------------

@dataclass
class IncubationRow:
    incubation: Incubation
    milestones: list[MilestoneView]
    unanswered: int

    @property
    def current(self) -> MilestoneView | None:
        """The earliest milestone in progress, else the first one not started."""
        open_ones = [v for v in self.milestones if not v.milestone.closed]
        running = [v for v in open_ones if v.milestone.status == MilestoneStatus.IN_PROGRESS]
        return (running or open_ones or [None])[0]

    @property
    def next_due(self) -> MilestoneView | None:
        dated = [v for v in self.milestones if not v.milestone.closed and v.milestone.planned_due]
        return min(dated, key=lambda v: v.milestone.planned_due, default=None)

    @property
    def overdue(self) -> list[MilestoneView]:
        return [v for v in self.milestones if v.clock.overdue]

    @property
    def progress(self) -> int:
        total = len(self.milestones)
        return round(100 * sum(v.milestone.closed for v in self.milestones) / total) if total else 0


def _rows(query, on: date | None = None) -> list[IncubationRow]:
    on, book = on or today(), TargetBook()
    incubations = db.session.scalars(query.options(
        selectinload(Incubation.milestones), selectinload(Incubation.entries),
        selectinload(Incubation.project), selectinload(Incubation.officer)))
    rows = [IncubationRow(inc, plan(inc, on, book), sum(e.awaiting_answer for e in inc.entries))
            for inc in incubations]
    far = date.max
    rows.sort(key=lambda r: (r.incubation.status != IncubationStatus.ACTIVE, -len(r.overdue), -r.unanswered,
                             r.next_due.milestone.planned_due if r.next_due else far))
    return rows


def officer_rows(officer, on: date | None = None) -> list[IncubationRow]:
    """The officer's projects, the ones needing attention first."""
    return _rows(select(Incubation).where(Incubation.officer_id == officer.id), on)


def admin_rows(on: date | None = None, *, officer_id: int | None = None,
               overdue_only: bool = False) -> list[IncubationRow]:
    query = select(Incubation)
    if officer_id:
        query = query.where(Incubation.officer_id == officer_id)
    rows = _rows(query, on)
    return [r for r in rows if r.overdue] if overdue_only else rows


def officers_with_load() -> list[tuple[User, int]]:
    counts = Counter(db.session.scalars(select(Incubation.officer_id).where(
        Incubation.status == IncubationStatus.ACTIVE)))
    return [(officer, counts.get(officer.id, 0)) for officer in active_officers()]


REMIND_EVERY_DAYS = 7


def remind_overdue(on: date | None = None) -> int:
    """Tell each officer (or, without one, the administrators) which projects have overdue steps, at most once a
    week per step. Meant to run daily (`flask incubation-remind`); returns how many notifications were sent."""
    on = on or today()
    sent = 0
    for row in admin_rows(on, overdue_only=True):
        incubation = row.incubation
        due = [v.milestone for v in row.overdue
               if not v.milestone.reminded_on or (on - v.milestone.reminded_on).days >= REMIND_EVERY_DAYS]
        if incubation.status != IncubationStatus.ACTIVE or not due:
            continue
        for staff in [incubation.officer] if incubation.officer else active_admins():
            notify(staff, N_("%(title)s has %(count)s overdue step(s)."), project_link(incubation.project),
                   title=incubation.project.title, count=len(row.overdue))
            sent += 1
        for step in due:
            step.reminded_on = on
    return sent


# --- figures --------------------------------------------------------------------------------------------

@dataclass
class Figures:
    per_stage: dict[MilestoneKey, int] = field(default_factory=dict)
    approved: int = 0
    active: int = 0
    median_days: dict[MilestoneKey, float | None] = field(default_factory=dict)
    completed: dict[MilestoneKey, int] = field(default_factory=dict)
    overdue_projects: int = 0
    overdue_milestones: int = 0
    approvals: list[tuple[str, int]] = field(default_factory=list)


def figures(on: date | None = None) -> Figures:
    rows = _rows(select(Incubation), on)
    result = Figures()
    active = [r for r in rows if r.incubation.status == IncubationStatus.ACTIVE]
    result.active = len(active)
    result.approved = sum(r.incubation.status == IncubationStatus.APPROVED for r in rows)
    stage_counts = Counter(r.current.key for r in active if r.current)
    result.per_stage = {key: stage_counts.get(key, 0) for key in PLAN_KEYS}
    durations: dict[MilestoneKey, list[int]] = {key: [] for key in PLAN_KEYS}
    for row in rows:
        for view in row.milestones:
            m = view.milestone
            if m.status == MilestoneStatus.DONE and m.actual_start and m.actual_done:
                durations[m.key].append(timers.working_days_between(m.actual_start, m.actual_done))
    result.median_days = {key: timers.median_days(values) for key, values in durations.items()}
    result.completed = {key: len(values) for key, values in durations.items()}
    result.overdue_projects = sum(1 for r in active if r.overdue)
    result.overdue_milestones = sum(len(r.overdue) for r in active)
    result.approvals = approvals_per_round([r.incubation for r in rows
                                            if r.incubation.status == IncubationStatus.APPROVED])
    return result


def approvals_per_round(approved: list[Incubation]) -> list[tuple[str, int]]:
    """Approved projects counted by the review round whose decision selected them (by year without one)."""
    counts = Counter(_round_name(inc.project) or _("Approved in %(year)s", year=inc.approved_on.year)
                     for inc in approved if inc.approved_on)
    return sorted(counts.items())


def _round_name(project: Project) -> str | None:
    decision = _latest_decision(project)
    round_ = getattr(decision, "round", None)
    return getattr(round_, "name", None)


# --- for other domains and the dashboard ----------------------------------------------------------------

def progress_for_owner(user) -> list[IncubationRow]:
    """The doctor's projects in (or through) incubation, with their plan."""
    owned = select(Project.id).where(Project.owner_id == user.id)
    return _rows(select(Incubation).where(Incubation.project_id.in_(owned)))


def incubation_summary(project: Project) -> dict | None:
    """For the project's own pages: the link and progress of its incubation, or None if it has none."""
    incubation = incubation_for(project)
    if incubation is None:
        return None
    row = IncubationRow(incubation, plan(incubation), 0)
    current = row.current
    return {"url": project_link(project), "progress": row.progress, "status": str(incubation.status),
            "current_key": str(current.key) if current else None, "overdue": len(row.overdue),
            "officer": incubation.officer.name if incubation.officer else ""}
