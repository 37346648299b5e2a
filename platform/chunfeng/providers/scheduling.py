"""The 1:1 schedule of a matchmaking day: which pairs meet, in which slot, at which table. Plain Python (numbers in,
numbers out): the database side is in `events.py`.

`propose` places the best-scoring pairs first (greedy), each at the earliest slot both people are free with a table
left, then improves: a pair left out replaces the meetings that block it in a slot when it scores more than they do
together. No person meets twice in a slot, no table holds two meetings, no one meets outside their free slots, and
no pair meets twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Pair = tuple[int, int]


@dataclass(frozen=True)
class Placed:
    slot: int
    table: int
    first: int
    second: int
    score: float


class _Grid:
    def __init__(self, free: Mapping[int, set[int]], slots: int, tables: int) -> None:
        self.free, self.slots, self.tables = free, slots, tables
        self.by_slot: dict[int, dict[Pair, float]] = {s: {} for s in range(slots)}

    def busy(self, slot: int, person: int) -> Pair | None:
        return next((p for p in self.by_slot[slot] if person in p), None)

    def can_meet(self, slot: int, pair: Pair) -> bool:
        return all(slot in self.free.get(person, ()) for person in pair)

    def fits(self, slot: int, pair: Pair) -> bool:
        return (self.can_meet(slot, pair) and len(self.by_slot[slot]) < self.tables
                and self.busy(slot, pair[0]) is None and self.busy(slot, pair[1]) is None)

    def blockers(self, slot: int, pair: Pair) -> list[Pair]:
        """The meetings to drop from the slot so that the pair fits (people busy, else the weakest if it is full)."""
        found = {b for b in (self.busy(slot, pair[0]), self.busy(slot, pair[1])) if b is not None}
        if len(self.by_slot[slot]) - len(found) >= self.tables:
            rest = {p: s for p, s in self.by_slot[slot].items() if p not in found}
            found.add(min(rest, key=rest.get))
        return list(found)


def _improve(grid: _Grid, placed: set[Pair], pair: Pair, score: float) -> None:
    """Try the pair in each slot both are free in: drop the meetings blocking it, then place those again elsewhere
    where they fit. Keep the best change when it raises the total."""
    best = None
    for slot in range(grid.slots):
        if not grid.can_meet(slot, pair):
            continue
        saved = {s: dict(m) for s, m in grid.by_slot.items()}
        blocking = grid.blockers(slot, pair)
        for b in blocking:
            del grid.by_slot[slot][b]
        grid.by_slot[slot][pair] = score
        gain = score
        for b in blocking:
            again = next((s for s in range(grid.slots) if s != slot and grid.fits(s, b)), None)
            if again is None:
                gain -= saved[slot][b]
            else:
                grid.by_slot[again][b] = saved[slot][b]
        if gain > 1e-12 and (best is None or gain > best[0]):
            best = (gain, {s: dict(m) for s, m in grid.by_slot.items()})
        grid.by_slot = saved
    if best is not None:
        grid.by_slot = best[1]
        placed.clear()
        placed.update(p for m in grid.by_slot.values() for p in m)


def propose(free: Mapping[int, set[int]], scores: Mapping[Pair, float], slots: int, tables: int) -> list[Placed]:
    """`free`: person -> the slots they are free in; `scores`: (person, person) -> how well they match (pairs with
    no positive score never meet)."""
    grid = _Grid(free, slots, tables)
    ranked = sorted(((s, p) for p, s in scores.items() if s > 0 and p[0] != p[1]), key=lambda x: (-x[0], x[1]))
    placed: set[Pair] = set()
    for score, pair in ranked:
        slot = next((s for s in range(slots) if grid.fits(s, pair)), None)
        if slot is not None:
            grid.by_slot[slot][pair] = score
            placed.add(pair)
    for score, pair in ranked:  # improvement: a pair left out replaces what blocks it when that gains
        if pair not in placed:
            _improve(grid, placed, pair, score)
    return [Placed(slot, table, pair[0], pair[1], score)
            for slot in range(slots)
            for table, (pair, score) in enumerate(sorted(grid.by_slot[slot].items(), key=lambda x: -x[1]), start=1)]


def total(schedule: list[Placed]) -> float:
    return sum(p.score for p in schedule)
