"""The workspace's incubation panels read every incubation in a fixed number of statements: the officer's with
four projects as with one (each with its plan, open questions and overdue steps), and so the administrator's."""

from __future__ import annotations

from chunfeng.db import db
from chunfeng.incubation.models import Incubation
from chunfeng.incubation.service_record import ask_question
from tests.conftest import login
from tests.main.test_workspace_statements import workspace_statements


def _ask(app, incubation_id: int, author) -> None:
    with app.app_context():
        incubation = db.session.get(Incubation, incubation_id)
        ask_question(incubation, db.session.merge(author), "注册检验的样品数量是多少？")
        db.session.commit()


def test_the_officers_and_the_administrators_workspaces_run_as_many_statements_for_four_incubations_as_for_one(
        app, client, start):
    first = start()
    _ask(app, first.incubation_id, first.clinician)
    assert login(client, first.officer.email).status_code == 302
    officer_one = len(workspace_statements(app, client))
    admin = app.test_client()
    assert login(admin, first.admin.email).status_code == 302
    admin_one = len(workspace_statements(app, admin))
    for _ in range(3):
        more = start(officer=first.officer, admin=first.admin)
        _ask(app, more.incubation_id, more.clinician)
    assert len(workspace_statements(app, client)) == officer_one
    assert len(workspace_statements(app, admin)) == admin_one
    # the questions counted in the same statement as the incubations: each project's open question is there
    assert "Open questions: 4" in client.get("/dashboard?lang=en").get_data(as_text=True)
