"""The workspace is one page of panels from every domain: its SQL statements do not grow with what the person has
(projects, connections), and a read that several panels share (the clinician's projects, their connections) runs
once per page."""

from __future__ import annotations

from sqlalchemy import event

from chunfeng.accounts.models import Role
from chunfeng.db import db


def _statements(app, client, path: str) -> int:
    count = [0]

    def counted(*_args):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count[0]


def test_the_clinicians_workspace_runs_as_many_statements_for_six_projects_as_for_one(
        app, client, login_as, make_project):
    app.config["RECENT_SECONDS"] = 0  # what is kept a minute (the links a person may follow) counted on each visit
    clinician = login_as(Role.CLINICIAN)
    make_project(clinician, "matching", title="一种可回收取栓支架")
    client.get("/dashboard")
    one = _statements(app, client, "/dashboard")
    for status in ("draft", "submitted", "under_review", "matching", "incubation"):
        make_project(clinician, status, title=f"项目 {status}")
    six = _statements(app, client, "/dashboard")
    assert six == one
    # the session and its user (2), then the panels of intake, matching, incubation, community and the shell:
    # the clinician's projects and connections are read once for all of them
    assert six <= 15, f"{six} statements for the clinician's workspace"


def test_the_administrators_workspace_runs_as_many_statements_for_three_open_rounds_as_for_one(
        app, client, login_as, make_user, make_project):
    from tests.reviews.conftest import enter, open_round

    app.config["RECENT_SECONDS"] = 0  # the panels the same for every administrator counted on each visit
    admin = login_as(Role.ADMIN)
    owner = make_user(Role.CLINICIAN, name="王医生")

    def a_round_with_a_project(n: int) -> None:
        project_id = make_project(owner, "accepted", title=f"项目 {n}")
        with app.app_context():
            enter(open_round(admin.id, name=f"2026年第{n}批次"), project_id, admin.id)
            db.session.commit()

    a_round_with_a_project(1)
    client.get("/dashboard")
    one = _statements(app, client, "/dashboard")
    a_round_with_a_project(2)
    a_round_with_a_project(3)
    three = _statements(app, client, "/dashboard")
    assert three == one, f"{one} statements with one open round, {three} with three"
