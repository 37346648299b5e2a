"""The clinician's "My projects" panel: the latest projects and what is asked of the clinician (questions to answer
by their deadline, revisions and returned projects with the note that says why, unsent drafts, members asking to
join their hospital), the intake's part read in one statement whatever the number of projects and questions."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event, update

from chunfeng.accounts.models import JoinRequest, JoinStatus, Role, User
from chunfeng.core.clock import local_today
from chunfeng.db import db, utcnow
from chunfeng.submissions import services
from chunfeng.submissions.models import Clarification, Project
from chunfeng.submissions.status import Event, apply
from tests.conftest import login
from tests.main.test_workspace_statements import workspace_statements

INTAKE = ("projects", "project_versions", "clarifications", "status_events")


def _intake_reads(statements: list[str]) -> list[str]:
    return [sql for sql in statements if re.match(rf"SELECT ({'|'.join(INTAKE)})\.", sql)]


def _asked(page: str) -> list[str]:
    """The texts of "Asked of you", with the links they lead to."""
    section = page[page.index("Asked of you"):]
    section = section[:section.index("</ul>")]
    return [f"{re.sub(r'<[^>]+>', '', text).strip()} -> {link}"
            for link, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', section, flags=re.S)]


def _listed(page: str) -> list[str]:
    section = page[page.index("Asked of you") if "Asked of you" in page else page.index("panel-my-projects"):]
    section = section[section.index('<ul class="list-unstyled'):]
    return re.findall(r'<a href="/projects/(\d+)">', section[:section.index("</ul>")])


def _through(project_id: int, *events: tuple[Event, str]) -> None:
    project = db.session.get(Project, project_id)
    for name, note in events:
        apply(project, name, None, note)


def test_the_panel_reads_the_projects_and_the_questions_in_one_statement_and_asks_what_each_needs(
        app, client, make_user, make_project, submit_project):
    clinician = make_user(Role.CLINICIAN, name="李明医生")
    ids = {}
    for name in ("revision", "returned", "review", "sent_withdrawn", "unsent_withdrawn", "untitled", "draft",
                 "more1", "more2", "more3"):
        ids[name] = make_project(clinician, complete=name not in ("untitled", "draft", "unsent_withdrawn"),
                                 title="" if name == "untitled" else f"项目{name}")
    for name in ("revision", "returned", "review", "sent_withdrawn", "more1", "more2", "more3"):
        submit_project(ids[name], clinician)
    with app.app_context():
        today = local_today()
        _through(ids["revision"], (Event.PASS_FORMAL_CHECK, ""), (Event.START_REVIEW, ""),
                 (Event.REQUEST_REVISION, "请补充动物实验数据。"))
        _through(ids["returned"], (Event.RETURN_FORMAL_CHECK, "缺少伦理审查说明。"))
        _through(ids["review"], (Event.PASS_FORMAL_CHECK, ""), (Event.START_REVIEW, ""))
        _through(ids["sent_withdrawn"], (Event.WITHDRAW, "不再申报"))
        _through(ids["unsent_withdrawn"], (Event.WITHDRAW, ""))
        questions = {}
        for key, due, answered in (("later", 6, False), ("sooner", 2, False), ("past", -1, False),
                                   ("answered", 3, True)):
            item = Clarification(project_id=ids["review"], asked_by_id=clinician.id, asked_as="expert",
                                 question="样本量如何确定？", asked_at=utcnow(), due_on=today + timedelta(days=due),
                                 answer="已答复" if answered else "", answered_at=utcnow() if answered else None)
            db.session.add(item)
            db.session.flush()
            questions[key] = item.id
        # the latest saved first: in the order of `ids`
        for position, project_id in enumerate(ids.values()):
            db.session.execute(update(Project).where(Project.id == project_id)
                               .values(updated_at=utcnow() - timedelta(minutes=position)))
        db.session.commit()
    assert login(client, clinician.email).status_code == 302
    client.get("/dashboard")  # what is built once per process
    with app.test_request_context("/dashboard"), app.app_context():
        seen: list[str] = []
        listen = lambda *args: seen.append(" ".join(args[2].split()))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            services.panel_context(db.session.get(User, clinician.id))
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert len(_intake_reads(seen)) == 1, _intake_reads(seen)

    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    review = f"/projects/{ids['review']}#clarification-"
    assert _asked(page) == [
        f"The reviewing experts asked a question about “项目review”. Please answer by "
        f"{(today + timedelta(days=2)).isoformat()}. -> {review}{questions['sooner']}",
        f"The reviewing experts asked a question about “项目review”. Please answer by "
        f"{(today + timedelta(days=6)).isoformat()}. -> {review}{questions['later']}",
        f"The panel asks for a revision of “项目revision”. Revise it and submit again. 请补充动物实验数据。"
        f" -> /projects/{ids['revision']}",
        f"“项目returned” was returned at the formal check. Complete it and submit again. 缺少伦理审查说明。"
        f" -> /projects/{ids['returned']}",
        f"“Untitled project” is still a draft. Submit it when it is complete. -> /projects/{ids['untitled']}",
        f"“项目draft” is still a draft. Submit it when it is complete. -> /projects/{ids['draft']}",
    ]
    # the eight latest, without the draft withdrawn before it was ever sent
    assert _listed(page) == [str(ids[name]) for name in ("revision", "returned", "review", "sent_withdrawn",
                                                         "untitled", "draft", "more1", "more2")]


def test_members_asking_to_join_the_clinicians_hospital_are_asked_in_one_statement(app, client, make_user):
    clinician = make_user(Role.CLINICIAN, name="李明医生", organization="中山大学附属第一医院")
    asking = [make_user(Role.CLINICIAN, name=name) for name in ("王芳医生", "周静护士长", "陈刚医生")]
    with app.app_context():
        for n, person in enumerate(asking):
            db.session.add(JoinRequest(user_id=person.id, organization_id=clinician.organization_id,
                                       status=JoinStatus.REJECTED if n == 2 else JoinStatus.PENDING,
                                       created_at=utcnow() - timedelta(days=n)))
        db.session.commit()
    assert login(client, clinician.email).status_code == 302
    reads = [sql for sql in workspace_statements(app, client, "/dashboard?lang=en")
             if sql.startswith(("SELECT join_requests.", "SELECT users."))]
    assert len(reads) == 1, reads
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert _asked(page) == [
        "周静护士长 asks to join 中山大学附属第一医院. Please confirm or decline. -> /account/organization/requests",
        "王芳医生 asks to join 中山大学附属第一医院. Please confirm or decline. -> /account/organization/requests",
    ]
