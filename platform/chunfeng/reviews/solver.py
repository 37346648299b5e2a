"""The assignment problem on plain data: which experts fill the places a round's projects still have open.

A min-cost flow, solved as a linear programme (HiGHS dual simplex through scipy). Its matrix is a network
matrix, so the optimal vertex is whole: every place gets one expert or none, never a fraction. The network:

    project place (k-th open place of p)  ->  project p  ->  expert e (allowed pairs only)  ->  load unit of e

Costs, in order of priority (each weight outranks what can be gained below it):

1. every place that can be filled is filled (COVER per place), the first places of a project before the later
   ones of another (SPREAD per rank): no project goes without its first expert while another gets its third;
2. an expert inside the project's specialty (their main one or one they declare) before anyone outside it
   (OUTSIDE per pair outside): outside experts fill only the places no inside expert is free for;
3. the closest expertise (the pair's affinity) plus EAGER_BONUS where the expert bid 想评 on the project, less a
   growing cost for the load an expert already carries (LOAD_PENALTY x load / maximum load for each further
   unit), so that equally close experts share the work. (A "cannot" bid is no allowed pair: see assignment.plan.)

Hard limits are in the network itself: an expert's maximum load (one arc per unit of load left), one place per
(project, expert) pair, only the pairs the caller allows (no conflict of interest, never asked before).

``greedy`` is the previous method, kept as the baseline of scripts/bench_assignment.py and of the tests.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

COVER = 1000.0
MAX_PLACES = 12  # experts per project, at most (the round form's limit)
SPREAD = 50.0  # x (MAX_PLACES - 1) stays below COVER
OUTSIDE = 10.0
# An expert's next unit of load costs this much x load / maximum load. Affinities run about 0-1.
LOAD_PENALTY = 0.15
# An expert who bid 想评 on a project counts as this much closer to it: the whole range of affinities, so among
# the experts inside the project's specialty those who asked for it come first (then the closest expertise), and
# never enough to prefer someone outside the specialty (OUTSIDE).
EAGER_BONUS = 1.0


@dataclass(frozen=True)
class Candidate:
    """One allowed (project, expert) pair: its affinity and whether the expert is inside the project's specialty."""

    project_id: int
    expert_id: int
    affinity: float
    inside: bool
    eager: bool = False  # the expert bid 想评 on the project

    @property
    def value(self) -> float:
        """What the pair is worth beside its specialty fit: its affinity, with the bonus of an eager bid."""
        return self.affinity + EAGER_BONUS * self.eager


@dataclass
class Problem:
    need: dict[int, int]  # project id -> places still open
    have: dict[int, int]  # project id -> experts it already has (proposed, invited, accepted or submitted)
    load: dict[int, int]  # expert id -> assignments already counting in the round
    max_load: dict[int, int]  # expert id -> maximum load per round
    candidates: list[Candidate] = field(default_factory=list)

    def room(self, expert_id: int) -> int:
        return max(self.max_load.get(expert_id, 0) - self.load.get(expert_id, 0), 0)


@dataclass(frozen=True)
class Figures:
    """What a solution is worth: the figures scripts/bench_assignment.py prints."""

    assigned: int
    places: int
    inside: int
    total_affinity: float
    over_load: int  # experts taken beyond their maximum load by the solution (0 for both methods)
    max_load_share: float  # the busiest expert's load / maximum load
    short_projects: int

    @property
    def inside_share(self) -> float:
        return self.inside / self.assigned if self.assigned else 1.0


def solve(problem: Problem) -> list[Candidate]:
    """The optimal choice of pairs (see the module's docstring), best projects' places first."""
    pairs = [c for c in problem.candidates if problem.need.get(c.project_id, 0) > 0 and problem.room(c.expert_id) > 0]
    if not pairs:
        return []
    projects = sorted({c.project_id for c in pairs})
    experts = sorted({c.expert_id for c in pairs})
    p_row = {p: i for i, p in enumerate(projects)}
    e_row = {e: len(projects) + i for i, e in enumerate(experts)}
    costs: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []

    def arc(cost: float, *ends: tuple[int, float]) -> None:
        col = len(costs)
        costs.append(cost)
        for row, sign in ends:
            rows.append(row)
            cols.append(col)
            vals.append(sign)

    for p in projects:  # places flow into the project: the k-th open place is worth a little less than the one before
        have = problem.have.get(p, 0)
        for k in range(problem.need[p]):
            arc(-(COVER + SPREAD * max(0, MAX_PLACES - 1 - have - k)), (p_row[p], 1.0))
    first_pair = len(costs)
    for c in pairs:  # the project passes each place on to one expert
        arc(OUTSIDE * (not c.inside) - c.value, (p_row[c.project_id], -1.0), (e_row[c.expert_id], 1.0))
    for e in experts:  # the expert takes it on one of their units of load left, the cheaper ones first
        load, most = problem.load.get(e, 0), max(problem.max_load.get(e, 0), 1)
        for used in range(load, load + problem.room(e)):
            arc(LOAD_PENALTY * used / most, (e_row[e], -1.0))
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(projects) + len(experts), len(costs)))
    x = _whole_solution(np.asarray(costs), matrix)
    return [c for c, chosen in zip(pairs, x[first_pair:first_pair + len(pairs)] > 0.5, strict=True) if chosen]


def _whole_solution(costs: np.ndarray, matrix: sp.csr_matrix) -> np.ndarray:
    """The flow: a vertex of the LP (whole numbers for a network matrix); the integer programme should the
    solver ever stop off a vertex."""
    zero = np.zeros(matrix.shape[0])
    result = linprog(costs, A_eq=matrix, b_eq=zero, bounds=(0, 1), method="highs-ds")
    if result.status == 0 and np.all(np.abs(result.x - np.round(result.x)) < 1e-6):
        return np.round(result.x)
    exact = milp(costs, constraints=LinearConstraint(matrix, zero, zero), integrality=np.ones(len(costs)),
                 bounds=Bounds(0, 1), options={"mip_rel_gap": 0.0})
    if exact.status != 0:  # pragma: no cover - the zero flow is always feasible
        raise RuntimeError(f"assignment solver failed: {exact.message}")
    return np.round(exact.x)


def greedy(problem: Problem) -> list[Candidate]:
    """The previous method: passes of one expert per project (most constrained projects first), each taking the
    best affinity less LOAD_PENALTY x the share of load used; specialty plays no part."""
    by_project: dict[int, dict[int, Candidate]] = defaultdict(dict)
    for c in problem.candidates:
        by_project[c.project_id][c.expert_id] = c
    need = {p: n for p, n in problem.need.items() if n > 0}
    load = Counter(problem.load)
    chosen: list[Candidate] = []

    def free(p: int) -> list[Candidate]:
        return [c for c in by_project[p].values() if load[c.expert_id] < problem.max_load.get(c.expert_id, 0)]

    def value(c: Candidate) -> tuple[float, int]:
        used = load[c.expert_id] / max(problem.max_load.get(c.expert_id, 0), 1)
        return (c.value - LOAD_PENALTY * used, -c.expert_id)

    for _pass in range(max(need.values(), default=0)):
        for p in sorted((p for p in need if need[p] > 0), key=lambda p: (len(free(p)), p)):
            best = max(free(p), key=value, default=None)
            if best is None:
                continue
            del by_project[p][best.expert_id]
            load[best.expert_id] += 1
            need[p] -= 1
            chosen.append(best)
    return chosen


def figures(problem: Problem, chosen: list[Candidate]) -> Figures:
    load = Counter(problem.load)
    load.update(c.expert_id for c in chosen)
    filled = Counter(c.project_id for c in chosen)
    shares = [load[e] / most for e, most in problem.max_load.items() if most]
    return Figures(
        assigned=len(chosen), places=sum(problem.need.values()), inside=sum(c.inside for c in chosen),
        total_affinity=round(sum(c.affinity for c in chosen), 4),
        over_load=len({c.expert_id for c in chosen if load[c.expert_id] > problem.max_load.get(c.expert_id, 0)}),
        max_load_share=round(max(shares, default=0.0), 3),
        short_projects=sum(1 for p, n in problem.need.items() if filled[p] < n),
    )
