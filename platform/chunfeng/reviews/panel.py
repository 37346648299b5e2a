"""The panel's figures for a round, read from the database and computed by aggregation.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..db import db
from . import aggregation as agg
from .assignment import needs_re_review, round_entries
from .models import ACTIVE_ASSIGNMENT, Assignment, AssignmentStatus, Decision, Review, ReviewRound, RoundEntry

BASIS_LABELS = {
    "no_reviews": _l("No completed review yet."),
    "gate_failed": _l("A gate was answered no: no recommendation is possible; a revision may put it right."),
    "priority_band": _l("The mean total is in the priority incubation band."),
    "selected_band": _l("The mean total is in the selection band."),
    "below_bands": _l("The mean total is below the selection band."),
}


@dataclass
class ProjectPanel:
    entry: RoundEntry
    assignments: list[Assignment]  # for the version under review
    aggregate: agg.Aggregate
    calibrated: float | None
    suggestion: agg.Suggestion
    decision: Decision | None
    needs_re_review: bool

    @property
    def project(self):
        return self.entry.project

    @property
    def submitted(self) -> list[Assignment]:
        return [a for a in self.assignments if a.status == AssignmentStatus.SUBMITTED]

    @property
    def active_count(self) -> int:
        return sum(1 for a in self.assignments if a.status in ACTIVE_ASSIGNMENT)


def thresholds(round_: ReviewRound) -> agg.Thresholds:
    return agg.Thresholds(total_sd=round_.disagreement_sd, criterion_range=round_.disagreement_range)


def bands(round_: ReviewRound) -> agg.Bands:
    return agg.Bands(priority=round_.band_priority, selected=round_.band_selected)


def sheet(assignment: Assignment) -> agg.ScoreSheet:
    review = assignment.review
    return agg.ScoreSheet(reviewer=assignment.expert_id, scores=review.score_by_key(),
                          gates=review.gates_by_key(), overall=review.overall, confidence=review.confidence)


def _round_assignments(round_: ReviewRound) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id)
        .options(selectinload(Assignment.review).selectinload(Review.scores),
                 selectinload(Assignment.review).selectinload(Review.gate_answers),
                 selectinload(Assignment.expert).selectinload(User.organization))
        .order_by(Assignment.id)))


def latest_decisions(round_: ReviewRound) -> dict[int, Decision]:
    found: dict[int, Decision] = {}
    for decision in db.session.scalars(
            select(Decision).where(Decision.round_id == round_.id).order_by(Decision.decided_at, Decision.id)):
        found[decision.project_id] = decision
    return found


def calibration(round_: ReviewRound, assignments: Sequence[Assignment]) -> agg.Calibration:
    """Reviewer offsets fitted on every submitted review of the round; a project version is one item."""
    weights = round_.rubric.weights
    observations = [((a.project_id, a.version_id), a.expert_id, agg.weighted_total(a.review.score_by_key(), weights))
                    for a in assignments if a.status == AssignmentStatus.SUBMITTED]
    return agg.calibrate([o for o in observations if o[2] is not None], min_reviews=round_.calibration_min_reviews)


def round_panel(round_: ReviewRound, only: RoundEntry | None = None) -> list[ProjectPanel]:
    """One row per project of the round (or only `only`), with the figures of its current version."""
    assignments = _round_assignments(round_)
    fitted = calibration(round_, assignments)
    decisions = latest_decisions(round_)
    weights = round_.rubric.weights
    panels = []
    by_version = defaultdict(list)
    for a in assignments:
        by_version[(a.project_id, a.version_id)].append(a)
    for entry in [only] if only else round_entries(round_):
        mine = by_version[(entry.project_id, entry.version_id)]
        sheets = [sheet(a) for a in mine if a.status == AssignmentStatus.SUBMITTED]
        aggregate = agg.aggregate(sheets, weights, thresholds(round_))
        suggestion = agg.suggest(aggregate.total.mean, aggregate.gates_failed,
                                 entry.project.device_class.value, bands(round_))
        panels.append(ProjectPanel(
            entry=entry, assignments=mine, aggregate=aggregate,
            calibrated=fitted.calibrated.get((entry.project_id, entry.version_id)) if sheets else None,
            suggestion=suggestion, decision=decisions.get(entry.project_id), needs_re_review=needs_re_review(entry),
        ))
    return panels


def project_panel(round_: ReviewRound, entry: RoundEntry) -> ProjectPanel:
    return round_panel(round_, only=entry)[0]


def reviewer_offsets(round_: ReviewRound) -> dict[int, float]:
    return calibration(round_, _round_assignments(round_)).offsets
