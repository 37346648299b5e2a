"""Clarification questions through the platform, blind both ways, with a deadline; the answer joins the project
as supplementary material the panel reads, and the asker is told."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from chunfeng.core.clock import local_today
from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.submissions.models import Clarification, Project
from chunfeng.submissions.status import Event, apply
from tests.concurrency import in_parallel, on_postgres
from tests.smtp_server import body, link_path, subject

from .conftest import client_as

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
QUESTION = "请说明远端网篮回收时的最大回撤力，以及是否做过疲劳测试？"
ANSWER = "最大回撤力约1.2牛；疲劳测试已按YY/T 0663完成，报告见附件。"


def today(app):
    """Today on the platform's calendar (its configured zone)."""
    with app.app_context():
        return local_today()


def _ask(app, browser, under_review, question=QUESTION, due_on=None, assignment=0):
    due_on = due_on or (today(app) + timedelta(days=7)).isoformat()
    review_page = f"/reviews/assignments/{under_review.assignments[assignment]}"
    return browser.post(f"/projects/{under_review.project_id}/clarifications",
                        data={"question": question, "due_on": due_on, "next": review_page})


def _only_question(app) -> Clarification:
    with app.app_context():
        item = db.session.scalars(select(Clarification)).one()
        db.session.expunge(item)
        return item


def _answer(browser, project_id: int, clarification_id: int, text=ANSWER, file=None, attest=True):
    data = {"answer": text}
    if file is not None:
        data["file"] = (io.BytesIO(file[1]), file[0])
    if attest:
        data["attest"] = "y"
    return browser.post(f"/projects/{project_id}/clarifications/{clarification_id}/answer", data=data,
                        content_type="multipart/form-data")


def test_an_assigned_expert_asks_and_the_clinician_is_told_in_the_app_and_by_mail_without_the_name(
        app, under_review, smtp):
    people = under_review.people
    expert = client_as(app, people.expert_a)
    review_page = expert.get(f"/reviews/assignments/{under_review.assignments[0]}").get_data(as_text=True)
    assert "向申报人提问" in review_page
    assert f'action="/projects/{under_review.project_id}/clarifications"' in review_page
    default_due = (today(app) + timedelta(days=7)).isoformat()
    assert f'value="{default_due}"' in review_page, "seven days from today on the platform's calendar by default"

    response = _ask(app, expert, under_review)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/reviews/assignments/{under_review.assignments[0]}")
    item = _only_question(app)
    assert item.due_on.isoformat() == default_due and item.asked_as == "expert"

    mails = smtp.to(people.clinician.email)
    assert len(mails) == 1
    assert "评审专家" in subject(mails[0]) and QUESTION in body(mails[0]) and default_due in body(mails[0])
    assert "孙丽华" not in body(mails[0]) + subject(mails[0])
    assert link_path(mails[0]) == f"/projects/{under_review.project_id}"

    clinician = client_as(app, people.clinician)
    page = clinician.get(f"/projects/{under_review.project_id}").get_data(as_text=True)
    assert "评审专家提问" in page and QUESTION in page and f'id="clarification-{item.id}"' in page
    assert re.search(r'class="asker">\s*评审专家\s*<', page), "a single asking expert is just 评审专家"
    for name in ("孙丽华", "周海涛", "北京协和医院"):
        assert name not in page, f"the clinician never sees {name}"
    workspace = clinician.get("/").get_data(as_text=True) + clinician.get("/notifications").get_data(as_text=True)
    assert "评审专家就“带远端保护的可回收颅内取栓支架”提出了问题" in workspace and "孙丽华" not in workspace


def test_several_askers_are_expert_a_and_b_and_the_administrator_is_named_by_role(app, under_review):
    people = under_review.people
    assert _ask(app, client_as(app, people.expert_a), under_review).status_code == 302
    assert _ask(app, client_as(app, people.expert_b), under_review, question="动物实验样本量如何确定？",
                assignment=1).status_code == 302
    admin = client_as(app, people.admin)
    assert 'class="card card-body mb-3 ask-form"' in admin.get(f"/projects/{under_review.project_id}").get_data(
        as_text=True), "the administrator asks from the project page"
    due_on = (today(app) + timedelta(days=3)).isoformat()
    asked = admin.post(f"/projects/{under_review.project_id}/clarifications",
                       data={"question": "请补充伦理审查批件编号。", "due_on": due_on})
    assert asked.status_code == 302
    page = client_as(app, people.clinician).get(f"/projects/{under_review.project_id}").get_data(as_text=True)
    labels = re.findall(r'class="asker">\s*([^<]+?)\s*<', page)
    assert sorted(labels) == ["专家 A", "专家 B", "平台管理员"]
    for name in ("孙丽华", "周海涛", "管理员老周"):
        assert name not in page


def test_the_answer_becomes_supplementary_material_the_panel_reads_blind_and_the_asker_is_told(app, under_review):
    people, project_id = under_review.people, under_review.project_id
    _ask(app, client_as(app, people.expert_a), under_review)
    item = _only_question(app)
    clinician = client_as(app, people.clinician)
    response = _answer(clinician, project_id, item.id, file=("李明-疲劳测试报告.pdf", PDF))
    assert response.status_code == 302
    with app.app_context():
        project = db.session.get(Project, project_id)
        version = project.latest_version
        assert version.number == 2 and version.is_supplement
        assert version.supplement == {"reason": "答复专家提问", "question": QUESTION, "answer": ANSWER}
        assert [a["name"] for a in version.content["attachments"]] == ["李明-疲劳测试报告.pdf"]
        answered = db.session.get(Clarification, item.id)
        assert answered.answer == ANSWER and answered.version_id == version.id
        notes = {note.user_id: note for note in db.session.scalars(select(Notification))}
        assert notes[people.expert_a.id].message.startswith("The applicant answered your question")
        assert notes[people.expert_a.id].link == f"/reviews/assignments/{under_review.assignments[0]}"
        assert notes[people.expert_b.id].message.startswith("Supplementary material"), "the rest of the panel too"

    for assignment_id, expert in zip(under_review.assignments, (people.expert_a, people.expert_b), strict=True):
        page = client_as(app, expert).get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)
        assert QUESTION in page and ANSWER in page and "答复专家提问" in page and "补充附件 1" in page
        for identifying in ("李明", "中山大学附属第一医院", "疲劳测试报告.pdf"):
            assert identifying not in page, f"the expert never sees {identifying}"
    admin_page = client_as(app, people.admin).get(f"/projects/{project_id}/versions/2").get_data(as_text=True)
    assert "答复专家提问" in admin_page and ANSWER in admin_page and "李明-疲劳测试报告.pdf" in admin_page
    page = clinician.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "已答复" in page and f'/clarifications/{item.id}/answer"' not in page, "no second answer form"
    again = _answer(clinician, project_id, item.id, text="再答一次")
    assert again.status_code == 409 and "该问题已经答复过了" in again.get_data(as_text=True)


def test_after_the_deadline_the_form_is_closed_with_a_clear_message(app, under_review):
    people, project_id = under_review.people, under_review.project_id
    _ask(app, client_as(app, people.expert_a), under_review)
    item = _only_question(app)
    clinician = client_as(app, people.clinician)
    with app.app_context():
        db.session.get(Clarification, item.id).due_on = local_today()
        db.session.commit()
    assert f'/clarifications/{item.id}/answer"' in clinician.get(f"/projects/{project_id}").get_data(as_text=True), \
        "open until the end of the due day"
    with app.app_context():
        db.session.get(Clarification, item.id).due_on = today(app) - timedelta(days=1)
        db.session.commit()
    page = clinician.get(f"/projects/{project_id}").get_data(as_text=True)
    assert f'/clarifications/{item.id}/answer"' not in page and "答复已关闭" in page
    late = _answer(clinician, project_id, item.id)
    assert late.status_code == 409 and "答复期限已过" in late.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.get(Project, project_id).versions) == 1
        assert db.session.get(Clarification, item.id).answered_at is None


def test_only_the_panel_asks_and_only_the_owner_answers_others_get_404(app, under_review):
    people, project_id = under_review.people, under_review.project_id
    for user in (people.other_clinician, people.company, people.stranger, people.clinician):
        assert _ask(app, client_as(app, user), under_review).status_code == 404, user.name
    with app.app_context():
        assert db.session.scalars(select(Clarification)).all() == []
    _ask(app, client_as(app, people.expert_a), under_review)
    item = _only_question(app)
    for user in (people.other_clinician, people.company, people.stranger, people.expert_a, people.admin):
        assert _answer(client_as(app, user), project_id, item.id).status_code == 404, user.name
    assert _answer(client_as(app, people.clinician), project_id + 1, item.id).status_code == 404
    stranger_page = client_as(app, people.stranger).get(f"/projects/{project_id}")
    assert stranger_page.status_code == 404


def test_bad_questions_and_answers_are_refused_in_chinese(app, under_review):
    people, project_id = under_review.people, under_review.project_id
    expert = client_as(app, people.expert_a)
    empty = _ask(app, expert, under_review, question="   ")
    assert empty.status_code == 400 and "请填写问题" in empty.get_data(as_text=True)
    far = _ask(app, expert, under_review, due_on=(today(app) + timedelta(days=45)).isoformat())
    assert far.status_code == 400 and "答复截止日期须在明天至今天起 30 天之内" in far.get_data(as_text=True)
    past = _ask(app, expert, under_review, due_on=today(app).isoformat())
    assert past.status_code == 400 and "答复截止日期须在明天" in past.get_data(as_text=True)
    nonsense = _ask(app, expert, under_review, due_on="下周五")
    assert nonsense.status_code == 400 and "请填写有效日期" in nonsense.get_data(as_text=True)
    for page in (empty, far, nonsense):
        assert "李明" not in page.get_data(as_text=True), "the error page stays blind"
    with app.app_context():
        assert db.session.scalars(select(Clarification)).all() == []

    _ask(app, expert, under_review)
    item = _only_question(app)
    clinician = client_as(app, people.clinician)
    blank = _answer(clinician, project_id, item.id, text=" ")
    assert blank.status_code == 400 and "请填写答复内容" in blank.get_data(as_text=True)
    not_a_pdf = _answer(clinician, project_id, item.id, file=("报告.pdf", b"MZ\x90\x00 not a pdf"))
    assert not_a_pdf.status_code == 400 and "只能上传 PDF" in not_a_pdf.get_data(as_text=True)
    assert ANSWER in not_a_pdf.get_data(as_text=True), "the answer text is kept"
    with app.app_context():
        assert len(db.session.get(Project, project_id).versions) == 1
        assert db.session.get(Clarification, item.id).answered_at is None


def test_no_questions_once_the_review_is_over(app, under_review):
    people, project_id = under_review.people, under_review.project_id
    _ask(app, client_as(app, people.expert_a), under_review)
    item = _only_question(app)
    with app.app_context():
        apply(db.session.get(Project, project_id), Event.DECIDE_SELECTED, None)
        db.session.commit()
    refused = _ask(app, client_as(app, people.expert_b), under_review, assignment=1)
    assert refused.status_code == 409 and "只能在项目处于专家评审阶段时向申报人提问" in refused.get_data(as_text=True)
    late = _answer(client_as(app, people.clinician), project_id, item.id)
    assert late.status_code == 409 and "评审已经结束" in late.get_data(as_text=True)


@pytest.mark.postgres
@on_postgres
def test_two_answers_at_the_same_moment_make_one_answer_and_one_version(app, under_review):
    people, project_id = under_review.people, under_review.project_id
    _ask(app, client_as(app, people.expert_a), under_review)
    item = _only_question(app)
    tabs = [client_as(app, people.clinician) for _ in range(4)]
    codes = in_parallel([lambda c=c, n=n: _answer(c, project_id, item.id, text=f"答复{n}")
                         for n, c in enumerate(tabs)])
    assert sorted(codes) == [302, 409, 409, 409], codes
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert [v.number for v in project.versions] == [1, 2]
        assert project.versions[1].supplement["answer"] == db.session.get(Clarification, item.id).answer
