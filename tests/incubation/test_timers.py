"""Timers are pure functions of dates and targets."""

from datetime import date

import pytest

from chunfeng.core import clock
from chunfeng.incubation import timers

FRIDAY, MONDAY = date(2026, 3, 6), date(2026, 3, 9)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (MONDAY, MONDAY, 0),
    (FRIDAY, MONDAY, 1),  # Saturday and Sunday do not count
    (MONDAY, date(2026, 3, 16), 5),
    (FRIDAY, date(2026, 3, 20), 10),
    (MONDAY, FRIDAY, 0),  # an end before the start is no time at all
])
def test_working_days_between_skips_weekends(start, end, expected):
    assert clock.working_days_between(start, end) == expected


def test_adding_working_days_lands_on_a_weekday_and_round_trips():
    assert clock.add_working_days(FRIDAY, 1) == MONDAY
    for days in (1, 4, 5, 27, 60):
        end = clock.add_working_days(FRIDAY, days)
        assert end.weekday() < 5
        assert clock.working_days_between(FRIDAY, end) == days


def test_target_is_a_share_of_the_statutory_limit_rounded_down_unless_days_are_given():
    assert timers.target_days(60, 45) == 27  # Hainan-style commitment on a class II technical review
    assert timers.target_days(90, 55) == 49  # 49.5 rounds down: the promise is "at most"
    assert timers.target_days(60, 45, days=30) == 30
    assert timers.target_days(None, 45) is None
    assert timers.statutory_limit("technical_review", "II") == 60
    assert timers.statutory_limit("technical_review", "III") == 90
    assert timers.statutory_limit("registration_testing", "II") is None


def test_a_running_stage_counts_down_then_goes_over_target():
    start = MONDAY
    within = timers.clock(actual_start=start, actual_done=None, planned_due=None, target=5,
                          today=date(2026, 3, 13))
    assert (within.elapsed, within.remaining, within.overdue) == (4, 1, False)
    over = timers.clock(actual_start=start, actual_done=None, planned_due=None, target=5, today=date(2026, 3, 17))
    assert over.elapsed == 6 and over.over_target and over.overdue


def test_a_planned_due_date_in_the_past_makes_an_unfinished_step_overdue_even_before_it_starts():
    due = date(2026, 3, 10)
    on_the_day = timers.clock(actual_start=None, actual_done=None, planned_due=due, target=None, today=due)
    after = timers.clock(actual_start=None, actual_done=None, planned_due=due, target=None, today=date(2026, 3, 11))
    assert not on_the_day.overdue
    assert after.overdue and after.elapsed is None


def test_a_finished_step_is_never_overdue_but_may_have_taken_longer_than_its_target():
    done = timers.clock(actual_start=MONDAY, actual_done=date(2026, 3, 20), planned_due=date(2026, 3, 12),
                        target=5, today=date(2026, 6, 1))
    assert done.elapsed == 9 and not done.overdue and done.late
    skipped = timers.clock(actual_start=None, actual_done=None, planned_due=date(2026, 3, 12), target=None,
                           today=date(2026, 6, 1), closed=True)
    assert not skipped.overdue


def test_median_days():
    assert timers.median_days([3, 9, 4]) == 4
    assert timers.median_days([2, 4]) == 3
    assert timers.median_days([]) is None
