"""What every signed-in page reads before its own content: the session, its person and their unread notifications,
in one SQL statement; the navigation's badge still counts the notifications as they are on every page."""

from __future__ import annotations

import re

from chunfeng.accounts.models import Role, User
from chunfeng.core.services import N_, notify
from chunfeng.db import db
from tests.main.test_workspace_statements import workspace_statements

BADGE = re.compile(r'href="/notifications">[^<]*(?:<span class="badge[^"]*">(\d+)</span>)?')


def _badge(client) -> int:
    found = BADGE.search(client.get("/privacy").get_data(as_text=True))
    assert found, "no notifications link in the navigation"
    return int(found.group(1) or 0)


def _tell(app, user_id: int, times: int = 1) -> None:
    with app.app_context():
        for _ in range(times):
            notify(db.session.get(User, user_id), N_("Your account has been approved."), "/dashboard")
        db.session.commit()


def test_a_signed_in_page_reads_its_person_session_and_unread_notifications_in_one_statement(app, client, login_as):
    login_as(Role.EXPERT)
    assert len(workspace_statements(app, client, "/privacy")) == 1


def test_the_badge_counts_unread_notifications_on_each_page_and_none_once_they_are_read(app, client, login_as):
    user = login_as(Role.CLINICIAN)
    assert _badge(client) == 0
    _tell(app, user.id, 3)
    assert _badge(client) == 3
    _tell(app, user.id)
    assert _badge(client) == 4
    page = client.post("/notifications/read", follow_redirects=True).get_data(as_text=True)
    assert not BADGE.search(page).group(1)
    assert _badge(client) == 0
