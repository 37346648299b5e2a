"""Formal check: the administrators' queue, passing (optionally into a round) and returning with reasons."""

import re

from sqlalchemy import select

from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.reviews.models import RoundEntry
from chunfeng.submissions.models import Project, StatusEvent
from chunfeng.submissions.status import Status
from tests.conftest import login
from tests.main.test_workspace_statements import workspace_statements
from tests.reviews.conftest import EYE, STROKE, client_for, make_project, open_round


def test_queue_lists_submitted_projects_with_the_applicant(app, client, people, ids):
    with app.app_context():
        make_project(ids["clinician"], STROKE)
        make_project(ids["clinician2"], EYE, status=Status.ACCEPTED)
    login(client, people["admin"].email)
    page = client.get("/reviews/formal-check").get_data(as_text=True)
    assert "可回收取栓支架" in page and "李明医生" in page and "中山大学附属第一医院" in page
    assert re.search(r"<td>1</td>\s*</tr>", page), "one version submitted"
    assert "形式审查" in page
    assert "眼底照相人工智能筛查" in page, "accepted projects in no round are listed below the queue"


def test_pass_into_an_open_round_starts_the_review(app, client, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
    login(client, people["admin"].email)
    detail = client.get(f"/reviews/formal-check/{project_id}").get_data(as_text=True)
    assert "双层网格结构" in detail and "13800138000" in detail, "administrators see details and contact"
    response = client.post(f"/reviews/formal-check/{project_id}/pass", data={"round_id": round_id, "note": ""})
    assert response.status_code == 302
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project.status == Status.UNDER_REVIEW
        entry = db.session.scalar(select(RoundEntry).where(RoundEntry.project_id == project_id))
        assert entry.round_id == round_id and entry.version_id == project.latest_version.id
    clinician = client_for(app, people["clinician"])
    assert "可回收取栓支架”已通过形式审查" in clinician.get("/notifications").get_data(as_text=True)


def test_pass_without_a_round_leaves_the_project_accepted(app, client, people, ids):
    with app.app_context():
        project_id = make_project(ids["clinician"], STROKE)
    login(client, people["admin"].email)
    client.post(f"/reviews/formal-check/{project_id}/pass", data={"round_id": 0})
    with app.app_context():
        assert db.session.get(Project, project_id).status == Status.ACCEPTED


def test_return_with_reasons_tells_the_clinician(app, client, people, ids):
    with app.app_context():
        project_id = make_project(ids["clinician"], STROKE)
    login(client, people["admin"].email)
    response = client.post(f"/reviews/formal-check/{project_id}/return", data={"reasons": "请补充动物实验报告"})
    assert response.status_code == 302
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project.status == Status.RETURNED
        event = db.session.scalar(select(StatusEvent).where(StatusEvent.project_id == project_id)
                                  .order_by(StatusEvent.id.desc()))
        assert event.note == "请补充动物实验报告"
        note = db.session.scalar(select(Notification).where(Notification.user_id == ids["clinician"]))
        assert note.params["reasons"] == "请补充动物实验报告"


def test_return_without_reasons_is_refused_with_a_message(app, client, people, ids):
    with app.app_context():
        project_id = make_project(ids["clinician"], STROKE)
    login(client, people["admin"].email)
    response = client.post(f"/reviews/formal-check/{project_id}/return", data={"reasons": "  "})
    assert response.status_code == 400
    assert "请告诉临床医生需要补充或更正的内容" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Project, project_id).status == Status.SUBMITTED


def test_formal_check_is_for_administrators_only(app, client, people, ids):
    with app.app_context():
        project_id = make_project(ids["clinician"], STROKE)
    login(client, people["neuro"].email)
    assert client.get("/reviews/formal-check").status_code == 403
    assert client.post(f"/reviews/formal-check/{project_id}/pass", data={"round_id": 0}).status_code == 403


def test_a_long_queue_comes_25_at_a_time_the_longest_waiting_first(app, client, people, ids):
    from datetime import timedelta

    from chunfeng.db import utcnow

    with app.app_context():
        for n in range(52):
            project_id = make_project(ids["clinician"], {**STROKE, "title": f"排队项目{n:02d}号"})
            db.session.get(Project, project_id).submitted_at = utcnow() - timedelta(days=60 - n)
        for n in range(23):
            make_project(ids["clinician2"], {**EYE, "title": f"已通过项目{n:02d}号"}, status=Status.ACCEPTED)
        db.session.commit()
    login(client, people["admin"].email)
    first = client.get("/reviews/formal-check").get_data(as_text=True)
    assert "52 项提交等待形式审查" in first
    assert "排队项目00号" in first and "排队项目24号" in first and "排队项目25号" not in first
    assert "1 / 3" in first and 'href="/reviews/formal-check?page=2"' in first
    third = client.get("/reviews/formal-check?page=3").get_data(as_text=True)
    assert "排队项目50号" in third and "排队项目51号" in third and "排队项目49号" not in third
    # the accepted projects in no round: the first twenty, and how many more
    assert "已通过项目19号" in first and "已通过项目20号" not in first and "另有 3 项" in first
    for unreadable in ("page=abc", "page=-4", "page=0", "page=99999999999999999999999"):
        response = client.get(f"/reviews/formal-check?{unreadable}")
        assert response.status_code == 200 and "排队项目00号" in response.get_data(as_text=True), unreadable
    for past_the_end in ("page=4", "page=99999"):
        response = client.get(f"/reviews/formal-check?{past_the_end}")
        assert response.status_code == 200 and "排队项目51号" in response.get_data(as_text=True), past_the_end


def test_the_queue_reads_its_page_in_one_statement(app, client, people, ids):
    with app.app_context():
        for n in range(30):
            make_project(ids["clinician"], {**STROKE, "title": f"排队项目{n:02d}号"})
        make_project(ids["clinician2"], EYE, status=Status.ACCEPTED)
    login(client, people["admin"].email)
    statements = workspace_statements(app, client, "/reviews/formal-check")
    # the signed-in person, the two counts in one, the page's rows with hospitals and versions, the accepted titles
    assert len(statements) == 4, "\n".join(sql[:160] for sql in statements)
    assert not any("project_versions.project_id IN" in sql for sql in statements)
