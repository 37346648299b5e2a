"""The workspace's incubation panels: what the clinician, the officer and the administrator see of the incubations,
each panel read in one statement, with the stage targets kept a minute by each worker (read again at once after a
change this worker commits)."""

from __future__ import annotations

import re
from datetime import timedelta

from chunfeng.accounts.models import User
from chunfeng.core import clock
from chunfeng.db import db
from chunfeng.incubation import milestones, starting, targets
from chunfeng.incubation import status as incubation_status
from chunfeng.incubation.models import Incubation
from chunfeng.incubation.service_record import ask_question
from chunfeng.submissions.models import Pathway, Project
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at, begin, milestone_of
from tests.main.test_workspace_statements import workspace_statements

CHECKED = MONDAY + timedelta(days=45)  # the first step (30 working days) is overdue by then


def _incubation_reads(statements: list[str]) -> list[str]:
    """The statements that read incubations, their milestones or the stage targets."""
    return [sql for sql in statements if sql.startswith("SELECT incubation")]


def _start(app, clinician: User, officer: User, admin: User, title: str, make_project) -> int:
    project_id = make_project(owner=clinician, title=title)
    with at(MONDAY), app.app_context():
        incubation = starting.start_incubation(db.session.get(Project, project_id), officer.id, Pathway.PRE_REVIEW,
                                               db.session.get(User, admin.id))
        db.session.commit()
        return incubation.id


def _finish_first_step(app, incubation_id: int, officer: User) -> None:
    """Finish the product technical requirements on time: the project is then at registration testing."""
    with at(MONDAY + timedelta(days=14)), app.app_context():
        incubation = db.session.get(Incubation, incubation_id)
        step, acting = milestone_of(incubation, "product_technical_requirements"), db.session.get(User, officer.id)
        begin(step, acting, on=MONDAY)
        milestones.change_milestone(step, "complete", acting)
        db.session.commit()


def _section(page: str, section_id: str) -> str:
    """The text of the workspace panel (Chinese runs are marked up with their language)."""
    section = page[page.index(f'id="{section_id}"'):]
    return re.sub(r"<(?!progress|dd)[^>]+>", "", section[:section.index("</section>")])


def _titles(page: str, section_id: str, titles: list[str]) -> list[str]:
    """The given titles in the order the workspace panel shows them."""
    section = _section(page, section_id)
    return sorted((t for t in titles if t in section), key=section.index)


def test_the_clinicians_incubation_panel_reads_every_incubation_in_one_statement(app, client, start, make_project):
    first = start()
    on_time = _start(app, first.clinician, first.officer, first.admin, "可降解鼻窦支架", make_project)
    approved = _start(app, first.clinician, first.officer, first.admin, "智能输液监测贴", make_project)
    _finish_first_step(app, on_time, first.officer)
    with app.app_context():
        incubation = db.session.get(Incubation, approved)
        incubation_status.lifecycle.apply(incubation, "approve", db.session.get(User, first.admin.id))
        db.session.commit()
    with at(CHECKED):
        assert login(client, first.clinician.email).status_code == 302
        reads = _incubation_reads(workspace_statements(app, client, "/dashboard?lang=en"))
        page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert len(reads) == 1, reads
    titles = ["可调节直径的颅内取栓支架", "可降解鼻窦支架", "智能输液监测贴"]
    # active ones first, the one with an overdue step before the one on time; the approved one last
    assert _titles(page, "panel-incubation-clinician", titles) == titles
    panel = _section(page, "panel-incubation-clinician")
    assert re.search(r"Now: Product technical requirements\s*· Officer: 陈专员", panel)
    assert re.search(r"Now: Registration testing\s*· Officer: 陈专员", panel)
    assert "Approved for market" in panel and 'value="14"' in panel and 'value="0"' in panel


def test_the_officers_and_the_administrators_panels_read_their_incubations_in_one_statement(
        app, client, start, make_project):
    first = start()
    titles = ["可调节直径的颅内取栓支架"] + [f"培育项目{n}号" for n in "一二三四五六七"]
    ids = [first.incubation_id] + [
        _start(app, first.clinician, first.officer, first.admin, title, make_project) for title in titles[1:]]
    for incubation_id in ids[1:6]:  # five of them on time, the first and the two last overdue
        _finish_first_step(app, incubation_id, first.officer)
    with app.app_context():
        ask_question(db.session.get(Incubation, ids[3]), db.session.get(User, first.clinician.id), "样品要几件？")
        incubation_status.lifecycle.apply(db.session.get(Incubation, ids[7]), "approve",
                                          db.session.get(User, first.admin.id))
        db.session.commit()
    with at(CHECKED):
        assert login(client, first.officer.email).status_code == 302
        reads = _incubation_reads(workspace_statements(app, client, "/dashboard?lang=en"))
        page = client.get("/dashboard?lang=en").get_data(as_text=True)
        listed = re.sub(r"<[^>]+>", "", client.get("/incubation/mine?lang=en").get_data(as_text=True))
    assert len(reads) == 1, reads
    shown = _titles(page, "panel-incubation-officer", titles)
    # the officer's own list in the same order: overdue first, then the open question, then by due date
    assert shown == [t for t in sorted(titles, key=listed.index) if t != titles[7]][:6]
    assert shown[:3] == [titles[0], titles[6], titles[3]]
    assert "Overdue steps: 2" in page and "Open questions: 1" in page and "and 1 more" in page

    admin = app.test_client()
    app.config["RECENT_SECONDS"] = 0  # the administrators' panel is the same for all of them: counted on each visit
    with at(CHECKED):
        assert login(admin, first.admin.email).status_code == 302
        reads = _incubation_reads(workspace_statements(app, admin, "/dashboard?lang=en"))
        page = admin.get("/dashboard?lang=en").get_data(as_text=True)
    # besides the panel's statement: the stage targets (kept a minute) and the recent activity looking up the
    # incubations its entries name (another panel)
    panel = [r for r in reads if not r.startswith("SELECT incubation_stage_targets") and " IN (" not in r]
    assert len(panel) == 1, "\n".join(r[:200] for r in reads)
    figures = re.findall(r'<dd class="col-4 text-end[^"]*">(\d+)', _section(page, "panel-incubation-admin"))
    assert figures[:2] == ["7", "2"]  # in incubation (the approved one is not), with overdue steps


def test_a_stage_target_changed_here_counts_at_once_and_one_changed_by_another_worker_within_a_minute(
        app, client, start, monkeypatch):
    started = start(Pathway.PRE_REVIEW)
    review_start = MONDAY + timedelta(days=7)
    with at(review_start), app.app_context():
        review = milestone_of(db.session.get(Incubation, started.incubation_id), "technical_review")
        review.planned_due = None  # only the target counts: 27 working days (45% of 60)
        milestones.change_milestone(review, "start", db.session.get(User, started.officer.id))
        db.session.commit()
    now = [1000.0]
    monkeypatch.setattr(targets.KEPT, "_clock", lambda: now[0])
    officer, admin = app.test_client(), app.test_client()
    day = clock.add_working_days(review_start, 20)
    with at(day):
        assert login(officer, started.officer.email).status_code == 302
        assert login(admin, started.admin.email).status_code == 302

    def overdue() -> bool:
        with at(day):
            return "Overdue steps: 1" in officer.get("/dashboard?lang=en").get_data(as_text=True)

    assert not overdue()
    with at(day):
        statements = workspace_statements(app, officer)
    assert not [sql for sql in statements if "incubation_stage_targets" in sql]  # kept from the visit before
    with at(day):
        saved = admin.post("/incubation/admin/targets", data={"key": "technical_review", "pathway": "pre_review",
                                                              "days": "15"})
    assert saved.status_code == 302
    assert overdue()  # 20 working days against the new target of 15, on the next page of this worker

    # another worker writes a target: this one counts with it once the minute it keeps them has passed
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE incubation_stage_targets SET days = 25")
    now[0] += 61
    assert not overdue()
