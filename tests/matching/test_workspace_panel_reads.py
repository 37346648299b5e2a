"""Matching's workspace panels on the demo each add at most one SQL statement of plain columns to the workspace,
and show what the connections and matches themselves say (the ORM reads of connections.py and browsing.py as
reference)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import event, select

from chunfeng import policy
from chunfeng.accounts.models import User
from chunfeng.db import db
from chunfeng.matching import browsing, profiles
from chunfeng.matching import connections as connecting
from chunfeng.matching.models import Connection
from chunfeng.matching.routes import PANELS
from chunfeng.submissions.models import Project
from tests.conftest import login, seeded_demo
from tests.main.test_workspace_statements import workspace_statements

PEOPLE = ("company@demo.chunfeng.cn", "investor@demo.chunfeng.cn", "doctor@demo.chunfeng.cn", "admin@demo.chunfeng.cn")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo, where the clinician has a connection under way and has invited a company, with a company's request
    awaiting the clinician's answer as well."""
    with seeded_demo(tmp_path_factory, "matching-panels") as app:
        with app.test_request_context("/"):
            doctor = db.session.scalar(select(User).where(User.email == "doctor@demo.chunfeng.cn"))
            company = db.session.scalar(select(User).where(User.email == "investor@demo.chunfeng.cn"))
            project = next(p for p in connecting.matchable_projects_of(doctor)
                           if connecting.open_connection(p.id, company.organization_id) is None)
            connecting.request_connection(project, company, "我们关注该领域，希望了解样机进展并探讨投资与合作方式。")
            db.session.commit()
        yield app


def _panels_of(app, email: str) -> list[tuple[str, dict, str, list[str]]]:
    """Each matching panel the person sees: its template, its context, its HTML and the statements it ran (context
    and template, in a GET of the workspace)."""
    shown = []
    with app.test_request_context("/dashboard", headers={"Accept-Language": "en"}):
        user = db.session.scalar(select(User).where(User.email == email))
        login_user(user)
        user.unread_when_loaded = 0  # read with the session, as every signed-in page reads it
        for panel in PANELS.items:
            if not policy.can(user, panel.action):
                continue
            seen: list[str] = []

            def counted(_conn, _cursor, statement, *_args, seen=seen):
                seen.append(" ".join(statement.split()))

            event.listen(db.engine, "before_cursor_execute", counted)
            try:
                ctx = panel.context(user)
                html = render_template(panel.template, ctx=ctx)
            finally:
                event.remove(db.engine, "before_cursor_execute", counted)
            shown.append((panel.template, ctx, html, seen))
    return shown


def _connections_of(owner: User) -> list[Connection]:
    return list(db.session.scalars(select(Connection).join(Project, Project.id == Connection.project_id)
                                   .where(Project.owner_id == owner.id).order_by(Connection.id.desc())))


def _requests_awaiting(owner: User) -> list[Connection]:
    """Companies' requests awaiting the clinician's answer, newest first (not the clinician's invitations)."""
    return [c for c in _connections_of(owner) if c.status == "requested" and not c.invited]


@pytest.mark.parametrize("email", PEOPLE)
def test_each_matching_panel_adds_at_most_one_statement_to_the_workspace(demo, email, monkeypatch):
    """What the workspace reads with matching's panels and without them (a read the page shares with another panel
    or its to-do list is not the panel's own)."""
    assert len(_panels_of(demo, email)) == 1
    client = demo.test_client()
    assert login(client, email).status_code == 302
    shown = workspace_statements(demo, client)
    monkeypatch.setattr(PANELS, "items", ())
    without = workspace_statements(demo, client)
    added = list((Counter(shown) - Counter(without)).elements())
    assert len(shown) - len(without) <= 1, f"{email}:\n" + "\n".join(sql[:160] for sql in added)


@pytest.mark.parametrize("email", ["company@demo.chunfeng.cn", "investor@demo.chunfeng.cn"])
def test_the_company_panel_shows_its_matches_connections_and_invitations(demo, email):
    [(_template, ctx, html, _statements)] = _panels_of(demo, email)
    panel = ctx["panel"]
    with demo.app_context():
        org = db.session.scalar(select(User.organization_id).where(User.email == email))
        top = browsing.top_matches(org)
        assert [(m.project_id, m.project.title, m.score) for m in top] == [
            (m.project_id, m.title, m.score) for m in panel.top]
        connections = db.session.scalars(select(Connection).where(Connection.organization_id == org)).all()
        assert panel.stages == dict(Counter(str(c.stage if c.status == "accepted" else c.status) for c in connections))
        assert panel.invitations == sum(c.status == "requested" and c.invited for c in connections)
        assert panel.status == browsing.profile_status(org) == "approved"
    assert all(m.project.title in html for m in top)


def test_the_demo_company_panels_show_connections_and_an_invitation(demo):
    """The demo gives the panels something to show: a connection under way, a request, an invitation."""
    shown = {email: _panels_of(demo, email)[0][1]["panel"] for email in PEOPLE[:2]}
    assert any(panel.stages for panel in shown.values())
    assert sum(panel.invitations for panel in shown.values()) >= 1
    assert all(panel.top for panel in shown.values())


def test_the_clinicians_panel_shows_requests_connections_and_matchable_projects(demo):
    [(_template, ctx, html, _statements)] = _panels_of(demo, "doctor@demo.chunfeng.cn")
    with demo.app_context():
        doctor = db.session.scalar(select(User).where(User.email == "doctor@demo.chunfeng.cn"))
        pending = _requests_awaiting(doctor)
        active = [c for c in _connections_of(doctor) if c.status == "accepted"]
        matchable = connecting.matchable_projects_of(doctor)
        assert pending and active and matchable, "the demo's clinician has requests, a connection and projects"
        assert [(c.id, c.organization.name, c.project.title) for c in pending] == [
            (c.id, c.organization, c.title) for c in ctx["pending"]]
        assert ctx["active"] == len(active)
        assert [p.id for p in ctx["projects"]] == [p.id for p in matchable]
        assert all(c.organization.name in html for c in pending[:5])
        assert all(p.title in html for p in matchable[:5])
    assert f"Active connections: {len(active)}" in html


def test_the_clinicians_to_do_list_asks_for_an_answer_to_each_request(demo):
    """The to-do list reads the same connections as the panel (one read for both)."""
    client = demo.test_client()
    assert login(client, "doctor@demo.chunfeng.cn").status_code == 302
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)  # Chinese names sit in elements marked as Chinese
    with demo.app_context():
        doctor = db.session.scalar(select(User).where(User.email == "doctor@demo.chunfeng.cn"))
        pending = [(c.id, c.organization.name, c.project.title) for c in _requests_awaiting(doctor)]
    assert pending
    for connection_id, organization, title in pending:
        assert f"{organization} asks to connect about “{title}”. Accept or decline." in text
        assert f'href="/matching/connections/{connection_id}"' in page


def test_the_administrators_panel_counts_profiles_and_connections(demo):
    [(_template, ctx, html, _statements)] = _panels_of(demo, "admin@demo.chunfeng.cn")
    with demo.app_context():
        counts, profile_counts = connecting.connection_counts(), profiles.profile_counts()
    requested = counts["status"].get("requested", 0) - counts["invited"]
    assert (ctx["profiles_pending"], ctx["requested"], ctx["invited"], ctx["accepted"]) == (
        profile_counts.get("pending", 0), requested, counts["invited"], counts["status"].get("accepted", 0))
    assert f"{requested} awaiting the clinician, {counts['status'].get('accepted', 0)} active" in html

