"""Starting an incubation: the officer, the pathway plan per class and pathway, the project's status."""

from datetime import date

import pytest
from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.core import clock
from chunfeng.core.models import Notification
from chunfeng.core.services import notification_text
from chunfeng.db import db
from chunfeng.incubation import starting, targets, tracking
from chunfeng.incubation.errors import IncubationError
from chunfeng.incubation.models import Incubation, MilestoneKey, MilestoneStatus
from chunfeng.submissions.models import DeviceClass, Pathway, Project
from chunfeng.submissions.status import Status
from tests.incubation.conftest import MONDAY, at, milestone_of

ALL_STEPS = [
    "product_technical_requirements", "registration_testing", "clinical_evaluation", "registration_submission",
    "acceptance", "technical_review", "approval",
]


def _plan(app, started):
    with at(MONDAY), app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        return {str(v.key): v for v in tracking.plan(incubation)}, incubation


def test_class_three_innovation_plan_has_every_step_with_national_limits(app, start):
    started = start(Pathway.INNOVATION, DeviceClass.III)
    with app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        assert [str(m.key) for m in incubation.milestones] == ALL_STEPS
        assert all(m.status == MilestoneStatus.NOT_STARTED for m in incubation.milestones)
        review = milestone_of(incubation, "technical_review")
        acceptance = milestone_of(incubation, "acceptance")
        assert clock.working_days_between(review.planned_start, review.planned_due) == 90
        assert review.planned_start == acceptance.planned_due, "each step is planned to start when the previous is due"
        assert milestone_of(incubation, "product_technical_requirements").planned_start == MONDAY
        project = db.session.get(Project, started.project_id)
        assert project.status == Status.INCUBATION
        assert project.events[-1].event == "start_incubation"
    views, _ = _plan(app, started)
    assert views["technical_review"].clock.target == 90
    assert views["clinical_evaluation"].clock.target is None


def test_class_two_pathways_compress_the_review_differently(app, start, make_user):
    officer, admin = make_user(Role.OFFICER), make_user(Role.ADMIN)
    pre_review = _plan(app, start(Pathway.PRE_REVIEW, officer=officer, admin=admin))[0]
    priority = _plan(app, start(Pathway.PRIORITY, officer=officer, admin=admin))[0]
    zero = _plan(app, start(Pathway.ZERO_SUPPLEMENT, officer=officer, admin=admin))[0]
    assert pre_review["technical_review"].clock.target == 27  # 45% of 60 working days
    assert priority["technical_review"].clock.target == 33  # 55% of 60
    assert zero["technical_review"].clock.target == 60
    assert pre_review["approval"].clock.target == 9  # 45% of 20
    assert "reviewed in advance" in str(pre_review["technical_review"].guidance)
    assert "supplementary" in str(zero["technical_review"].guidance)


def test_the_administrators_target_replaces_the_default_for_new_and_running_plans(app, start, make_user):
    started = start(Pathway.PRE_REVIEW)
    with app.app_context():
        admin = db.session.get(User, started.admin.id)
        targets.set_target("technical_review", [Pathway.PRE_REVIEW], 50, None, admin)
        targets.set_target("registration_testing", list(Pathway), None, 40, admin)
        db.session.commit()
    views, _ = _plan(app, started)
    assert views["technical_review"].clock.target == 30
    assert views["registration_testing"].clock.target == 40
    with app.app_context():
        admin = db.session.get(User, started.admin.id)
        with pytest.raises(IncubationError):
            targets.set_target("registration_testing", [Pathway.PRE_REVIEW], 50, None, admin)
        with pytest.raises(IncubationError):
            targets.set_target("technical_review", [Pathway.PRE_REVIEW], 50, 20, admin)
        targets.set_target("technical_review", [Pathway.PRE_REVIEW], None, None, admin)  # back to default
        db.session.commit()
    assert _plan(app, started)[0]["technical_review"].clock.target == 27


def test_clinician_and_officer_are_told(app, start):
    started = start()
    with app.app_context():
        clinician_notes = db.session.scalars(select(Notification).where(
            Notification.user_id == started.clinician.id)).all()
        officer_notes = db.session.scalars(select(Notification).where(
            Notification.user_id == started.officer.id)).all()
        with app.test_request_context("/"):
            assert any("陈专员" in notification_text(n) for n in clinician_notes)
        assert any(n.link == f"/incubation/project/{started.project_id}" for n in officer_notes)


@pytest.mark.parametrize(("status", "device_class", "expected"), [
    (Status.SELECTED, DeviceClass.III, [Pathway.INNOVATION]),
    (Status.SELECTED_PRIORITY, DeviceClass.II, [Pathway.PRE_REVIEW, Pathway.PRIORITY]),
    (Status.SELECTED, DeviceClass.II, [Pathway.PRE_REVIEW]),
])
def test_without_a_decision_the_recommendation_follows_status_and_class(app, make_project, status, device_class,
                                                                         expected, monkeypatch):
    monkeypatch.setattr(starting, "latest_decision", lambda project: None)
    project_id = make_project(status, device_class)
    with app.app_context():
        assert starting.recommended_pathways(db.session.get(Project, project_id)) == expected


def test_the_decisions_recommended_pathway_wins(app, make_project, monkeypatch):
    class Decision:
        recommended_pathway = ["zero_supplement"]

    monkeypatch.setattr(starting, "latest_decision", lambda project: Decision())
    project_id = make_project(Status.SELECTED, DeviceClass.III)
    with app.app_context():
        assert starting.recommended_pathways(db.session.get(Project, project_id)) == [Pathway.ZERO_SUPPLEMENT]


def test_only_selected_projects_and_real_officers_can_start(app, make_project, make_user):
    under_review = make_project(Status.UNDER_REVIEW)
    selected = make_project(Status.MATCHING)
    expert, officer, admin = make_user(Role.EXPERT), make_user(Role.OFFICER), make_user(Role.ADMIN)
    with app.app_context():
        actor = db.session.get(User, admin.id)
        assert [p.id for p in starting.eligible_projects()] == [selected]
        with pytest.raises(IncubationError):
            starting.start_incubation(db.session.get(Project, under_review), officer.id, Pathway.PRE_REVIEW, actor)
        with pytest.raises(IncubationError) as refused:
            starting.start_incubation(db.session.get(Project, selected), expert.id, Pathway.PRE_REVIEW, actor)
        assert refused.value.field == "officer"
        with pytest.raises(IncubationError):
            starting.start_incubation(db.session.get(Project, selected), officer.id, Pathway.PRE_REVIEW, actor,
                                      start=date(2999, 1, 1))
        starting.start_incubation(db.session.get(Project, selected), officer.id, Pathway.PRE_REVIEW, actor)
        db.session.commit()
        with pytest.raises(IncubationError):
            starting.start_incubation(db.session.get(Project, selected), officer.id, Pathway.PRE_REVIEW, actor)
        assert starting.eligible_projects() == []
        assert db.session.get(Project, selected).status == Status.INCUBATION
        assert MilestoneKey.APPROVAL in {m.key for m in starting.incubation_for(selected).milestones}


def test_summary_for_the_projects_own_pages(app, start, make_project):
    started = start()
    never_incubated = make_project(Status.SELECTED)
    with at(MONDAY), app.app_context():
        summary = tracking.incubation_summary(db.session.get(Project, started.project_id))
        assert summary == {"url": f"/incubation/project/{started.project_id}", "progress": 0, "status": "active",
                           "current_key": "product_technical_requirements", "overdue": 0, "officer": "陈专员"}
        assert tracking.incubation_summary(db.session.get(Project, never_incubated)) is None
