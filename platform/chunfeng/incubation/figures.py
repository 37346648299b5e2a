"""The administrator's figures: projects per stage, approvals per review round, median working days per stage and
overdue counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.clock import working_days_between
from ..reviews.services import latest_decision
from ..submissions.models import Project
from . import timers
from .models import Incubation, IncubationStatus, MilestoneKey, MilestoneStatus
from .plan import PLAN_KEYS
from .tracking import rows


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
    every = rows(select(Incubation), on)
    result = Figures()
    active = [r for r in every if r.incubation.status == IncubationStatus.ACTIVE]
    result.active = len(active)
    result.approved = sum(r.incubation.status == IncubationStatus.APPROVED for r in every)
    stage_counts = Counter(r.current.key for r in active if r.current)
    result.per_stage = {key: stage_counts.get(key, 0) for key in PLAN_KEYS}
    durations: dict[MilestoneKey, list[int]] = {key: [] for key in PLAN_KEYS}
    for row in every:
        for view in row.milestones:
            m = view.milestone
            if m.status == MilestoneStatus.DONE and m.actual_start and m.actual_done:
                durations[m.key].append(working_days_between(m.actual_start, m.actual_done))
    result.median_days = {key: timers.median_days(values) for key, values in durations.items()}
    result.completed = {key: len(values) for key, values in durations.items()}
    result.overdue_projects = sum(1 for r in active if r.overdue)
    result.overdue_milestones = sum(len(r.overdue) for r in active)
    result.approvals = approvals_per_round([r.incubation for r in every
                                            if r.incubation.status == IncubationStatus.APPROVED])
    return result


def approvals_per_round(approved: list[Incubation]) -> list[tuple[str, int]]:
    """Approved projects counted by the review round whose decision selected them (by year without one)."""
    counts = Counter(_round_name(inc.project) or _("Approved in %(year)s", year=inc.approved_on.year)
                     for inc in approved if inc.approved_on)
    return sorted(counts.items())


def _round_name(project: Project) -> str | None:
    decision = latest_decision(project)
    round_ = getattr(decision, "round", None)
    return getattr(round_, "name", None)
