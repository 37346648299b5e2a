"""The milestone state machine, and approval moving the project to APPROVED."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from chunfeng.accounts.models import User
from chunfeng.core.models import AuditEntry, Notification
from chunfeng.db import db
from chunfeng.incubation import milestones
from chunfeng.incubation.errors import IncubationError
from chunfeng.incubation.milestones import allowed_events
from chunfeng.incubation.models import Incubation, IncubationStatus, MilestoneStatus
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Status
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at, begin, milestone_of

LATER = MONDAY + timedelta(days=30)


def _in_session(app, started):
    incubation = db.session.get(Incubation, started.incubation_id)
    return incubation, db.session.get(User, started.officer.id)


def test_start_then_complete_records_actual_dates(app, start):
    started = start()
    with at(LATER), app.app_context():
        incubation, officer = _in_session(app, started)
        step = milestone_of(incubation, "product_technical_requirements")
        assert milestones.change_milestone(step, "start", officer, on=MONDAY) == MilestoneStatus.IN_PROGRESS
        assert milestones.change_milestone(step, "complete", officer) == MilestoneStatus.DONE
        assert (step.actual_start, step.actual_done) == (MONDAY, LATER)
        db.session.commit()
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "incubation.milestone",
                                                          AuditEntry.object_id == step.id).limit(1))


@pytest.mark.parametrize(("key", "events", "refused"), [
    ("registration_testing", [], "complete"),  # cannot finish what has not started
    ("technical_review", [], "skip"),  # only clinical evaluation may be exempt
    ("registration_testing", ["start"], "start"),
    ("registration_testing", ["start", "complete"], "complete"),
])
def test_invalid_changes_are_refused_and_change_nothing(app, start, key, events, refused):
    started = start()
    with at(LATER), app.app_context():
        incubation, officer = _in_session(app, started)
        step = milestone_of(incubation, key)
        for event in events:
            milestones.change_milestone(step, event, officer)
        before = (step.status, step.actual_start, step.actual_done)
        assert refused not in allowed_events(step)
        with pytest.raises(IncubationError):
            milestones.change_milestone(step, refused, officer)
        assert (step.status, step.actual_start, step.actual_done) == before


def test_dates_in_the_future_or_before_the_start_are_refused(app, start):
    started = start()
    with at(LATER), app.app_context():
        incubation, officer = _in_session(app, started)
        step = milestone_of(incubation, "registration_testing")
        with pytest.raises(IncubationError):
            milestones.change_milestone(step, "start", officer, on=LATER + timedelta(days=1))
        milestones.change_milestone(step, "start", officer, on=LATER)
        with pytest.raises(IncubationError):
            milestones.change_milestone(step, "complete", officer, on=LATER - timedelta(days=1))
        assert step.status == MilestoneStatus.IN_PROGRESS


def test_clinical_evaluation_exemption_and_reopening(app, start):
    started = start()
    with at(LATER), app.app_context():
        incubation, officer = _in_session(app, started)
        clinical = milestone_of(incubation, "clinical_evaluation")
        milestones.change_milestone(clinical, "skip", officer)
        assert clinical.status == MilestoneStatus.SKIPPED and clinical.exempt
        milestones.change_milestone(clinical, "reopen", officer)
        assert clinical.status == MilestoneStatus.NOT_STARTED and not clinical.exempt
        testing = milestone_of(incubation, "registration_testing")
        milestones.change_milestone(testing, "start", officer)
        milestones.change_milestone(testing, "complete", officer)
        milestones.change_milestone(testing, "reopen", officer)
        assert testing.status == MilestoneStatus.IN_PROGRESS and testing.actual_done is None


def _finish_everything_but_approval(incubation, officer):
    for step in incubation.milestones[:-1]:
        if step.key == "clinical_evaluation":
            milestones.change_milestone(step, "skip", officer)
        else:
            begin(step, officer, on=MONDAY)
            milestones.change_milestone(step, "complete", officer)


def test_approval_needs_every_other_step_then_approves_the_project_and_tells_the_clinician(app, start):
    started = start()
    with at(LATER), app.app_context():
        incubation, officer = _in_session(app, started)
        approval = milestone_of(incubation, "approval")
        milestones.change_milestone(approval, "start", officer)
        with pytest.raises(IncubationError):
            milestones.change_milestone(approval, "complete", officer)
        assert db.session.get(Project, started.project_id).status == Status.INCUBATION
        _finish_everything_but_approval(incubation, officer)
        milestones.change_milestone(approval, "complete", officer)
        db.session.commit()
        assert incubation.status == IncubationStatus.APPROVED and incubation.approved_on == LATER
        project = db.session.get(Project, started.project_id)
        assert project.status == Status.APPROVED and project.events[-1].event == "approve"
        note = db.session.scalars(select(Notification).where(Notification.user_id == started.clinician.id)
                                  .order_by(Notification.id.desc())).first()
        assert "approved for market" in note.message
        assert allowed_events(approval) == [], "approval cannot be undone"
        with pytest.raises(IncubationError):
            milestones.change_milestone(milestone_of(incubation, "registration_testing"), "reopen", officer)


def test_officer_changes_status_over_http_and_others_cannot(app, client, start, login_as):
    started = start()
    with app.app_context():
        step_id = milestone_of(db.session.get(Incubation, started.incubation_id), "registration_testing").id
    login(client, started.clinician.email)
    assert client.post(f"/incubation/milestone/{step_id}/status", data={"event": "start"}).status_code == 403
    client.post("/account/logout")
    login_as("officer")  # an officer, but not this project's
    assert client.post(f"/incubation/milestone/{step_id}/status", data={"event": "start"}).status_code == 404
    client.post("/account/logout")
    login(client, started.officer.email)
    page = client.get(f"/incubation/project/{started.project_id}").get_data(as_text=True)
    assert '开始<span class="visually-hidden"> 注册检验</span></button>' in page, "each quick button names its step"
    response = client.post(f"/incubation/milestone/{step_id}/status", data={"event": "start"})
    assert response.status_code == 302
    refused = client.post(f"/incubation/milestone/{step_id}/status", data={"event": "skip"})
    assert refused.status_code == 400
    with app.app_context():
        step = db.session.get(Incubation, started.incubation_id).milestones[1]
        assert step.status == MilestoneStatus.IN_PROGRESS and step.actual_start is not None


def test_milestone_edit_form_keeps_what_was_typed_when_refused(app, client, start):
    started = start()
    with app.app_context():
        step_id = milestone_of(db.session.get(Incubation, started.incubation_id), "registration_testing").id
    login(client, started.officer.email)
    page = client.get(f"/incubation/milestone/{step_id}")
    assert page.status_code == 200 and "注册检验" in page.get_data(as_text=True)
    response = client.post(f"/incubation/milestone/{step_id}", data={
        "planned_start": "2026-05-01", "planned_due": "2026-04-01", "owner": "企业注册部", "notes": "送检样品3台"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "计划完成日期不能早于计划开始日期" in body and "送检样品3台" in body and "企业注册部" in body
    response = client.post(f"/incubation/milestone/{step_id}", data={
        "planned_start": "2026-05-01", "planned_due": "2026-07-01", "owner": "企业注册部", "notes": "送检样品3台"})
    assert response.status_code == 302
    with app.app_context():
        step = db.session.get(Incubation, started.incubation_id).milestones[1]
        assert (step.planned_due, step.owner, step.notes) == (date(2026, 7, 1), "企业注册部", "送检样品3台")
