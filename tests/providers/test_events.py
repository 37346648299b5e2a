"""Matchmaking days: an administrator plans the day, participants register with their free slots, the platform
proposes the 1:1 schedule, each side answers its meetings, agendas print, outcomes are recorded after the day."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.matching.models import OrgProfile, ProfileKind, ProfileStatus
from chunfeng.providers.models import MatchmakingEvent, Meeting, MeetingAnswer, MeetingOutcome, Participant
from tests.conftest import login

from .conftest import LAB, MONDAY, at

DAY = MONDAY + timedelta(days=14)
EVENT = {"title": "2026 春季医工对接会", "held_on": DAY.isoformat(), "starts_at": "09:00", "place": "上海国际会议中心",
         "tables": "3", "slot_minutes": "20", "slots": "4"}


def _company(app, make_user, scope: str, organization: str = "神经介入器械有限公司"):
    user = make_user(Role.ENTERPRISE, organization=organization)
    with app.app_context():
        db.session.add(OrgProfile(organization_id=user.organization_id, kind=ProfileKind.ENTERPRISE,
                                  status=ProfileStatus.APPROVED, region="上海市", business_scope=scope,
                                  product_lines="取栓支架 抽吸导管", manufacturing_capability="",
                                  registration_experience=["II"], cooperation_modes=[], stages=[]))
        db.session.commit()
    return user


def _switch(client, user):
    client.post("/account/logout")
    assert login(client, user.email).status_code == 302


def test_a_day_from_planning_to_outcomes(app, client, make_user, make_project, make_provider):
    admin = make_user(Role.ADMIN)
    clinician = make_user(Role.CLINICIAN, name="李明医生")
    project_id = make_project(owner=clinician)  # 可调节直径的颅内取栓支架, selected
    company = _company(app, make_user, "神经介入器械：取栓支架、抽吸导管的研发与生产。")
    lab_staff, _lab_id = make_provider(LAB, organization="华东医疗器械检验所", admin=admin)
    with at(MONDAY):
        login(client, admin.email)
        bad = client.post("/providers/events/new", data={**EVENT, "slots": "0", "place": ""})
        assert bad.status_code == 400 and "1 到 48" in bad.get_data(as_text=True)
        past = client.post("/providers/events/new", data={**EVENT, "held_on": "2026-01-05"})
        assert past.status_code == 400 and "日期不能早于今天" in past.get_data(as_text=True)
        created = client.post("/providers/events/new", data=EVENT)
        assert created.status_code == 302
        with app.app_context():
            event_id = db.session.scalar(select(MatchmakingEvent.id))

        _switch(client, clinician)
        no_slot = client.post(f"/providers/events/{event_id}", data={"project": str(project_id)})
        assert no_slot.status_code == 400 and "请至少选择一个空闲时段" in no_slot.get_data(as_text=True)
        no_project = client.post(f"/providers/events/{event_id}", data={"free_slots": ["0", "1"]})
        assert no_project.status_code == 400 and "请选择您的一个入选项目" in no_project.get_data(as_text=True)
        assert client.post(f"/providers/events/{event_id}",
                           data={"free_slots": ["1", "2"], "project": str(project_id)}).status_code == 302
        _switch(client, company)
        assert client.post(f"/providers/events/{event_id}", data={"free_slots": ["1", "3"]}).status_code == 302
        _switch(client, lab_staff)
        assert client.post(f"/providers/events/{event_id}", data={"free_slots": ["0", "1", "2"]}).status_code == 302

        _switch(client, admin)
        assert client.post(f"/providers/events/{event_id}/schedule").status_code == 302
        with app.app_context():
            meetings = db.session.scalars(select(Meeting)).all()
            people = {p.id: p.user_id for p in db.session.scalars(select(Participant))}
            pairs = {frozenset({people[m.first_id], people[m.second_id]}): m.slot for m in meetings}
            # the clinician meets the company (both free in slot 1) and the lab (slots 1-2): never twice at once
            assert frozenset({clinician.id, company.id}) in pairs and frozenset({clinician.id, lab_staff.id}) in pairs
            assert pairs[frozenset({clinician.id, company.id})] == 1
            assert pairs[frozenset({clinician.id, lab_staff.id})] == 2
            meeting_id = next(m.id for m in meetings if {people[m.first_id], people[m.second_id]}
                              == {clinician.id, company.id})
        agendas = client.get(f"/providers/events/{event_id}/agenda").get_data(as_text=True)
        assert agendas.count('class="agenda') == 3

        _switch(client, clinician)
        page = client.get(f"/providers/events/{event_id}").get_data(as_text=True)
        assert "神经介入器械有限公司" in page and "华东医疗器械检验所" in page
        mine = client.get(f"/providers/events/{event_id}/agenda").get_data(as_text=True)
        assert mine.count('class="agenda') == 1 and "09:20–09:40" in mine
        assert client.post(f"/providers/meetings/{meeting_id}/answer", data={"answer": "maybe"}).status_code == 400
        assert client.post(f"/providers/meetings/{meeting_id}/answer", data={"answer": "accept"}).status_code == 302
        early = client.post(f"/providers/meetings/{meeting_id}/outcome", data={"outcome": "nda"})
        assert early.status_code == 400 and "会后" in early.get_data(as_text=True)
        _switch(client, lab_staff)
        assert client.post(f"/providers/meetings/{meeting_id}/answer", data={"answer": "accept"}).status_code == 404
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        first_is_clinician = db.session.get(Participant, meeting.first_id).user_id == clinician.id
        assert (meeting.first_answer if first_is_clinician else meeting.second_answer) == MeetingAnswer.ACCEPTED
    with at(DAY + timedelta(days=1)):
        _switch(client, company)
        assert client.post(f"/providers/meetings/{meeting_id}/outcome",
                           data={"outcome": "follow_up", "note": "两周内寄送样品"}).status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.outcome == MeetingOutcome.FOLLOW_UP and meeting.outcome_note == "两周内寄送样品"


def test_only_administrators_plan_days_and_a_clinician_needs_a_selected_project(app, client, make_user):
    login(client, make_user(Role.ENTERPRISE).email)
    assert client.post("/providers/events/new", data=EVENT).status_code == 403
    client.post("/account/logout")
    login(client, make_user(Role.EXPERT).email)
    assert client.get("/providers/events").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(MatchmakingEvent.id)) is None
