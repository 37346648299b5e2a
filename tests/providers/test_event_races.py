"""Matchmaking days under clicks at the same moment: one registration per person, one schedule per day, and the
later click is told so (never an error page)."""

from __future__ import annotations

from sqlalchemy import select

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.providers.models import MatchmakingEvent, Meeting, Participant
from tests.concurrency import count_rows, in_parallel, on_postgres, signed_in

from .conftest import MONDAY, at
from .test_events import EVENT, _company

SCOPE = "神经介入器械：取栓支架、抽吸导管的研发与生产。"

pytestmark = on_postgres




def _event(app, admin) -> int:
    assert signed_in(app, admin).post("/providers/events/new", data=EVENT).status_code == 302
    with app.app_context():
        return db.session.scalar(select(MatchmakingEvent.id))


def test_one_person_registering_twice_at_once_is_registered_once(app, make_user):
    admin = make_user(Role.ADMIN)
    company = _company(app, make_user, SCOPE)
    with at(MONDAY):
        event_id = _event(app, admin)
        clients = [signed_in(app, company) for _ in range(4)]
        url = f"/providers/events/{event_id}"
        codes = in_parallel([lambda c=c: c.post(url, data={"free_slots": ["1", "2"]}) for c in clients])
    assert all(code in (302, 400) for code in codes) and 302 in codes, codes
    assert count_rows(app, Participant, Participant.event_id == event_id) == 1


def test_two_administrators_proposing_at_once_leave_one_schedule(app, make_user):
    admins = [make_user(Role.ADMIN) for _ in range(3)]
    companies = [_company(app, make_user, SCOPE, organization=f"第{n}号神经介入器械有限公司") for n in range(4)]
    with at(MONDAY):
        event_id = _event(app, admins[0])
        for company in companies:
            response = signed_in(app, company).post(f"/providers/events/{event_id}", data={"free_slots": ["0", "1"]})
            assert response.status_code == 302
        assert signed_in(app, admins[0]).post(f"/providers/events/{event_id}/schedule").status_code == 302
        once = count_rows(app, Meeting, Meeting.event_id == event_id)
        clients = [signed_in(app, admin) for admin in admins]
        codes = in_parallel([lambda c=c: c.post(f"/providers/events/{event_id}/schedule") for c in clients])
    assert all(code in (302, 400) for code in codes), codes
    assert count_rows(app, Meeting, Meeting.event_id == event_id) == once
