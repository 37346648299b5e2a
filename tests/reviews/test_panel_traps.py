"""The review panel as provinces run it: a differing decision names the field, publication in batches with a
confirmation that states the counts, reopening a decision before publication, formal-check items for the next
round, notifications and e-mails that name the project, labels instead of bare codes."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from chunfeng.accounts.models import User
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.reviews import services
from chunfeng.reviews.models import Decision, ReviewRound, RoundStatus
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Status
from tests.reviews.conftest import (
    EYE,
    STROKE,
    client_for,
    complete_review,
    enter,
    invite,
    make_project,
    open_round,
)
from tests.smtp_server import body, subject


def two_projects(app, ids, eye_scores=3):
    """An open round with the stroke project (class III, mean 87.5) and the eye project (class II; all 3 = 50,
    all 4 = 75: the selection band)."""
    with app.app_context():
        round_id = open_round(ids["admin"])
        stroke = make_project(ids["clinician"], STROKE)
        eye = make_project(ids["clinician2"], EYE)
        for project_id in (stroke, eye):
            enter(round_id, project_id, ids["admin"])
        complete_review(invite(round_id, stroke, ids["neuro"], ids["admin"]), {"*": 5})
        complete_review(invite(round_id, stroke, ids["bme"], ids["admin"]), {"*": 4})
        complete_review(invite(round_id, eye, ids["neuro"], ids["admin"]), {"*": eye_scores})
    return round_id, stroke, eye


def test_the_suggested_decision_with_the_hinted_pathway_is_no_departure_and_a_difference_names_the_field(
        app, people, ids):
    round_id, _stroke, eye = two_projects(app, ids, eye_scores=4)  # 75: 推荐培育, no pathway suggested
    admin = client_for(app, people["admin"])
    url = f"/reviews/rounds/{round_id}/projects/{eye}"
    page = admin.get(url).get_data(as_text=True)
    assert "推荐培育，不推荐注册路径" in page, "the suggestion states its pathway part"
    refused = admin.post(url, data={"outcome": "selected", "pathways": ["priority"]}).get_data(as_text=True)
    assert "推荐注册路径上与评价标准给出的建议不一致" in refused, "the message names the pathway"
    assert "建议：推荐培育，不推荐注册路径" in refused and "您的选择：推荐培育，优先审批" in refused
    assert "评审结论和推荐注册路径" not in refused, "the decision itself agrees"
    other = admin.post(url, data={"outcome": "not_selected"}).get_data(as_text=True)
    assert "在评审结论上与评价标准给出的建议不一致" in other
    assert admin.post(url, data={"outcome": "selected"}).status_code == 302, "the suggestion as it is"


def test_class_two_priority_pathways_are_alternatives(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        eye = make_project(ids["clinician2"], EYE)
        enter(round_id, eye, ids["admin"])
        complete_review(invite(round_id, eye, ids["neuro"], ids["admin"]), {"*": 5})
    admin = client_for(app, people["admin"])
    url = f"/reviews/rounds/{round_id}/projects/{eye}"
    assert "审评前置或优先审批" in admin.get(url).get_data(as_text=True)
    assert admin.post(url, data={"outcome": "selected_priority", "pathways": ["priority"]}).status_code == 302
    with app.app_context():
        decision = services.latest_decision(db.session.get(Project, eye))
        assert decision.recommended_pathway == ["priority"] and decision.override_reason == ""


def test_publication_in_batches_with_a_confirmation_that_states_the_counts(app, people, ids, smtp):
    round_id, stroke, eye = two_projects(app, ids)
    with app.app_context():
        formal = make_project(ids["clinician"], {**STROKE, "title": "术中神经监测电极贴片"})  # still at formal check
    admin = client_for(app, people["admin"])
    overview = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)
    assert f'action="/reviews/rounds/{round_id}/status/conclude"' not in overview, "no one-click conclusion"
    assert "公示 0 项结果" not in overview and "项结果…" not in overview, "nothing to publish yet"
    confirm = admin.get(f"/reviews/rounds/{round_id}?confirm=conclude").get_data(as_text=True)
    assert "此操作将结束项目征集" in confirm, "an open round: intake ends"
    assert "本批次共 2 个项目；2 个尚未决定" in confirm
    assert "1 个项目仍在形式审查中" in confirm
    assert f'action="/reviews/rounds/{round_id}/status/conclude"' in confirm
    with app.app_context():
        assert db.session.get(ReviewRound, round_id).status == RoundStatus.OPEN, "the confirmation writes nothing"
    assert admin.post(f"/reviews/rounds/{round_id}/projects/{stroke}",
                      data={"outcome": "selected_priority", "pathways": ["innovation"]}).status_code == 302
    smtp.messages.clear()
    overview = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)
    assert "1 项评审结论可以公示" in overview, "publication no longer waits for the intake to close"
    assert f'action="/reviews/rounds/{round_id}/status/close_intake"' not in overview, "no one-click closing"
    assert "现在公示 1 项结论（其中入选 1 项）吗？另有 1 个项目尚未决定" in overview, "the dialog states the counts"
    confirm = admin.get(f"/reviews/rounds/{round_id}/publish").get_data(as_text=True)
    assert "现在公示 1 项结论，其中入选 1 项" in confirm and "1 个项目尚未决定" in confirm
    assert "征集仍将持续至" in confirm, "the intake stays open"
    with app.app_context():
        assert services.latest_decision(db.session.get(Project, stroke)).published_at is None, "asking writes nothing"
    assert admin.post(f"/reviews/rounds/{round_id}/publish").status_code == 302
    with app.app_context():
        round_ = db.session.get(ReviewRound, round_id)
        assert round_.status == RoundStatus.OPEN, "the round stays open for the others"
        assert db.session.get(Project, stroke).status == Status.MATCHING
        assert db.session.get(Project, eye).status == Status.UNDER_REVIEW
    assert f'href="/reviews/rounds/{round_id}/status/close_intake"' in overview, "closing asks first"
    closing = admin.get(f"/reviews/rounds/{round_id}/status/close_intake").get_data(as_text=True)
    assert "此操作将结束项目征集" in closing and "本批次共 2 个项目；1 个尚未决定" in closing
    assert f'action="/reviews/rounds/{round_id}/status/close_intake"' in closing
    assert admin.post(f"/reviews/rounds/{round_id}/status/close_intake").status_code == 302
    with app.app_context():
        assert db.session.get(ReviewRound, round_id).status == RoundStatus.REVIEWING
    assert "可回收取栓支架" in app.test_client().get(f"/results/{round_id}").get_data(as_text=True)
    [mail] = smtp.messages
    assert "可回收取栓支架" in subject(mail) and "入选重点培育" in body(mail)
    assert "http://chunfeng.test/reviews/project/" in body(mail)
    overview = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)
    assert "公示 0 项结果" not in overview, "no publication button with nothing to publish"
    assert admin.post(f"/reviews/rounds/{round_id}/projects/{eye}", data={"outcome": "not_selected"}).status_code == 302
    assert admin.post(f"/reviews/rounds/{round_id}/publish").status_code == 302
    with app.app_context():
        assert db.session.get(ReviewRound, round_id).status == RoundStatus.PUBLISHED, "everything decided"
        published = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round.published")).all()
        assert [e.detail["projects"] for e in published] == [[stroke], [eye]]
        assert db.session.get(Project, formal).status == Status.SUBMITTED


def test_a_decision_can_be_reopened_before_publication_only(app, people, ids):
    round_id, stroke, eye = two_projects(app, ids)
    admin = client_for(app, people["admin"])
    url = f"/reviews/rounds/{round_id}/projects/{eye}"
    admin.post(url, data={"outcome": "not_selected"})
    assert "重新开放此结论" in admin.get(url).get_data(as_text=True)
    assert admin.post(url, data={"action": "reopen"}).status_code == 302
    with app.app_context():
        assert db.session.get(Project, eye).status == Status.UNDER_REVIEW
        assert services.latest_decision(db.session.get(Project, eye)) is None
        reopened = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "decision.reopened"))
        assert reopened.detail["outcome"] == "not_selected"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "project.reopen_decision"))
    admin.post(url, data={"outcome": "selected", "override_reason": "基层需求迫切"})
    admin.post(f"/reviews/rounds/{round_id}/status/close_intake")
    admin.post(f"/reviews/rounds/{round_id}/publish")
    assert "重新开放此结论" not in admin.get(url).get_data(as_text=True)
    refused = admin.post(url, data={"action": "reopen"}, follow_redirects=True).get_data(as_text=True)
    assert "只有尚未公示的结论才能重新开放" in refused
    with app.app_context():
        assert db.session.get(Project, eye).status == Status.MATCHING
        assert db.session.scalar(select(Decision).where(Decision.project_id == eye)).published_at is not None


def test_formal_check_items_can_go_into_the_next_round(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        late = make_project(ids["clinician"], STROKE)
        admin_user = db.session.get(User, ids["admin"])
        services.change_round_status(db.session.get(ReviewRound, round_id), "conclude", admin_user)
        db.session.commit()
    admin = client_for(app, people["admin"])
    page = admin.get(f"/reviews/formal-check/{late}").get_data(as_text=True)
    assert "纳入下一批次" in page
    assert admin.post(f"/reviews/formal-check/{late}/pass", data={"round_id": 0}).status_code == 302
    with app.app_context():
        assert db.session.get(Project, late).status == Status.ACCEPTED
        next_id = open_round(ids["admin"], name="2026年秋季批次")
    next_page = admin.get(f"/reviews/rounds/{next_id}").get_data(as_text=True)
    assert "1 个项目已通过形式审查，正在等待纳入批次" in next_page and "将其纳入本批次" in next_page


def test_notifications_and_the_invitation_mail_name_the_projects(app, people, ids, smtp):
    with app.app_context():
        round_id = open_round(ids["admin"])
        stroke = make_project(ids["clinician"], STROKE)
        enter(round_id, stroke, ids["admin"])
        invite(round_id, stroke, ids["neuro"], ids["admin"])
    notes = client_for(app, people["neuro"]).get("/notifications").get_data(as_text=True)
    assert "邀请您评审2026年春季批次的 1 个项目：“可回收取栓支架”" in notes
    [mail] = smtp.to(people["neuro"].email)
    assert "评审邀请" in subject(mail) and "可回收取栓支架" in body(mail)
    assert "http://chunfeng.test/reviews/mine" in body(mail)


def test_short_experts_warning_names_the_project(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"], per_project=9)
        stroke = make_project(ids["clinician"], STROKE)
        enter(round_id, stroke, ids["admin"])
    admin = client_for(app, people["admin"])
    page = admin.post(f"/reviews/rounds/{round_id}/assignments/propose", follow_redirects=True)
    assert "未能分配到足够的无利益冲突且未超负荷的专家：“可回收取栓支架”" in page.get_data(as_text=True)


def test_overall_judgement_and_familiarity_are_shown_and_exported_as_labels_with_local_times(app, people, ids):
    round_id, stroke, _eye = two_projects(app, ids)
    admin = client_for(app, people["admin"])
    page = admin.get(f"/reviews/rounds/{round_id}/projects/{stroke}").get_data(as_text=True)
    assert "<td>良好：推荐</td>" in page, "the label, not a bare 4"
    admin.post(f"/reviews/rounds/{round_id}/projects/{stroke}",
               data={"outcome": "selected_priority", "pathways": ["innovation"]})
    reviews = list(csv.reader(io.StringIO(admin.get(f"/reviews/rounds/{round_id}/export-reviews.csv")
                                          .get_data().decode("utf-8-sig"))))
    header = reviews[0]
    row = next(r for r in reviews[1:] if r[2] == "孙丽华")
    assert row[header.index("熟悉程度")] == "熟悉" and row[header.index("总体评价")] == "良好：推荐"
    assert row[header.index("提交时间")].endswith("+08:00") and "." not in row[header.index("提交时间")]
    workbook = load_workbook(io.BytesIO(admin.get(f"/reviews/rounds/{round_id}/export.xlsx").data))
    sheet = workbook["项目汇总"]
    titles = [c.value for c in sheet[1]]
    stroke_row = [c.value for c in sheet[2]]
    decided = stroke_row[titles.index("决定时间")]
    assert decided.endswith("+08:00") and "." not in decided, "Beijing time with the offset, no microseconds"
    assert stroke_row[titles.index("管理类别")] == "第三类"
