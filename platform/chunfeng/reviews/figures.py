"""The round page at scale: each project version's aggregate is stored (PanelFigures) when a review is submitted,
reopened or revised and when the round's thresholds change; the round page then reads a constant number of queries
whatever the number of projects: the entries with their projects, the stored figures, the assignment counts (one
grouped query), the latest versions (one grouped query), the decisions, and the reviews' stored totals for the
calibration. Figures missing for reviews stored before they existed are computed on the fly (never written on a
GET) until `flask refresh-review-figures` stores them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..db import db, utcnow
from ..submissions.models import DeviceClass, Project, ProjectVersion, VersionKind
from ..submissions.status import Status
from . import aggregation as agg
from .models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    AssignmentStatus,
    Decision,
    PanelFigures,
    Review,
    ReviewRound,
    ReviewScore,
    RoundEntry,
)
from .panel import bands, latest_decisions, sheet, thresholds


def _submitted(round_id: int, project_id: int, version_id: int | None) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(
        Assignment.round_id == round_id, Assignment.project_id == project_id, Assignment.version_id == version_id,
        Assignment.status == AssignmentStatus.SUBMITTED).options(
        selectinload(Assignment.review).selectinload(Review.scores).selectinload(ReviewScore.criterion),
        selectinload(Assignment.review).selectinload(Review.gate_answers))))


def compute(round_: ReviewRound, project_id: int, version_id: int | None) -> agg.Aggregate:
    return agg.aggregate([sheet(a) for a in _submitted(round_.id, project_id, version_id)], round_.rubric.weights,
                         thresholds(round_))


def refresh(round_: ReviewRound, project_id: int, version_id: int | None) -> PanelFigures:
    """Store the version's aggregate as its submitted reviews stand now (the caller flushed its change). The
    round's entry for the project is locked first, so two reviews of one project submitted at the same moment
    store their figures one after the other, the second with both reviews."""
    db.session.flush()
    db.session.scalar(select(RoundEntry.id).where(RoundEntry.round_id == round_.id,
                                                  RoundEntry.project_id == project_id).with_for_update())
    figures = db.session.scalar(select(PanelFigures).where(
        PanelFigures.round_id == round_.id, PanelFigures.project_id == project_id,
        PanelFigures.version_id == version_id))
    if figures is None:
        figures = PanelFigures(round_id=round_.id, project_id=project_id, version_id=version_id)
        db.session.add(figures)
    _store(figures, compute(round_, project_id, version_id))
    db.session.flush()
    return figures


def refresh_for(assignment: Assignment) -> PanelFigures:
    return refresh(assignment.round, assignment.project_id, assignment.version_id)


def refresh_round(round_: ReviewRound) -> int:
    """Store the figures of every project version with an assignment in the round (after a change of the round's
    thresholds, or for reviews stored before figures were); returns how many."""
    versions = db.session.execute(select(Assignment.project_id, Assignment.version_id).where(
        Assignment.round_id == round_.id).distinct()).all()
    for project_id, version_id in versions:
        refresh(round_, project_id, version_id)
    return len(versions)


def store_missing_totals(round_: ReviewRound) -> int:
    """Store the weighted total of the round's submitted reviews that have none (submitted before totals were
    stored); returns how many."""
    reviews = list(db.session.scalars(select(Review).join(Assignment).where(
        Assignment.round_id == round_.id, Assignment.status == AssignmentStatus.SUBMITTED, Review.total.is_(None))))
    for review in reviews:
        review.total = agg.weighted_total(review.score_by_key(), round_.rubric.weights)
    return len(reviews)


def _store(figures: PanelFigures, aggregate: agg.Aggregate) -> None:
    total = aggregate.total
    figures.n, figures.mean, figures.median, figures.sd = aggregate.n, total.mean, total.median, total.sd
    figures.low, figures.high = total.low, total.high
    figures.gates_failed, figures.disagreement = dict(aggregate.gates_failed), list(aggregate.disagreement)
    figures.updated_at = utcnow()


def as_aggregate(figures) -> agg.Aggregate:
    """The stored figures (a PanelFigures or a row of its columns) in the shape the pages read (criteria and the
    overall judgement are on the project page only)."""
    if figures is None:
        return agg.aggregate([], {})
    total = agg.Stats(figures.n, figures.mean, figures.median, figures.sd, figures.low, figures.high)
    return agg.Aggregate(n=figures.n, criteria={}, total=total, overall=agg.Stats(0),
                         gates_failed=dict(figures.gates_failed or {}),
                         disagreement=tuple(figures.disagreement or ()))


# --- the round page ----------------------------------------------------------------------------------------

class OverviewProject(NamedTuple):
    """What the round page shows of a project of the round (read as plain values)."""

    id: int
    title: str
    specialty: str
    device_class: DeviceClass
    status: Status


@dataclass
class OverviewRow:
    project: OverviewProject
    version_number: int | None
    aggregate: agg.Aggregate
    calibrated: float | None
    suggestion: agg.Suggestion
    decision: Decision | None
    active_count: int
    needs_re_review: bool

    @property
    def shown(self) -> tuple:
        """Every value the round page's row shows (the row is drawn once for them: templates/reviews/round.html)."""
        total, decision = self.aggregate.total, self.decision
        return (*self.project, self.version_number, self.needs_re_review, self.aggregate.disagreement,
                self.aggregate.n, self.active_count, total.mean, total.median, total.sd, total.spread,
                self.calibrated, tuple(self.aggregate.gates_failed.items()), self.suggestion.outcome,
                decision and (decision.outcome, decision.published_at))


def round_overview(round_: ReviewRound) -> list[OverviewRow]:
    """One row per project of the round, from the stored figures, in a constant number of queries."""
    entries = db.session.execute(
        select(RoundEntry.project_id, RoundEntry.version_id, Project.title, Project.specialty, Project.device_class,
               Project.status, ProjectVersion.number)
        .join(Project, Project.id == RoundEntry.project_id)
        .outerjoin(ProjectVersion, ProjectVersion.id == RoundEntry.version_id)
        .where(RoundEntry.round_id == round_.id).order_by(RoundEntry.id)).all()
    stored = {(f.project_id, f.version_id): f for f in db.session.execute(  # plain rows: read, never changed
        select(PanelFigures.project_id, PanelFigures.version_id, PanelFigures.n, PanelFigures.mean,
               PanelFigures.median, PanelFigures.sd, PanelFigures.low, PanelFigures.high, PanelFigures.gates_failed,
               PanelFigures.disagreement).where(PanelFigures.round_id == round_.id))}
    counts: dict[tuple, dict[AssignmentStatus, int]] = defaultdict(dict)
    for project_id, version_id, status, count in db.session.execute(
            select(Assignment.project_id, Assignment.version_id, Assignment.status, func.count())
            .where(Assignment.round_id == round_.id)
            .group_by(Assignment.project_id, Assignment.version_id, Assignment.status)):
        counts[(project_id, version_id)][status] = count
    latest = dict(db.session.execute(
        select(ProjectVersion.project_id, func.max(ProjectVersion.number))
        .join(RoundEntry, RoundEntry.project_id == ProjectVersion.project_id)
        .where(RoundEntry.round_id == round_.id, ProjectVersion.kind != VersionKind.SUPPLEMENT)  # not resubmitted
        .group_by(ProjectVersion.project_id)).all())
    decisions = latest_decisions(round_)
    fitted = calibration(round_)
    rows = []
    for project_id, version_id, title, specialty, device_class, status, number in entries:
        key = (project_id, version_id)
        figures = stored.get(key)
        submitted = counts[key].get(AssignmentStatus.SUBMITTED, 0)
        aggregate = as_aggregate(figures) if figures is not None and figures.n == submitted else \
            compute(round_, *key)  # reviews from before stored figures: computed, not written (a GET)
        rows.append(OverviewRow(
            project=OverviewProject(project_id, title, specialty, device_class, status), version_number=number,
            aggregate=aggregate, calibrated=fitted.calibrated.get(key) if aggregate.n else None,
            suggestion=agg.suggest(aggregate.total.mean, aggregate.gates_failed, device_class.value, bands(round_)),
            decision=decisions.get(project_id),
            active_count=sum(n for status, n in counts[key].items() if status in ACTIVE_ASSIGNMENT),
            needs_re_review=(status == Status.UNDER_REVIEW and number is not None
                             and latest.get(project_id, number) != number),
        ))
    return rows


def calibration(round_: ReviewRound) -> agg.Calibration:
    """Reviewer offsets from the stored totals of the round's submitted reviews (two queries at most: a review
    stored before totals were has its total computed from its scores)."""
    rows = db.session.execute(
        select(Assignment.project_id, Assignment.version_id, Assignment.expert_id, Review.id, Review.total)
        .join(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.round_id == round_.id, Assignment.status == AssignmentStatus.SUBMITTED)).all()
    missing = [review_id for *_rest, review_id, total in rows if total is None]
    computed = _totals(round_, missing) if missing else {}
    observations = [((p, v), expert, total if total is not None else computed.get(review_id))
                    for p, v, expert, review_id, total in rows]
    return agg.calibrate([o for o in observations if o[2] is not None], min_reviews=round_.calibration_min_reviews)


def _totals(round_: ReviewRound, review_ids: list[int]) -> dict[int, float | None]:
    keys = {c.id: c.key for c in round_.rubric.criteria}
    scores: dict[int, dict[str, int]] = defaultdict(dict)
    for review_id, criterion_id, value in db.session.execute(select(
            ReviewScore.review_id, ReviewScore.criterion_id, ReviewScore.value).where(
            ReviewScore.review_id.in_(review_ids))):
        scores[review_id][keys.get(criterion_id, "")] = value
    return {review_id: agg.weighted_total(scores[review_id], round_.rubric.weights) for review_id in review_ids}
