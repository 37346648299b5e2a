"""Review rounds: creation with validation, the round's life (open, close intake, conclude), adding projects."""

from sqlalchemy import select

from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.reviews.models import ReviewRound, RoundStatus
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Status
from tests.reviews.conftest import EYE, ROUND, STROKE, client_for, make_project, open_round


def test_admin_creates_a_round_and_a_wrong_form_keeps_what_was_typed(app, people):
    admin = client_for(app, people["admin"])
    form = admin.get("/reviews/rounds/new").get_data(as_text=True)
    rubric_id = int(form.split('name="rubric_id"')[1].split('value="')[1].split('"')[0])
    wrong = admin.post("/reviews/rounds/new", data={**ROUND, "rubric_id": rubric_id, "closes_on": "2026-06-30"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and "日期顺序应为" in page and "2026年春季批次" in page
    assert admin.post("/reviews/rounds/new", data={**ROUND, "rubric_id": rubric_id}).status_code == 302
    again = admin.post("/reviews/rounds/new", data={**ROUND, "rubric_id": rubric_id})
    assert "已存在同名的评审批次" in again.get_data(as_text=True)
    with app.app_context():
        round_ = db.session.scalar(select(ReviewRound))
        assert round_.status == RoundStatus.DRAFT and round_.rubric.version == 1
    assert "2026年春季批次" in admin.get("/reviews/rounds").get_data(as_text=True)


def test_round_life_and_adding_accepted_projects(app, people, ids):
    admin = client_for(app, people["admin"])
    with app.app_context():
        stroke = make_project(ids["clinician"], STROKE, status=Status.ACCEPTED)
        eye = make_project(ids["clinician2"], EYE, status=Status.ACCEPTED)
    form = admin.get("/reviews/rounds/new").get_data(as_text=True)
    rubric_id = int(form.split('name="rubric_id"')[1].split('value="')[1].split('"')[0])
    created = admin.post("/reviews/rounds/new", data={**ROUND, "rubric_id": rubric_id})
    round_url = created.headers["Location"]
    round_id = int(round_url.rstrip("/").rsplit("/", 1)[-1])
    add_page = admin.get(f"/reviews/rounds/{round_id}/projects/add").get_data(as_text=True)
    assert "可回收取栓支架" in add_page and "眼底照相人工智能筛查" in add_page
    admin.post(f"/reviews/rounds/{round_id}/projects/add", data={"project_ids": [stroke]})
    with app.app_context():
        assert db.session.get(Project, stroke).status == Status.UNDER_REVIEW
        assert db.session.get(Project, eye).status == Status.ACCEPTED
    for action, status in (("open", RoundStatus.OPEN), ("close_intake", RoundStatus.REVIEWING),
                           ("conclude", RoundStatus.DECIDED)):
        admin.post(f"/reviews/rounds/{round_id}/status/{action}")
        with app.app_context():
            assert db.session.get(ReviewRound, round_id).status == status
    late = admin.post(f"/reviews/rounds/{round_id}/projects/add", data={"project_ids": [eye]},
                      follow_redirects=True)
    assert "已不再接收项目" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Project, eye).status == Status.ACCEPTED
    overview = admin.get(round_url).get_data(as_text=True)
    assert "可回收取栓支架" in overview and "评审结论已定" in overview


def test_a_round_moves_only_along_its_lifecycle(app, people, ids):
    admin = client_for(app, people["admin"])
    with app.app_context():
        round_id = open_round(ids["admin"])
    page = admin.post(f"/reviews/rounds/{round_id}/status/open", follow_redirects=True).get_data(as_text=True)
    assert "该批次状态已发生变化，请刷新页面。" in page, "an open round cannot be opened again"
    for action in ("publish", "no_such_action"):  # publishing has its own page; unknown actions do nothing
        assert admin.post(f"/reviews/rounds/{round_id}/status/{action}").status_code == 302
    with app.app_context():
        assert db.session.get(ReviewRound, round_id).status == RoundStatus.OPEN
        changes = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round.status")).all()
        assert [c.detail["change"] for c in changes] == ["open"]
