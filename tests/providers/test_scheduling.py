"""The matchmaking day's scheduler: no double booking of a person or a table, availability respected, and a better
total than a random valid schedule on the same input."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from chunfeng.providers.scheduling import Placed, propose, total


def _instance(seed: int, people: int = 24, slots: int = 6, tables: int = 5):
    rng = random.Random(seed)
    free = {p: {s for s in range(slots) if rng.random() < 0.7} for p in range(people)}
    scores = {(a, b): round(rng.random(), 3) for a in range(people) for b in range(a + 1, people)
              if rng.random() < 0.4}
    return free, scores, slots, tables


def _random_schedule(free, scores, slots, tables, rng) -> list[Placed]:
    """A valid schedule that ignores the scores: random pairs, placed where they fit."""
    pairs = [p for p, s in scores.items() if s > 0]
    rng.shuffle(pairs)
    booked: dict[int, set[int]] = {s: set() for s in range(slots)}
    count = Counter()
    out = []
    for a, b in pairs:
        for s in rng.sample(range(slots), slots):
            if s in free[a] and s in free[b] and not {a, b} & booked[s] and count[s] < tables:
                booked[s] |= {a, b}
                count[s] += 1
                out.append(Placed(s, count[s], a, b, scores[(a, b)]))
                break
    return out


def _check_valid(schedule, free, scores, tables):
    seen_pairs = set()
    for slot in {m.slot for m in schedule}:
        in_slot = [m for m in schedule if m.slot == slot]
        people = [p for m in in_slot for p in (m.first, m.second)]
        assert len(people) == len(set(people)), f"someone is double booked in slot {slot}"
        assert len({m.table for m in in_slot}) == len(in_slot) and all(1 <= m.table <= tables for m in in_slot)
    for m in schedule:
        assert m.slot in free[m.first] and m.slot in free[m.second], "a meeting outside someone's free slots"
        assert (m.first, m.second) not in seen_pairs, "a pair meets twice"
        seen_pairs.add((m.first, m.second))
        assert scores[(m.first, m.second)] == m.score > 0


@pytest.mark.parametrize("seed", range(8))
def test_the_schedule_is_valid_and_beats_a_random_one(seed):
    free, scores, slots, tables = _instance(seed)
    schedule = propose(free, scores, slots, tables)
    _check_valid(schedule, free, scores, tables)
    rng = random.Random(1000 + seed)
    randoms = [total(_random_schedule(free, scores, slots, tables, rng)) for _ in range(20)]
    assert total(schedule) > max(randoms)


def test_tables_limit_the_meetings_per_slot_and_the_best_pair_is_kept():
    free = {1: {0}, 2: {0}, 3: {0}, 4: {0}}
    scores = {(1, 2): 0.2, (3, 4): 0.9, (1, 3): 0.5}
    schedule = propose(free, scores, slots=1, tables=1)
    assert [(m.first, m.second) for m in schedule] == [(3, 4)]
    two_tables = propose(free, scores, slots=1, tables=2)
    assert {(m.first, m.second) for m in two_tables} == {(3, 4), (1, 2)}


def test_the_improvement_swaps_in_a_pair_worth_more_than_what_blocks_it():
    # Greedy alone puts the stronger (1,3) in slot 0, the only slot 2 is free in: (1,2) is left out. The
    # improvement puts (1,2) there and moves (1,3) to slot 1.
    free = {1: {0, 1}, 2: {0}, 3: {0, 1}}
    scores = {(1, 3): 0.6, (1, 2): 0.5, (2, 3): 0.0}
    schedule = propose(free, scores, slots=2, tables=1)
    _check_valid(schedule, free, scores, 1)
    assert total(schedule) == pytest.approx(1.1), "both pairs meet: (1,2) in slot 0 and (1,3) in slot 1"


def test_nobody_without_free_slots_or_a_positive_score_meets():
    free = {1: set(), 2: {0}, 3: {0}}
    assert propose(free, {(1, 2): 0.9, (2, 3): 0.0}, slots=1, tables=3) == []
