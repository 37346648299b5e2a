"""Matchmaking days under clicks at the same moment: one registration per person, one schedule per day, and the
later click is told so (never an error page)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.providers.models import MatchmakingEvent, Meeting, Participant
from tests.concurrency import in_parallel
from tests.conftest import login

from .conftest import MONDAY, at
from .test_events import EVENT, _company

SCOPE = "神经介入器械：取栓支架、抽吸导管的研发与生产。"

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrent writers need PostgreSQL (set TEST_DATABASE_URL)",
)


def _signed_in(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _event(app, admin) -> int:
    assert _signed_in(app, admin).post("/providers/events/new", data=EVENT).status_code == 302
    with app.app_context():
        return db.session.scalar(select(MatchmakingEvent.id))


def test_one_person_registering_twice_at_once_is_registered_once(app, make_user):
    admin = make_user(Role.ADMIN)
    company = _company(app, make_user, SCOPE)
    with at(MONDAY):
        event_id = _event(app, admin)
        clients = [_signed_in(app, company) for _ in range(4)]
        url = f"/providers/events/{event_id}"
        codes = in_parallel([lambda c=c: c.post(url, data={"free_slots": ["1", "2"]}) for c in clients])
    assert all(code in (302, 400) for code in codes) and 302 in codes, codes
    assert _count(app, Participant, Participant.event_id == event_id) == 1


def test_two_administrators_proposing_at_once_leave_one_schedule(app, make_user):
    admins = [make_user(Role.ADMIN) for _ in range(3)]
    companies = [_company(app, make_user, SCOPE, organization=f"第{n}号神经介入器械有限公司") for n in range(4)]
    with at(MONDAY):
        event_id = _event(app, admins[0])
        for company in companies:
            response = _signed_in(app, company).post(f"/providers/events/{event_id}", data={"free_slots": ["0", "1"]})
            assert response.status_code == 302
        assert _signed_in(app, admins[0]).post(f"/providers/events/{event_id}/schedule").status_code == 302
        once = _count(app, Meeting, Meeting.event_id == event_id)
        clients = [_signed_in(app, admin) for admin in admins]
        codes = in_parallel([lambda c=c: c.post(f"/providers/events/{event_id}/schedule") for c in clients])
    assert all(code in (302, 400) for code in codes), codes
    assert _count(app, Meeting, Meeting.event_id == event_id) == once
