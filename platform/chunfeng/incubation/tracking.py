"""Following incubations: each milestone's timer, the officer's and the administrator's lists (the ones needing
attention first), overdue reminders, and the clinician's progress."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..core.clock import local_today
from ..core.services import Nn_
from ..db import db
from ..submissions.models import Project
from ..submissions.services import TimelineStep, timeline
from ..submissions.status import Status
from . import timers
from .involvement import active_officers, notify_staff, project_link
from .models import (
    EntryKind,
    Incubation,
    IncubationStatus,
    Milestone,
    MilestoneKey,
    MilestoneStatus,
    ServiceEntry,
)
from .plan import guidance, plan_class
from .starting import incubation_for
from .targets import TargetBook

REMIND_EVERY_DAYS = 7


@dataclass
class MilestoneView:
    milestone: Milestone
    clock: timers.Clock
    guidance: object = None  # a lazy translated hint from the pathway, or None

    @property
    def key(self) -> MilestoneKey:
        return self.milestone.key


def plan(incubation: Incubation, on: date | None = None, book: TargetBook | None = None) -> list[MilestoneView]:
    on = on or local_today()
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


def project_timeline(project: Project) -> list[TimelineStep]:
    """The project's way from idea to approval (the intake's timeline, with matching under way while a connection
    is open); an approved project has gone every step."""
    steps = timeline(project)
    if project.status == Status.APPROVED:
        return [step if step.note else replace(step, state="done") for step in steps]
    return steps


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


def rows(query, on: date | None = None) -> list[IncubationRow]:
    """The incubations the query selects with their plans: active ones first, then by overdue steps, unanswered
    questions and the next due date."""
    return ordered(db.session.execute(_with_plan(query)), on)


def _with_plan(query: Select) -> Select:
    """The query with, in the same statement, each incubation's project, officer and questions awaiting an answer
    (what ServiceEntry.awaiting_answer says of one entry); the milestones in one more."""
    unanswered = (select(func.count()).select_from(ServiceEntry)
                  .where(ServiceEntry.incubation_id == Incubation.id, ServiceEntry.kind == EntryKind.QUESTION,
                         or_(ServiceEntry.answer.is_(None), ServiceEntry.answer == ""))
                  .correlate(Incubation).scalar_subquery())
    return query.add_columns(unanswered).options(
        selectinload(Incubation.milestones), joinedload(Incubation.project), joinedload(Incubation.officer))


@cache
def _listing(whose: str) -> Select:
    """Built once per process (the workspaces of officers, clinicians and administrators run them): every
    incubation, an officer's (`officer_id`), or those of a clinician's projects (`owner_id`)."""
    query = select(Incubation)
    if whose == "officer":
        query = query.where(Incubation.officer_id == bindparam("officer_id"))
    elif whose == "owner":
        owned = select(Project.id).where(Project.owner_id == bindparam("owner_id"))
        query = query.where(Incubation.project_id.in_(owned))
    return _with_plan(query)


def ordered(found, on: date | None) -> list[IncubationRow]:
    on, book = on or local_today(), TargetBook()
    listed = [IncubationRow(inc, plan(inc, on, book), waiting or 0) for inc, waiting in found]
    far = date.max
    listed.sort(key=lambda r: (r.incubation.status != IncubationStatus.ACTIVE, -len(r.overdue), -r.unanswered,
                               r.next_due.milestone.planned_due if r.next_due else far))
    return listed


def officer_rows(officer, on: date | None = None) -> list[IncubationRow]:
    """The officer's projects, the ones needing attention first."""
    return ordered(db.session.execute(_listing("officer"), {"officer_id": officer.id}), on)


def admin_rows(on: date | None = None, *, officer_id: int | None = None,
               overdue_only: bool = False) -> list[IncubationRow]:
    found = ordered(db.session.execute(_listing("officer"), {"officer_id": officer_id}) if officer_id
                     else db.session.execute(_listing("all")), on)
    return [r for r in found if r.overdue] if overdue_only else found


def officers_with_load() -> list[tuple[User, int]]:
    counts = Counter(db.session.scalars(select(Incubation.officer_id).where(
        Incubation.status == IncubationStatus.ACTIVE)))
    return [(officer, counts.get(officer.id, 0)) for officer in active_officers()]


def remind_overdue(on: date | None = None) -> int:
    """Tell each officer (or, without one, the administrators) which projects have overdue steps, at most once a
    week per step. Meant to run daily (`flask incubation-remind`); returns how many notifications were sent."""
    on = on or local_today()
    sent = 0
    for row in admin_rows(on, overdue_only=True):
        incubation = row.incubation
        due = [v.milestone for v in row.overdue
               if not v.milestone.reminded_on or (on - v.milestone.reminded_on).days >= REMIND_EVERY_DAYS]
        if incubation.status != IncubationStatus.ACTIVE or not due:
            continue
        overdue = Nn_("%(title)s has %(num)d overdue step.", "%(title)s has %(num)d overdue steps.")
        sent += notify_staff(incubation, overdue, num=len(row.overdue))
        for step in due:
            step.reminded_on = on
    return sent


def progress_for_owner(user) -> list[IncubationRow]:
    """The clinician's projects in (or through) incubation, with their plan."""
    return ordered(db.session.execute(_listing("owner"), {"owner_id": user.id}), None)


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
