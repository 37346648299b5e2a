"""What the incubation panels of the workspace show (context functions of its workspace panels).

Each panel reads its incubations in one statement: one row per milestone with the incubation's columns, its
project's title and device class, its officer's name and its questions awaiting an answer, as plain values (the
stage targets come from the minute-long copy in targets.py). The rows are then read as tracking reads incubations:
the same plan, timers and order as the officers' and administrators' lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, func, or_, select

from ..accounts.models import User
from ..core.recent import Recent
from ..db import db
from ..submissions.models import DeviceClass, Pathway, Project
from .models import EntryKind, Incubation, IncubationStatus, Milestone, MilestoneKey, MilestoneStatus, ServiceEntry
from .starting import eligible_count, remit_province
from .tracking import IncubationRow, ordered

PANEL_ROWS = 6
# Selected projects awaiting an officer, per remit (province): counted at most once a minute per worker, at once
# after a change this worker commits.
WAITING: Recent[int] = Recent("incubation.waiting")


class PanelProject(NamedTuple):
    title: str
    device_class: DeviceClass


class PanelOfficer(NamedTuple):
    name: str


class PanelMilestone(NamedTuple):
    """What the plan and the panels read of a milestone."""

    key: MilestoneKey
    status: MilestoneStatus
    planned_due: date | None
    actual_start: date | None
    actual_done: date | None

    closed = Milestone.closed  # the model's own rule, read from these columns


@dataclass(slots=True)
class PanelIncubation:
    """What the plan and the panels read of an incubation."""

    id: int
    project_id: int
    status: IncubationStatus
    pathway: Pathway
    officer_id: int | None
    project: PanelProject
    officer: PanelOfficer | None
    milestones: list[PanelMilestone] = field(default_factory=list)


def officer_panel(user) -> dict:
    rows = _panel_rows("officer", officer_id=user.id)
    return {
        "rows": rows[:PANEL_ROWS], "more": max(len(rows) - PANEL_ROWS, 0),
        "overdue": sum(len(r.overdue) for r in rows), "unanswered": sum(r.unanswered for r in rows),
        "waiting": WAITING.get(remit_province(user), lambda: eligible_count(user)),
    }


def clinician_panel(user) -> dict:
    return {"rows": _panel_rows("owner", owner_id=user.id)}


def admin_panel(_user) -> dict:
    active = _panel_rows("all")
    return {
        "active": len(active), "overdue": sum(1 for r in active if r.overdue),
        "waiting": eligible_count(),
        "without_officer": sum(1 for r in active if not r.incubation.officer_id),
    }


def _panel_rows(whose: str, **params: int) -> list[IncubationRow]:
    """The incubations of the panel (the clinician's in any status, the officer's and the administrator's active
    ones), the ones needing attention first."""
    found: dict[int, tuple[PanelIncubation, int]] = {}
    for row in db.session.execute(_panel_query(whose), params):
        if row.id not in found:
            officer = PanelOfficer(row.officer_name) if row.officer_id is not None else None
            found[row.id] = (PanelIncubation(row.id, row.project_id, row.status, row.pathway, row.officer_id,
                                             PanelProject(row.title, row.device_class), officer), row.unanswered)
        if row.key is not None:
            found[row.id][0].milestones.append(PanelMilestone(
                row.key, row.milestone_status, row.planned_due, row.actual_start, row.actual_done))
    return ordered(found.values(), None)


@cache
def _panel_query(whose: str) -> Select:
    """Built once per process for each panel: "owner" (`owner_id`), "officer" (`officer_id`) or "all"."""
    unanswered = (select(func.count()).select_from(ServiceEntry)
                  .where(ServiceEntry.incubation_id == Incubation.id, ServiceEntry.kind == EntryKind.QUESTION,
                         or_(ServiceEntry.answer.is_(None), ServiceEntry.answer == ""))
                  .correlate(Incubation).scalar_subquery().label("unanswered"))
    query = (select(Incubation.id, Incubation.project_id, Incubation.status, Incubation.pathway,
                    Incubation.officer_id, Project.title, Project.device_class, User.name.label("officer_name"),
                    unanswered, Milestone.key, Milestone.status.label("milestone_status"), Milestone.planned_due,
                    Milestone.actual_start, Milestone.actual_done)
             .join(Project, Project.id == Incubation.project_id)
             .outerjoin(User, User.id == Incubation.officer_id)
             .outerjoin(Milestone, Milestone.incubation_id == Incubation.id)
             .order_by(Incubation.id, Milestone.position))
    if whose == "owner":
        return query.where(Project.owner_id == bindparam("owner_id"))
    query = query.where(Incubation.status == IncubationStatus.ACTIVE)
    if whose == "officer":
        query = query.where(Incubation.officer_id == bindparam("officer_id"))
    return query
