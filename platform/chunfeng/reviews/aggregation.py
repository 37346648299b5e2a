"""What the panel sees of a project's reviews: pure functions, no Flask, no database.

Conventions (shown to administrators beside the figures):
- weighted total = sum(weight * (score - 1) / 4) over the criteria; with weights summing to 100 it runs 0-100;
- SD is the *sample* standard deviation (n - 1), as study sections and peer-review tools report it: a panel is a
  sample of possible reviewers. It is undefined (None) below two reviews;
- range = max - min;
- disagreement: total SD >= 15 points or any criterion's range >= 3 (both configurable per round);
- calibration: score = project quality + reviewer offset + noise, fitted by least squares with a ridge penalty on
  the offsets (which makes the fit unique and centres offsets on the average reviewer). Only reviewers with at
  least `min_reviews` scored projects get an offset; the others count at face value. The calibrated total of a
  project is the mean of its reviews after each reviewer's offset is removed. It is shown beside the raw mean,
  never instead of it.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Stats:
    n: int
    mean: float | None = None
    median: float | None = None
    sd: float | None = None  # sample standard deviation (n - 1)
    low: float | None = None
    high: float | None = None

    @property
    def spread(self) -> float | None:
        """max - min (the 'range' column)."""
        return None if self.low is None else self.high - self.low


def describe(values: Iterable[float]) -> Stats:
    data = [float(v) for v in values if v is not None]
    if not data:
        return Stats(0)
    return Stats(
        n=len(data), mean=statistics.fmean(data), median=statistics.median(data),
        sd=statistics.stdev(data) if len(data) > 1 else None, low=min(data), high=max(data),
    )


def weighted_total(scores: Mapping[str, int], weights: Mapping[str, float]) -> float | None:
    """sum(weight * (score - 1) / 4); None unless every weighted criterion has a score."""
    if any(scores.get(key) is None for key in weights):
        return None
    return sum(weight * (scores[key] - 1) / 4 for key, weight in weights.items())


@dataclass(frozen=True)
class ScoreSheet:
    """One submitted review, reduced to what aggregation needs."""

    reviewer: Hashable
    scores: Mapping[str, int]
    gates: Mapping[str, bool] = field(default_factory=dict)
    overall: int | None = None
    confidence: int | None = None


@dataclass(frozen=True)
class Thresholds:
    total_sd: float = 15.0
    criterion_range: float = 3.0


@dataclass(frozen=True)
class Aggregate:
    n: int
    criteria: dict[str, Stats]
    total: Stats
    overall: Stats
    gates_failed: dict[str, int]  # gate key -> number of reviewers who answered "no"
    disagreement: tuple[str, ...]  # "total" and/or the keys of criteria whose range reaches the threshold

    @property
    def disagrees(self) -> bool:
        return bool(self.disagreement)


def aggregate(sheets: Sequence[ScoreSheet], weights: Mapping[str, float],
              thresholds: Thresholds = Thresholds()) -> Aggregate:
    criteria = {key: describe(s.scores.get(key) for s in sheets) for key in weights}
    total = describe(weighted_total(s.scores, weights) for s in sheets)
    failed = Counter(key for s in sheets for key, passed in s.gates.items() if passed is False)
    return Aggregate(
        n=len(sheets), criteria=criteria, total=total, overall=describe(s.overall for s in sheets),
        gates_failed=dict(failed), disagreement=disagreement(total, criteria, thresholds),
    )


def disagreement(total: Stats, criteria: Mapping[str, Stats], thresholds: Thresholds) -> tuple[str, ...]:
    reasons = []
    if total.sd is not None and total.sd >= thresholds.total_sd:
        reasons.append("total")
    reasons += [key for key, stats in criteria.items()
                if stats.spread is not None and stats.spread >= thresholds.criterion_range]
    return tuple(reasons)


# --- calibration -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Calibration:
    offsets: dict[Hashable, float]  # reviewer -> offset in points (negative: harsher); only reviewers calibrated
    calibrated: dict[Hashable, float]  # project -> mean of its reviews with the offsets removed
    reviews_per_reviewer: dict[Hashable, int]


def calibrate(observations: Iterable[tuple[Hashable, Hashable, float]], ridge: float = 1.0,
              min_reviews: int = 2, bounds: tuple[float, float] = (0.0, 100.0)) -> Calibration:
    """Fit y[project, reviewer] = quality[project] + offset[reviewer] + noise.

    `observations` are (project, reviewer, total) triples. Minimises the squared residuals plus
    ridge * sum(offset^2); offsets are estimated only for reviewers with >= min_reviews projects.
    """
    obs = [(p, r, float(y)) for p, r, y in observations]
    if not obs:
        return Calibration({}, {}, {})
    counts = Counter(r for _, r, _ in obs)
    projects = sorted({p for p, _, _ in obs}, key=str)
    reviewers = sorted((r for r, n in counts.items() if n >= min_reviews), key=str)
    p_col = {p: i for i, p in enumerate(projects)}
    r_col = {r: len(projects) + i for i, r in enumerate(reviewers)}
    # The least-squares solution through its normal equations with the projects' qualities eliminated:
    # quality[p] = (sum of p's totals - sum of its calibrated reviewers' offsets) / n[p], which leaves one
    # equation per calibrated reviewer (a system of reviewers x reviewers, whatever the number of projects):
    # (n[r] + ridge) offset[r] - sum_p c[p, r] sum_r' c[p, r'] offset[r'] / n[p] = Y[r] - sum_p c[p, r] Y[p] / n[p]
    # with c[p, r] the reviews of p by r and Y the sums of totals. Every offset has its ridge term, so the system
    # is positive definite for ridge > 0.
    n_p, y_p = Counter(), Counter()
    by_project: dict = defaultdict(Counter)  # project -> calibrated reviewer -> reviews
    for p, r, y in obs:
        n_p[p] += 1
        y_p[p] += y
        if r in r_col:
            by_project[p][r] += 1
    index = {r: i for i, r in enumerate(reviewers)}
    system = np.zeros((len(reviewers), len(reviewers)))
    rhs = np.zeros(len(reviewers))
    for _p, r, y in obs:
        if r in index:
            system[index[r], index[r]] += 1.0
            rhs[index[r]] += y
    for r in reviewers:
        system[index[r], index[r]] += ridge
    for p, counts in by_project.items():
        for r, c in counts.items():
            rhs[index[r]] -= c * y_p[p] / n_p[p]
            for r2, c2 in counts.items():
                system[index[r], index[r2]] -= c * c2 / n_p[p]
    solved = np.linalg.solve(system, rhs) if reviewers else np.zeros(0)
    offsets_by_index = {r: float(solved[index[r]]) for r in reviewers}
    solution = np.zeros(len(projects) + len(reviewers))
    for p in projects:
        solution[p_col[p]] = (y_p[p] - sum(c * offsets_by_index[r] for r, c in by_project[p].items())) / n_p[p]
    for r in reviewers:
        solution[r_col[r]] = offsets_by_index[r]
    offsets = {r: float(solution[r_col[r]]) for r in reviewers}
    low, high = bounds
    calibrated = {p: float(np.clip(solution[p_col[p]], low, high)) for p in projects}
    return Calibration(offsets, calibrated, dict(counts))


# --- suggestion ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bands:
    priority: float = 80.0
    selected: float = 60.0


@dataclass(frozen=True)
class Suggestion:
    outcome: str | None  # reviews.models.Outcome values; None without reviews
    pathways: tuple[str, ...]  # submissions.models.Pathway values
    basis: str  # why: no_reviews | gate_failed | priority_band | selected_band | below_bands

    def differences(self, outcome: str, pathways: Iterable[str]) -> tuple[str, ...]:
        """The fields of a decision that depart from the suggestion: "outcome" and/or "pathways". The suggested
        pathways are alternatives (class II: 审评前置 or 优先审批): one or more of them agrees; where no pathway is
        suggested, any pathway departs. Pathways are compared only for a selected outcome (no other takes one)."""
        differ = [] if outcome == self.outcome else ["outcome"]
        chosen = set(pathways)
        if outcome in SELECTED and (chosen - set(self.pathways) or (self.pathways and not chosen)):
            differ.append("pathways")
        return tuple(differ)


SELECTED = frozenset({"selected_priority", "selected"})
PRIORITY_PATHWAYS = {"II": ("pre_review", "priority"), "III": ("innovation",)}


def suggest(total_mean: float | None, gates_failed: Mapping[str, int], device_class: str,
            bands: Bands = Bands()) -> Suggestion:
    """The rubric's recommendation from the raw mean total: >= priority band: priority incubation with the
    class's pathway (II: 审评前置/优先审批, III: 创新医疗器械特别审查); >= selected band: selected; else not
    selected. A failed gate blocks any recommendation: the suggestion is then to ask for a revision."""
    if total_mean is None:
        return Suggestion(None, (), "no_reviews")
    if any(gates_failed.values()):
        return Suggestion("revision_requested", (), "gate_failed")
    if total_mean >= bands.priority:
        return Suggestion("selected_priority", PRIORITY_PATHWAYS.get(device_class, ()), "priority_band")
    if total_mean >= bands.selected:
        return Suggestion("selected", (), "selected_band")
    return Suggestion("not_selected", (), "below_bands")
