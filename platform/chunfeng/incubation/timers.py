"""Stage timers: pure functions of dates and targets (no database, no clock: `today` is always passed in).

Days are working days (Monday to Friday, core.clock), the unit of the statutory limits. Public holidays and the
weekend swaps around them are not modelled, so a timer may run a day or two ahead around a holiday,
and the time an applicant spends supplementing documents (补正) is not stopped.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..core.clock import working_days_between

_LICENSING_LAW = "《行政许可法》第三十二条：申请材料不齐全的，应当当场或者在五日内一次告知需要补正的全部内容"
_REGISTRATION_RULES = "《医疗器械注册与备案管理办法》(2021)"

# Statutory limits in working days, per milestone key and device class, with where they come from.
STATUTORY_LIMITS: dict[tuple[str, str], tuple[int, str]] = {
    ("acceptance", "II"): (5, _LICENSING_LAW),
    ("acceptance", "III"): (5, _LICENSING_LAW),
    ("technical_review", "II"): (60, f"{_REGISTRATION_RULES}：第二类医疗器械注册技术审评时限为60个工作日"),
    ("technical_review", "III"): (90, f"{_REGISTRATION_RULES}：第三类医疗器械注册技术审评时限为90个工作日"),
    ("approval", "II"): (20, f"{_REGISTRATION_RULES}：自收到审评意见之日起20个工作日内作出决定"),
    ("approval", "III"): (20, f"{_REGISTRATION_RULES}：自收到审评意见之日起20个工作日内作出决定"),
}


def statutory_limit(key: str, device_class: str) -> int | None:
    found = STATUTORY_LIMITS.get((str(key), str(device_class)))
    return found[0] if found else None


def target_days(statutory: int | None, percent: int | None = None, days: int | None = None) -> int | None:
    """Explicit days win; otherwise a share of the statutory limit, rounded down (a promise of 45% means at most)."""
    if days:
        return days
    if statutory and percent:
        return max(1, math.floor(statutory * percent / 100))
    return None


@dataclass(frozen=True)
class Clock:
    """How long a milestone has taken against its target and its planned due date."""

    elapsed: int | None  # working days in the stage so far (None until it starts)
    target: int | None
    planned_due: date | None
    running: bool
    closed: bool
    due_passed: bool  # planned due date is behind us and the milestone is not finished

    @property
    def remaining(self) -> int | None:
        if self.elapsed is None or self.target is None:
            return None
        return self.target - self.elapsed

    @property
    def over_target(self) -> bool:
        return self.remaining is not None and self.remaining < 0

    @property
    def overdue(self) -> bool:
        """Needs attention now: an open milestone past its planned due date or over its target."""
        return not self.closed and (self.due_passed or self.over_target)

    @property
    def late(self) -> bool:
        """A finished milestone that took longer than its target (history, not an alarm)."""
        return self.closed and self.over_target


def clock(*, actual_start: date | None, actual_done: date | None, planned_due: date | None,
          target: int | None, today: date, closed: bool = False) -> Clock:
    closed = closed or actual_done is not None
    running = actual_start is not None and not closed
    elapsed = None if actual_start is None else working_days_between(actual_start, actual_done or today)
    due_passed = not closed and planned_due is not None and planned_due < today
    return Clock(elapsed=elapsed, target=target, planned_due=planned_due, running=running, closed=closed,
                 due_passed=due_passed)


def median_days(values: Iterable[int]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None
