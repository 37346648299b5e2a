"""Figures for the administrator dashboard, each from one GROUP BY query (never a loop over all rows).

Reviews and matching figures read those domains' models when they are installed and are left out otherwise,
so the dashboard works whichever domains a deployment has. Every figure can be limited to a period (days in the
platform's zone): each chart counts what happened in it (see PERIOD_MEANS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, cast, distinct, func, select

from ..accounts.models import User
from ..db import db
from ..matching import models as matching
from ..reviews import models as reviews
from ..submissions import models as submissions
from ..submissions.models import Project, StatusEvent
from ..submissions.status import STATUS_LABELS, Status
from .services import local_day_start

TOP_SPECIALTIES = 12


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, in the platform's zone; an open side reaches to the first or the
    latest record."""

    start: date | None = None
    end: date | None = None

    @property
    def is_open(self) -> bool:
        return self.start is None and self.end is None

    def where(self, column) -> list:
        """Conditions keeping a stored (UTC) time inside the period."""
        found = []
        if self.start is not None:
            found.append(column >= local_day_start(self.start))
        if self.end is not None:
            found.append(column < local_day_start(self.end + timedelta(days=1)))
        return found


ALL_TIME = Period()

# What a period counts, chart by chart (shown under the period form).
PERIOD_MEANS = _l("In a period: projects created (status), projects submitted (specialty, stage, class), status "
                  "changes (funnel), reviews submitted (scores), invitations sent (reviewer progress) and connections "
                  "requested (connections).")


@dataclass
class Series:
    label: Any
    values: list[float]


@dataclass
class Chart:
    """One figure: a chart for the eye and the same numbers as a table for everyone (and without JavaScript)."""

    key: str
    title: Any
    kind: str  # Chart.js type: bar, doughnut
    labels: list[Any]
    series: list[Series]
    horizontal: bool = False
    stacked: bool = False
    note: Any = ""
    unit: Any = field(default_factory=lambda: _l("projects"))

    @property
    def is_empty(self) -> bool:
        return not any(any(s.values) for s in self.series)

    def rows(self) -> list[tuple[Any, list[float]]]:
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]

    def config(self) -> dict[str, Any]:
        """What static/js/admin.js hands to Chart.js (labels already in the reader's language)."""
        return {
            "type": self.kind, "horizontal": self.horizontal, "stacked": self.stacked,
            "labels": [str(label) for label in self.labels],
            "datasets": [{"label": str(s.label), "data": s.values} for s in self.series],
        }


def _label(labels: dict, value: Any) -> Any:
    return labels.get(value, value) if value not in (None, "") else _l("Not stated")


def _counts(column, *where) -> dict[Any, int]:
    query = select(column, func.count()).select_from(Project).where(*where).group_by(column)
    return {key: count for key, count in db.session.execute(query)}


Breakdown = dict[tuple[str, Any, Any], int]


def submitted_breakdown(period: Period = ALL_TIME) -> Breakdown:
    """Submitted projects counted by (specialty, stage, class) in one GROUP BY: the three charts below share it,
    so the table is read once."""
    columns = (Project.specialty, Project.stage, Project.device_class)
    submitted = Project.submitted_at
    query = select(*columns, func.count()).where(submitted.is_not(None), *period.where(submitted)).group_by(*columns)
    return {(specialty, stage, kind): count for specialty, stage, kind, count in db.session.execute(query)}


def _sum_by(breakdown: Breakdown, position: int) -> dict[Any, int]:
    totals: dict[Any, int] = {}
    for key, count in breakdown.items():
        totals[key[position]] = totals.get(key[position], 0) + count
    return totals


# --- submissions -----------------------------------------------------------------------------------------

def by_status(period: Period = ALL_TIME) -> Chart:
    counts = _counts(Project.status, *period.where(Project.created_at))
    states = [s for s in Status if counts.get(s)]
    return Chart("by-status", _l("Projects by status"), "bar", [STATUS_LABELS[s] for s in states],
                 [Series(_l("Projects"), [counts[s] for s in states])], horizontal=True,
                 note=_l("All projects, drafts included."))


def by_specialty(breakdown: Breakdown | None = None) -> Chart:
    totals = _sum_by(breakdown if breakdown is not None else submitted_breakdown(), 0)
    counts = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    shown, rest = counts[:TOP_SPECIALTIES], counts[TOP_SPECIALTIES:]
    labels = [_label({}, name) for name, _count in shown]
    values = [count for _name, count in shown]
    if rest:
        labels.append(_l("Other specialties"))
        values.append(sum(count for _name, count in rest))
    return Chart("by-specialty", _l("Submitted projects by specialty"), "bar", labels,
                 [Series(_l("Projects"), values)], horizontal=True)


def _enum_chart(key: str, title: Any, counts: dict[Any, int], members, labels: dict, kind: str = "bar") -> Chart:
    present = [m for m in members if counts.get(m)]
    return Chart(key, title, kind, [_label(labels, m) for m in present],
                 [Series(_l("Projects"), [counts[m] for m in present])])


def by_stage(breakdown: Breakdown | None = None) -> Chart:
    counts = _sum_by(breakdown if breakdown is not None else submitted_breakdown(), 1)
    return _enum_chart("by-stage", _l("Submitted projects by development stage"), counts,
                       list(submissions.Stage), getattr(submissions, "STAGE_LABELS", {}))


def by_class(breakdown: Breakdown | None = None) -> Chart:
    counts = _sum_by(breakdown if breakdown is not None else submitted_breakdown(), 2)
    return _enum_chart("by-class", _l("Submitted projects by device class"), counts,
                       list(submissions.DeviceClass), getattr(submissions, "DEVICE_CLASS_LABELS", {}),
                       kind="doughnut")


S = Status
# Each stage counts the projects that reached it or any later stage, so the funnel never widens.
FUNNEL = (
    (_l("Submitted"), {S.SUBMITTED}),
    (_l("Formal check passed"), {S.ACCEPTED}),
    (_l("Reviewed"), {S.SELECTED_PRIORITY, S.SELECTED, S.NOT_SELECTED, S.REVISION_REQUESTED}),
    (_l("Selected"), {S.SELECTED_PRIORITY, S.SELECTED}),
    (_l("Matching"), {S.MATCHING}),
    (_l("Incubation"), {S.INCUBATION}),
    (_l("Approved for market"), {S.APPROVED}),
)


def funnel(period: Period = ALL_TIME) -> Chart:
    """Distinct projects whose history reached each stage (or a later one), in one pass over the history; in a
    period, the changes made in it."""
    columns, later = [], set()
    for _label_text, states in reversed(FUNNEL):
        later |= {str(s) for s in states}
        reached = case((StatusEvent.to_status.in_(sorted(later)), StatusEvent.project_id))
        columns.append(func.count(distinct(reached)))
    values = list(reversed(db.session.execute(select(*columns).where(*period.where(StatusEvent.at))).one()))
    return Chart("funnel", _l("From submission to incubation"), "bar", [label for label, _ in FUNNEL],
                 [Series(_l("Projects"), values)],
                 note=_l("Each bar counts the projects that reached this stage or a later one."))


# --- reviews ---------------------------------------------------------------------------------------------

SCORE_BINS = [f"{low}–{low + 9}" if low < 90 else "90–100" for low in range(0, 100, 10)]


def score_distribution(period: Period = ALL_TIME) -> Chart | None:
    """Submitted reviews' weighted totals (0-100, docs/rubric.md) in bins of ten points, one series per round."""
    r, score, criterion, assignment = reviews.Review, reviews.ReviewScore, reviews.Criterion, reviews.Assignment
    points = func.sum(criterion.weight * (score.value - 1)) * 25.0 / func.sum(criterion.weight)
    totals = (select(assignment.round_id.label("round_id"), points.label("total"))
              .select_from(r).join(assignment, r.assignment_id == assignment.id)
              .join(score, score.review_id == r.id).join(criterion, score.criterion_id == criterion.id)
              .where(r.submitted_at.is_not(None), *period.where(r.submitted_at))
              .group_by(r.id, assignment.round_id).subquery())
    bin_no = case((totals.c.total >= 90, 9), else_=cast(totals.c.total / 10, Integer))
    query = (select(reviews.ReviewRound.name, bin_no, func.count())
             .join(reviews.ReviewRound, reviews.ReviewRound.id == totals.c.round_id)
             .group_by(reviews.ReviewRound.id, reviews.ReviewRound.name, bin_no).order_by(reviews.ReviewRound.id))
    per_round: dict[str, list[float]] = {}
    for round_name, bin_index, count in db.session.execute(query):
        per_round.setdefault(round_name, [0] * len(SCORE_BINS))[int(bin_index)] += count
    return Chart("scores", _l("Distribution of review scores per round"), "bar", SCORE_BINS,
                 [Series(name, values) for name, values in per_round.items()], unit=_l("reviews"),
                 note=_l("Weighted totals of submitted reviews, 0 to 100 points."))


def reviewer_progress(period: Period = ALL_TIME) -> Chart | None:
    """Assignments of each round by status: what the experts have done and what is still outstanding."""
    a, rnd = reviews.Assignment, reviews.ReviewRound
    shown = [s for s in reviews.AssignmentStatus if s != reviews.AssignmentStatus.PROPOSED]
    query = (select(rnd.name, a.status, func.count()).join(rnd, rnd.id == a.round_id)
             .where(a.status != reviews.AssignmentStatus.PROPOSED, *period.where(a.invited_at))
             .group_by(rnd.id, rnd.name, a.status).order_by(rnd.id))
    rounds: dict[str, dict[Any, int]] = {}
    for name, status, count in db.session.execute(query):
        rounds.setdefault(name, {})[status] = count
    labels = reviews.ASSIGNMENT_STATUS_LABELS
    return Chart("reviewer-progress", _l("Reviewer progress per round"), "bar", list(rounds),
                 [Series(_label(labels, s), [rounds[name].get(s, 0) for name in rounds]) for s in shown],
                 horizontal=True, stacked=True, unit=_l("assignments"))


def reviewer_table(limit: int = 20) -> list[dict[str, Any]]:
    """Per expert in rounds still under way: assigned, submitted, outstanding (the reminder list), the experts
    with most outstanding first."""

    a, rnd, st = reviews.Assignment, reviews.ReviewRound, reviews.AssignmentStatus
    live = (reviews.RoundStatus.OPEN, reviews.RoundStatus.REVIEWING)
    counted = (st.INVITED, st.ACCEPTED, st.SUBMITTED)
    submitted = func.sum(case((a.status == st.SUBMITTED, 1), else_=0))
    query = (select(rnd.name, User.name, func.count(a.id), submitted)
             .join(rnd, rnd.id == a.round_id).join(User, User.id == a.expert_id)
             .where(rnd.status.in_(live), a.status.in_(counted))
             .group_by(rnd.id, rnd.name, User.id, User.name)
             .order_by((func.count(a.id) - submitted).desc(), rnd.id, User.name).limit(limit))
    return [{"round": round_name, "expert": expert, "assigned": total, "submitted": int(done or 0),
             "outstanding": total - int(done or 0)} for round_name, expert, total, done in db.session.execute(query)]


# --- matching --------------------------------------------------------------------------------------------

CONNECTION_LABELS = {
    "requested": _l("Requested, awaiting the clinician"),
    "contact": _l("First contact"),
    "meeting": _l("Meeting"),
    "nda": _l("Confidentiality agreement"),
    "agreement": _l("Cooperation agreement"),
    "incubation": _l("In incubation"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "closed": _l("Closed"),
}


def connection_stages(period: Period = ALL_TIME) -> Chart | None:
    """Connections (对接) by where they stand: accepted ones by stage, the others by status."""
    c = matching.Connection
    query = select(c.status, c.stage, func.count()).where(*period.where(c.created_at)).group_by(c.status, c.stage)
    counts: dict[str, int] = {}
    for status, stage, count in db.session.execute(query):
        key = str(stage) if str(status) == "accepted" else str(status)
        counts[key] = counts.get(key, 0) + count
    keys = [k for k in CONNECTION_LABELS if counts.get(k)]
    return Chart("connections", _l("Connections with companies and investors"), "bar",
                 [CONNECTION_LABELS[k] for k in keys], [Series(_l("Connections"), [counts[k] for k in keys])],
                 unit=_l("connections"))


def charts(period: Period = ALL_TIME) -> list[Chart]:
    breakdown = submitted_breakdown(period)
    found = [by_status(period), funnel(period), by_specialty(breakdown), by_stage(breakdown), by_class(breakdown),
             score_distribution(period), reviewer_progress(period), connection_stages(period)]
    return [chart for chart in found if chart is not None]


def chart(key: str, period: Period = ALL_TIME) -> Chart | None:
    """One chart by its key (as in its download link), or None."""
    return next((found for found in charts(period) if found.key == key), None)
