"""Aggregation figures against hand-computed values, and calibration on synthetic scores."""

import math
import random

import pytest

from chunfeng.reviews import aggregation as agg
from chunfeng.reviews.rubrics import DEFAULT_CRITERIA

WEIGHTS = {"a": 60, "b": 40}
# totals by hand: 60*(5-1)/4 + 40*(3-1)/4 = 80; 60*3/4 + 40*3/4 = 75; 60*1/4 + 40*4/4 = 55
SHEETS = [
    agg.ScoreSheet("r1", {"a": 5, "b": 3}, {"ethics": True}, overall=4),
    agg.ScoreSheet("r2", {"a": 4, "b": 4}, {"ethics": True}, overall=4),
    agg.ScoreSheet("r3", {"a": 2, "b": 5}, {"ethics": False}, overall=2),
]


def test_weighted_total_of_the_reference_rubric_runs_from_0_to_100():
    weights = {key: weight for key, weight, *_ in DEFAULT_CRITERIA}
    assert sum(weights.values()) == 100
    assert agg.weighted_total(dict.fromkeys(weights, 5), weights) == 100
    assert agg.weighted_total(dict.fromkeys(weights, 1), weights) == 0
    assert agg.weighted_total(dict.fromkeys(weights, 3), weights) == 50
    assert agg.weighted_total({"need": 5}, weights) is None, "an incomplete review has no total"


def test_totals_per_review_by_hand():
    assert [agg.weighted_total(s.scores, WEIGHTS) for s in SHEETS] == [80, 75, 55]


def test_total_statistics_by_hand():
    result = agg.aggregate(SHEETS, WEIGHTS)
    total = result.total
    assert result.n == 3 and total.n == 3
    assert total.mean == pytest.approx(70.0)  # (80 + 75 + 55) / 3
    assert total.median == 75
    assert total.sd == pytest.approx(math.sqrt(350 / 2))  # squared deviations 100 + 25 + 225, n - 1 = 2
    assert total.spread == 25


def test_criterion_statistics_by_hand():
    result = agg.aggregate(SHEETS, WEIGHTS)
    a, b = result.criteria["a"], result.criteria["b"]
    assert a.mean == pytest.approx(11 / 3) and a.median == 4 and a.spread == 3
    assert a.sd == pytest.approx(math.sqrt((16 / 9 + 1 / 9 + 25 / 9) / 2))
    assert (b.mean, b.median, b.sd, b.spread) == (4, 4, 1, 2)
    assert result.overall.mean == pytest.approx(10 / 3)


def test_disagreement_flags_a_criterion_range_of_3_but_not_a_total_sd_under_15():
    result = agg.aggregate(SHEETS, WEIGHTS)
    assert result.disagreement == ("a",)
    assert agg.aggregate(SHEETS, WEIGHTS, agg.Thresholds(total_sd=13, criterion_range=4)).disagreement == ("total",)
    calm = agg.aggregate(SHEETS[:2], WEIGHTS)
    assert not calm.disagrees


def test_gates_failed_are_counted():
    assert agg.aggregate(SHEETS, WEIGHTS).gates_failed == {"ethics": 1}


def test_sd_is_undefined_for_one_review_and_everything_for_none():
    one = agg.aggregate(SHEETS[:1], WEIGHTS)
    assert one.total.sd is None and one.total.mean == 80 and one.total.spread == 0
    none = agg.aggregate([], WEIGHTS)
    assert none.n == 0 and none.total.mean is None and not none.disagrees


@pytest.mark.parametrize("mean,gates,device_class,expected", [
    (85, {}, "III", ("selected_priority", ("innovation",))),
    (85, {}, "II", ("selected_priority", ("pre_review", "priority"))),
    (80, {}, "I", ("selected_priority", ())),
    (79.9, {}, "II", ("selected", ())),
    (60, {}, "III", ("selected", ())),
    (59.9, {}, "II", ("not_selected", ())),
    (95, {"ethics": 1}, "III", ("revision_requested", ())),
    (None, {}, "II", (None, ())),
])
def test_suggestion_follows_the_bands_the_class_and_the_gates(mean, gates, device_class, expected):
    suggestion = agg.suggest(mean, gates, device_class)
    assert (suggestion.outcome, suggestion.pathways) == expected


def test_bands_are_configurable():
    assert agg.suggest(72, {}, "II", agg.Bands(priority=70, selected=50)).outcome == "selected_priority"


def test_calibration_on_a_two_by_two_table_by_hand():
    # project x reviewer: B scores 20 below A on both projects. With ridge 1 the loss is
    # 4 (10 - t)^2 + 2 t^2 for offsets (t, -t): t = 80 / 12 = 6.667; qualities are the row means.
    observations = [("p1", "A", 70), ("p1", "B", 50), ("p2", "A", 80), ("p2", "B", 60)]
    fit = agg.calibrate(observations, ridge=1.0)
    assert fit.offsets["A"] == pytest.approx(20 / 3) and fit.offsets["B"] == pytest.approx(-20 / 3)
    assert fit.calibrated == pytest.approx({"p1": 60, "p2": 70})


def test_reviewers_with_too_few_reviews_keep_their_scores_at_face_value():
    observations = [("p1", "A", 70), ("p2", "A", 80), ("p1", "B", 50), ("p3", "C", 40)]
    fit = agg.calibrate(observations, min_reviews=2)
    assert set(fit.offsets) == {"A"}, "B and C have one review each: no offset is estimated for them"
    assert fit.calibrated["p3"] == pytest.approx(40)


def synthetic(seed: int = 7, harsh: float = -15.0):
    """40 projects, 8 reviewers, 3 reviews each; reviewer r0 scores `harsh` points below the others."""
    rng = random.Random(seed)
    quality = {f"p{i}": rng.uniform(35, 85) for i in range(40)}
    offset = {f"r{j}": (harsh if j == 0 else 0.0) for j in range(8)}
    observations = []
    for project, q in quality.items():
        for reviewer in rng.sample(sorted(offset), 3):
            observations.append((project, reviewer, q + offset[reviewer] + rng.gauss(0, 3)))
    return quality, observations


def test_calibration_recovers_a_known_reviewer_offset():
    quality, observations = synthetic()
    fit = agg.calibrate(observations, ridge=1.0, bounds=(-100, 200))
    others = [fit.offsets[f"r{j}"] for j in range(1, 8)]
    assert fit.offsets["r0"] - sum(others) / len(others) == pytest.approx(-15, abs=2.5)
    assert all(abs(o - sum(others) / len(others)) < 3 for o in others)
    assert sum(fit.offsets.values()) == pytest.approx(0, abs=1e-6), "offsets are centred on the average reviewer"


def test_calibrated_totals_are_closer_to_the_truth_than_raw_means():
    quality, observations = synthetic()
    fit = agg.calibrate(observations, bounds=(-100, 200))
    raw = {p: sum(y for q, _r, y in observations if q == p) / 3 for p in quality}

    def rmse(estimate):
        level = sum(estimate[p] - quality[p] for p in quality) / len(quality)  # compare shapes, not the level
        return math.sqrt(sum((estimate[p] - quality[p] - level) ** 2 for p in quality) / len(quality))

    assert rmse(fit.calibrated) < 0.6 * rmse(raw)


def test_calibrated_totals_are_clipped_to_the_scale():
    fit = agg.calibrate([("p1", "A", 100), ("p2", "A", 100), ("p1", "B", 40), ("p2", "B", 100)])
    assert all(0 <= v <= 100 for v in fit.calibrated.values())
