"""Matching's workspace panels on the demo each read what they show in one SQL statement of plain columns, and show
what the connections and matches themselves say (the ORM reads of connections.py and browsing.py as reference)."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import event, select

from chunfeng import policy
from chunfeng.accounts.models import User
from chunfeng.db import db
from chunfeng.matching import browsing, profiles
from chunfeng.matching import connections as connecting
from chunfeng.matching.routes import PANELS
from tests.conftest import seeded_demo

PEOPLE = ("company@demo.chunfeng.cn", "investor@demo.chunfeng.cn", "admin@demo.chunfeng.cn")


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


@pytest.mark.parametrize("email", PEOPLE)
def test_each_matching_panel_reads_in_one_statement(demo, email):
    panels = _panels_of(demo, email)
    assert panels, f"no matching panel for {email}"
    for template, _ctx, _html, statements in panels:
        assert len(statements) <= 1, f"{template} for {email}:\n" + "\n".join(sql[:160] for sql in statements)


@pytest.mark.parametrize("email", ["company@demo.chunfeng.cn", "investor@demo.chunfeng.cn"])
def test_the_company_panel_shows_its_matches_connections_and_invitations(demo, email):
    [(_template, ctx, html, _statements)] = _panels_of(demo, email)
    panel = ctx["panel"]
    with demo.app_context():
        org = db.session.scalar(select(User.organization_id).where(User.email == email))
        top = browsing.top_matches(org)
        assert [(m.project_id, m.project.title, m.score) for m in top] == [
            (m.project_id, m.title, m.score) for m in panel.top]
        assert panel.stages == connecting.org_connection_stages(org)
        assert panel.invitations == len(connecting.pending_invitations(org))
        assert panel.status == browsing.profile_status(org) == "approved"
    assert all(m.project.title in html for m in top)


def test_the_demo_company_panels_show_connections_and_an_invitation(demo):
    """The demo gives the panels something to show: a connection under way, a request, an invitation."""
    shown = {email: _panels_of(demo, email)[0][1]["panel"] for email in PEOPLE[:2]}
    assert any(panel.stages for panel in shown.values())
    assert sum(panel.invitations for panel in shown.values()) >= 1
    assert all(panel.top for panel in shown.values())


def test_the_administrators_panel_counts_profiles_and_connections(demo):
    [(_template, ctx, html, _statements)] = _panels_of(demo, "admin@demo.chunfeng.cn")
    with demo.app_context():
        counts, profile_counts = connecting.connection_counts(), profiles.profile_counts()
    requested = counts["status"].get("requested", 0) - counts["invited"]
    assert (ctx["profiles_pending"], ctx["requested"], ctx["invited"], ctx["accepted"]) == (
        profile_counts.get("pending", 0), requested, counts["invited"], counts["status"].get("accepted", 0))
    assert f"{requested} awaiting the clinician, {counts['status'].get('accepted', 0)} active" in html

