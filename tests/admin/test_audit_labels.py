"""The audit log and the workspace read in words: every action the code records has a label, every table an entry
can name has one, and the administrator's workspace shows recent activity as sentences, never action codes."""

from __future__ import annotations

import gc
import re
from pathlib import Path

from chunfeng.accounts.models import Role, User
from chunfeng.admin.audit import ACTION_LABELS, OBJECT_LABELS
from chunfeng.core.lifecycle import Lifecycle
from chunfeng.core.services import record
from chunfeng.db import db

SOURCE = Path(__file__).resolve().parents[2] / "platform" / "chunfeng"
RECORDED = re.compile(r'record\(\s*"([a-z_]+\.[a-z_]+)"')


def _recorded_actions() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        found |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    for lifecycle in (obj for obj in gc.get_objects() if isinstance(obj, Lifecycle)):
        if lifecycle.audited:
            found |= {f"{lifecycle.name}.{event.value}" for event in lifecycle.events}
    return found


def test_every_recorded_action_and_every_table_has_a_label(app):
    assert _recorded_actions() - set(ACTION_LABELS) == set()
    with app.app_context():
        assert set(db.metadata.tables) - set(OBJECT_LABELS) - {"alembic_version"} == set()


def test_the_workspace_shows_recent_activity_in_words(app, client, login_as):
    admin = login_as(Role.ADMIN)
    with app.app_context():
        record("connection.invited", actor=db.session.get(User, admin.id))
        db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "邀请企业对接" in page
    assert "<code>connection.invited</code>" not in page and "connection.invited" not in page
