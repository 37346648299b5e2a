"""Overdue flags in the officer's and the administrator's lists, with frozen time."""

from datetime import timedelta

from chunfeng.accounts.models import User
from chunfeng.core import clock
from chunfeng.db import db
from chunfeng.incubation import milestones, tracking
from chunfeng.incubation.models import Incubation
from chunfeng.submissions.models import DeviceClass, Pathway
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at, milestone_of


def _first_due(app, started):
    with app.app_context():
        return milestone_of(db.session.get(Incubation, started.incubation_id),
                            "product_technical_requirements").planned_due


def _officer_list(client, started, day):
    with at(day):
        login(client, started.officer.email)
        body = client.get("/incubation/mine").get_data(as_text=True)
        client.post("/account/logout")
    return body


def test_a_step_becomes_overdue_the_day_after_its_planned_due_date(app, client, start):
    started = start()
    due = _first_due(app, started)
    assert due == clock.add_working_days(MONDAY, 30)
    on_time = _officer_list(client, started, due)
    assert "可调节直径的颅内取栓支架" in on_time and "table-danger" not in on_time
    late = _officer_list(client, started, due + timedelta(days=1))
    assert "table-danger" in late and "产品技术要求" in late
    with at(due + timedelta(days=1)):
        login(client, started.admin.email)
        admin_page = client.get("/incubation/admin?overdue=1").get_data(as_text=True)
        assert "可调节直径的颅内取栓支架" in admin_page and "table-danger" in admin_page
    with at(due + timedelta(days=1)), app.app_context():
        row = tracking.officer_rows(db.session.get(User, started.officer.id))[0]
        assert [str(v.key) for v in row.overdue] == ["product_technical_requirements"]


def test_a_running_review_goes_over_its_compressed_target(app, start):
    started = start(Pathway.PRE_REVIEW, DeviceClass.II)
    review_start = MONDAY + timedelta(days=7)
    with at(review_start), app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        review = milestone_of(incubation, "technical_review")
        review.planned_due = None  # only the 27-day target counts here
        milestones.change_milestone(review, "start", db.session.get(User, started.officer.id))
        db.session.commit()
    for day, expected_elapsed, overdue in ((clock.add_working_days(review_start, 27), 27, False),
                                           (clock.add_working_days(review_start, 28), 28, True)):
        with at(day), app.app_context():
            incubation = db.session.get(Incubation, started.incubation_id)
            view = next(v for v in tracking.plan(incubation) if v.key == "technical_review")
            assert (view.clock.elapsed, view.clock.target, view.clock.over_target) == (expected_elapsed, 27, overdue)


def test_finishing_the_step_clears_the_flag(app, start):
    started = start()
    late = _first_due(app, started) + timedelta(days=3)
    with at(late), app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        officer = db.session.get(User, started.officer.id)
        assert tracking.officer_rows(officer)[0].overdue
        step = milestone_of(incubation, "product_technical_requirements")
        milestones.change_milestone(step, "start", officer, on=MONDAY)
        milestones.change_milestone(step, "complete", officer)
        db.session.commit()
        row = tracking.officer_rows(officer)[0]
        assert not row.overdue and row.current.key == "registration_testing"


def test_daily_reminder_tells_the_officer_once_a_week_per_overdue_step(app, runner, start):
    from sqlalchemy import func, select

    from chunfeng.core.models import Notification

    started = start()
    late = _first_due(app, started) + timedelta(days=1)

    def reminders():
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.user_id == started.officer.id,
                Notification.message == "%(title)s has %(num)d overdue step."))

    with at(late - timedelta(days=1)):
        assert "0 reminder(s)" in runner.invoke(args=["incubation-remind"]).output
    for day, expected in ((late, 1), (late, 1), (late + timedelta(days=3), 1), (late + timedelta(days=7), 2)):
        with at(day):
            result = runner.invoke(args=["incubation-remind"])
            assert result.exit_code == 0, result.output
        assert reminders() == expected, day
