"""The service officer starts the incubation of a selected project in their remit (the province they serve) and
becomes its officer; any other project answers 404."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from chunfeng.accounts.models import Role
from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.incubation import starting
from chunfeng.incubation.models import Incubation, MilestoneStatus
from chunfeng.submissions.models import Pathway, Project
from chunfeng.submissions.status import Status
from tests.concurrency import in_parallel
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at


def _incubation_of(app, project_id):
    with app.app_context():
        return db.session.scalar(select(Incubation).where(Incubation.project_id == project_id))


def test_the_officer_sees_and_starts_the_waiting_projects_of_their_province(app, client, make_user, make_project):
    officer = make_user(Role.OFFICER, name="陈专员", province="广东省")
    canton = make_user(Role.CLINICIAN, name="李明医生", province="广东省")
    sichuan = make_user(Role.CLINICIAN, name="王芳医生", province="四川省")
    ours = make_project(owner=canton, title="可调节直径的颅内取栓支架")
    make_project(owner=sichuan, title="眼底影像辅助诊断软件")
    with at(MONDAY):
        login(client, officer.email)
        page = client.get("/incubation/mine").get_data(as_text=True)
        assert "等待启动培育的入选项目" in page
        assert "可调节直径的颅内取栓支架" in page and "眼底影像辅助诊断软件" not in page
        started = client.post(f"/incubation/mine/start/{ours}", data={
            f"p{ours}-pathway": Pathway.PRE_REVIEW.value, f"p{ours}-start": ""})
    assert started.status_code == 302 and started.headers["Location"].endswith(f"/incubation/project/{ours}")
    incubation = _incubation_of(app, ours)
    assert incubation is not None and incubation.officer_id == officer.id and incubation.started_on == MONDAY
    with app.app_context():
        assert db.session.get(Project, ours).status == Status.INCUBATION
        told = db.session.scalars(select(Notification).where(Notification.user_id == canton.id)).all()
        assert len(told) == 1  # the clinician learns that the project entered incubation
    with at(MONDAY):
        page = client.get("/incubation/mine").get_data(as_text=True)
    assert "我跟进的项目" in page and f"/incubation/project/{ours}" in page
    assert f"/incubation/mine/start/{ours}" not in page  # no longer waiting


def test_a_project_outside_the_remit_or_not_waiting_answers_404_and_changes_nothing(app, client, make_user,
                                                                                    make_project):
    officer = make_user(Role.OFFICER, province="广东省")
    sichuan = make_project(owner=make_user(Role.CLINICIAN, province="四川省"))
    canton = make_user(Role.CLINICIAN, province="广东省")
    in_review = make_project(status=Status.UNDER_REVIEW, owner=canton)
    login(client, officer.email)
    for project_id in (sichuan, in_review, 999_999):
        answer = client.post(f"/incubation/mine/start/{project_id}", data={
            f"p{project_id}-pathway": Pathway.PRE_REVIEW.value})
        assert answer.status_code == 404, project_id
    with app.app_context():
        assert db.session.scalar(select(Incubation)) is None
        assert db.session.get(Project, sichuan).status == Status.SELECTED


def test_a_project_another_officer_already_started_answers_404(app, client, make_user, make_project, start):
    started = start()
    other = make_user(Role.OFFICER)
    login(client, other.email)
    answer = client.post(f"/incubation/mine/start/{started.project_id}",
                         data={f"p{started.project_id}-pathway": Pathway.PRE_REVIEW.value})
    assert answer.status_code == 404
    assert _incubation_of(app, started.project_id).officer_id == started.officer.id


def test_an_officer_of_a_station_without_a_province_serves_every_province(client, make_user, make_project):
    officer = make_user(Role.OFFICER)  # an organisation naming no province: a national station
    make_project(owner=make_user(Role.CLINICIAN, province="四川省"), title="眼底影像辅助诊断软件")
    make_project(owner=make_user(Role.CLINICIAN, province="广东省"), title="可调节直径的颅内取栓支架")
    login(client, officer.email)
    page = client.get("/incubation/mine").get_data(as_text=True)
    assert "眼底影像辅助诊断软件" in page and "可调节直径的颅内取栓支架" in page


def test_a_start_date_in_the_future_is_refused_beside_its_field(app, client, make_user, make_project):
    officer = make_user(Role.OFFICER)
    project_id = make_project()
    with at(MONDAY):
        login(client, officer.email)
        refused = client.post(f"/incubation/mine/start/{project_id}", data={
            f"p{project_id}-pathway": Pathway.PRE_REVIEW.value,
            f"p{project_id}-start": (MONDAY + timedelta(days=3)).isoformat()})
    assert refused.status_code == 400 and "日期不能晚于今天" in refused.get_data(as_text=True)
    assert _incubation_of(app, project_id) is None


def test_the_plan_of_a_project_the_officer_started_begins_not_started(app, client, make_user, make_project):
    officer = make_user(Role.OFFICER)
    project_id = make_project()
    with at(MONDAY):
        login(client, officer.email)
        client.post(f"/incubation/mine/start/{project_id}", data={f"p{project_id}-pathway": Pathway.PRIORITY.value})
    with app.app_context():
        incubation = db.session.scalar(select(Incubation).where(Incubation.project_id == project_id))
        assert incubation.pathway == Pathway.PRIORITY
        assert [m.status for m in incubation.milestones] == [MilestoneStatus.NOT_STARTED] * 7


def test_others_may_not_use_the_officers_start(client, login_as, make_project):
    project_id = make_project()
    for role in (Role.CLINICIAN, Role.ENTERPRISE, Role.ADMIN):
        client.post("/account/logout")
        login_as(role)
        assert client.post(f"/incubation/mine/start/{project_id}").status_code == 403, role


def test_the_officers_workspace_says_how_many_projects_await_start(client, make_user, make_project):
    officer = make_user(Role.OFFICER, province="广东省")
    make_project(owner=make_user(Role.CLINICIAN, province="广东省"))
    make_project(owner=make_user(Role.CLINICIAN, province="广东省"), title="眼底影像辅助诊断软件")
    make_project(owner=make_user(Role.CLINICIAN, province="四川省"), title="呼吸康复训练器")
    login(client, officer.email)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "您负责范围内有 2 个入选项目等待启动培育" in page and "/incubation/mine#waiting-title" in page


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="real concurrency needs PostgreSQL")
def test_two_officers_starting_one_project_at_once_make_one_incubation(app, make_user, make_project):
    project_id = make_project()
    clients = []
    for n in range(2):
        officer = make_user(Role.OFFICER, name=f"专员{n}")
        client = app.test_client()
        login(client, officer.email)
        clients.append(client)
    codes = in_parallel([lambda c=c: c.post(f"/incubation/mine/start/{project_id}",
                                            data={f"p{project_id}-pathway": Pathway.PRE_REVIEW.value})
                         for c in clients])
    assert sorted(codes)[0] == 302 and sorted(codes)[1] in (400, 404), codes
    with app.app_context():
        assert len(db.session.scalars(select(Incubation).where(Incubation.project_id == project_id)).all()) == 1


def test_a_start_that_loses_the_race_is_refused_not_a_server_error(app, client, make_user, start, monkeypatch):
    """What the second of two simultaneous starts meets: the check passed, but the incubation now exists."""
    started = start()
    monkeypatch.setattr(starting, "awaiting_incubation", lambda project: True)
    login(client, started.admin.email)
    answer = client.post(f"/incubation/admin/start/{started.project_id}", data={
        f"p{started.project_id}-officer": str(started.officer.id),
        f"p{started.project_id}-pathway": Pathway.PRE_REVIEW.value})
    assert answer.status_code == 400 and "该项目不在待培育状态" in answer.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(Incubation)).all()) == 1


def test_many_waiting_projects_come_twenty_at_a_time_and_a_refused_start_stays_in_view(app, client, make_user,
                                                                                       make_project):
    officer = make_user(Role.OFFICER, name="陈专员", province="广东省")
    canton = make_user(Role.CLINICIAN, name="李明医生", province="广东省")
    ids = [make_project(owner=canton, title=f"待启动项目{n:02d}号") for n in range(23)]
    with at(MONDAY):
        login(client, officer.email)
        first = client.get("/incubation/mine").get_data(as_text=True)
        second = client.get("/incubation/mine?page=2").get_data(as_text=True)
        # a start refused (a date that cannot be read) for a project of the second page
        refused = client.post(f"/incubation/mine/start/{ids[22]}", data={
            f"p{ids[22]}-pathway": Pathway.PRE_REVIEW.value, f"p{ids[22]}-start": "2026-99-99"})
    assert '<span class="badge text-bg-secondary">23</span>' in first and "1 / 2" in first
    assert first.count("/incubation/mine/start/") == 20 and "待启动项目19号" in first and "待启动项目20号" not in first
    assert second.count("/incubation/mine/start/") == 3 and "待启动项目22号" in second
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert f'action="/incubation/mine/start/{ids[22]}"' in body and "is-invalid" in body
