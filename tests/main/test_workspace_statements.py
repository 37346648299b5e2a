"""Every role's workspace is served in a small, fixed number of SQL statements on the demo, where each person has
several rows in each panel (projects, connections, incubations, assignments, assessments, requests): a panel reads
its rows in one statement, never one more per row, so no statement of the page runs twice.

The demo is seeded once per test worker in a database of its own, which no other test empties.
"""

from __future__ import annotations

import importlib
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from chunfeng.accounts.models import User
from chunfeng.db import db
from tests.conftest import PASSWORD, login, seeded_demo

# Statements per workspace: the signed-in person with their session, organisation and unread notifications (1), then
# each panel of the role. Lower these as panels get cheaper; never raise them to let a new panel through without
# asking whether it can share what the page reads already.
BOUNDS = {
    "admin@demo.chunfeng.cn": 12,  # the recent activity reads the titles of the projects its entries name
    "officer@demo.chunfeng.cn": 5,
    "doctor@demo.chunfeng.cn": 7,
    "expert@demo.chunfeng.cn": 3,
    "company@demo.chunfeng.cn": 4,
    "investor@demo.chunfeng.cn": 3,
    "equipment@demo.chunfeng.cn": 3,
    "committee@demo.chunfeng.cn": 3,
    "regulator@demo.chunfeng.cn": 1,
    "lab@demo.chunfeng.cn": 3,
    "gcp@demo.chunfeng.cn": 3,
}
SESSION_BOOKKEEPING = "UPDATE login_sessions"  # last seen, written apart at most once a minute


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with seeded_demo(tmp_path_factory, "workspace") as app:
        yield app


def workspace_statements(app, client, path: str = "/dashboard") -> list[str]:
    """The SQL statements one GET of `path` runs (after a first GET, so that nothing done once per process
    counts), without the session's last-seen bookkeeping."""
    assert client.get(path).status_code == 200
    seen: list[str] = []

    def counted(_conn, _cursor, statement, *_args):
        if not statement.lstrip().startswith(SESSION_BOOKKEEPING):
            seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return seen


@contextmanager
def counting_every_time(app):
    """Panels the same for everyone (`Panel.shared`) are counted at most once a minute: here on every visit, as
    when their minute is over (the worst case)."""
    kept = app.config["RECENT_SECONDS"]
    app.config["RECENT_SECONDS"] = 0
    try:
        yield
    finally:
        app.config["RECENT_SECONDS"] = kept


@pytest.mark.parametrize("email", sorted(BOUNDS))
def test_each_roles_workspace_runs_a_bounded_number_of_statements_none_of_them_twice(demo, email):
    client = demo.test_client()
    assert login(client, email).status_code == 302
    with counting_every_time(demo):
        statements = workspace_statements(demo, client)
    repeated = {sql[:160]: n for sql, n in Counter(statements).items() if n > 1}
    assert not repeated, f"statements run once per row on {email}'s workspace: {repeated}"
    assert len(statements) <= BOUNDS[email], (
        f"{len(statements)} statements for {email}'s workspace (at most {BOUNDS[email]}):\n"
        + "\n".join(sql[:160] for sql in statements))


def test_the_administrators_shared_panels_read_nothing_while_their_figures_are_kept(demo):
    """Platform administration, formal check and review, matching, incubation, the catalogue: counted once, then
    kept for a minute."""
    client = demo.test_client()
    assert login(client, "admin@demo.chunfeng.cn").status_code == 302
    with counting_every_time(demo):
        counted = workspace_statements(demo, client)
    kept = workspace_statements(demo, client)
    assert len(kept) <= len(counted) - 8, "\n".join(sql[:160] for sql in kept)
    page = client.get("/dashboard").get_data(as_text=True)
    assert page.count("每分钟重新统计一次") == 5


def test_the_demo_gives_every_role_with_a_workspace_a_bound(demo):
    """A role added to the demo gets its bound here too."""
    with demo.app_context():
        roles = set(db.session.scalars(select(User.role).where(User.email.in_(BOUNDS))))
        every = set(db.session.scalars(select(User.role).where(User.email.like("%@demo.chunfeng.cn"))))
    assert roles == every, f"roles of the demo without a bound: {every - roles}"


def test_the_clinicians_workspace_runs_as_many_statements_with_the_demos_projects_twice(demo):
    """The demo's projects seeded a second time for the same people: the clinician has twice the projects (drafts,
    returned, under review, in matching, in incubation), with their questions, connections and to-do items; the
    workspace runs the same statements. (The administrator's: tests/admin/test_workspace_queries.py and
    tests/incubation/test_workspace_statements.py.)"""
    from chunfeng.demo.people import DemoPeople
    from chunfeng.submissions.models import Project

    people = ("doctor@demo.chunfeng.cn",)

    def counts() -> dict[str, int]:
        found = {}
        for email in people:
            client = demo.test_client()
            assert login(client, email).status_code == 302
            found[email] = len(workspace_statements(demo, client))
        return found

    def projects() -> int:
        return db.session.scalar(select(db.func.count()).select_from(Project).join(User, User.id == Project.owner_id)
                                 .where(User.email == people[0]))

    once = counts()
    with demo.app_context():
        before = projects()
        again = DemoPeople(password=PASSWORD)
        again.by_email = {user.email: user for user in db.session.scalars(select(User))}
        importlib.import_module("chunfeng.demo.submissions").seed(again)
        db.session.commit()
        assert projects() >= 2 * before > 0
    assert counts() == once
