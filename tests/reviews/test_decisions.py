"""The panel, decisions, the revision loop into the same round, publication and the clinician's view."""

from sqlalchemy import select

from chunfeng.accounts.models import User
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews import services
from chunfeng.reviews.models import Assignment, Decision, Outcome, ReviewRound
from chunfeng.reviews.panel import project_panel
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Event, Status, apply
from tests.reviews.conftest import (
    EYE,
    STROKE,
    add_version,
    client_for,
    complete_review,
    enter,
    invite,
    make_project,
    open_round,
)


def reviewed_round(app, ids, scores=({"*": 5}, {"*": 4}), to_clinician=("建议补充动物实验数据。", "")):
    """A stroke project (class III) reviewed by two experts: all 5 (100) and all 4 (75) give a mean of 87.5."""
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        for expert, sheet, comment in zip(("neuro", "bme"), scores, to_clinician, strict=True):
            assignment_id = invite(round_id, project_id, ids[expert], ids["admin"])
            complete_review(assignment_id, sheet, panel=f"{expert} 的内部意见", to_clinician=comment)
    return round_id, project_id


def test_panel_page_shows_figures_reviewer_names_and_the_suggestion(app, people, ids):
    round_id, project_id = reviewed_round(app, ids)
    admin = client_for(app, people["admin"])
    page = admin.get(f"/reviews/rounds/{round_id}/projects/{project_id}").get_data(as_text=True)
    assert "87.5" in page, "mean of 100 and 75"
    assert "孙丽华" in page and "周海涛" in page, "administrators see who reviewed"
    assert "推荐重点培育" in page and "创新医疗器械特别审查" in page, "class III in the priority band"
    overview = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)
    assert "可回收取栓支架" in overview and "17.7" in overview, "sample SD of 100 and 75 is 17.68"
    assert "意见分歧" in overview, "SD >= 15 flags disagreement"


def test_decision_moves_the_project_and_departing_needs_a_reason(app, people, ids):
    round_id, project_id = reviewed_round(app, ids)
    admin = client_for(app, people["admin"])
    url = f"/reviews/rounds/{round_id}/projects/{project_id}"
    refused = admin.post(url, data={"outcome": "selected", "pathways": []})
    assert refused.status_code == 200 and "请说明理由" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Project, project_id).status == Status.UNDER_REVIEW
    done = admin.post(url, data={"outcome": "selected", "override_reason": "样机尚未定型，先列入培育",
                                 "comment_to_clinician": "恭喜入选"})
    assert done.status_code == 302
    with app.app_context():
        project = db.session.get(Project, project_id)
        decision = services.latest_decision(project)
        assert project.status == Status.SELECTED
        assert decision.outcome == Outcome.SELECTED and decision.suggested_outcome == "selected_priority"
        assert decision.override_reason == "样机尚未定型，先列入培育" and decision.scores["mean"] == 87.5
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "decision.made")) is not None


def test_following_the_suggestion_records_the_pathway(app, ids):
    round_id, project_id = reviewed_round(app, ids)
    with app.app_context():
        round_ = db.session.get(ReviewRound, round_id)
        entry = round_.entries[0]
        services.decide(round_, entry, services.DecisionInput(Outcome.SELECTED_PRIORITY, ["innovation"]),
                        db.session.get(User, ids["admin"]))
        db.session.commit()
        decision = services.latest_decision(db.session.get(Project, project_id))
        assert decision.recommended_pathway == ["innovation"] and decision.override_reason == ""
        assert services.latest_decision(db.session.get(Project, project_id), published_only=True) is None


def test_revision_goes_back_to_the_clinician_and_the_new_version_is_reviewed_in_the_same_round(app, people, ids):
    round_id, project_id = reviewed_round(app, ids, scores=({"*": 3}, {"*": 3}))
    admin = client_for(app, people["admin"])
    url = f"/reviews/rounds/{round_id}/projects/{project_id}"
    no_comment = admin.post(url, data={"outcome": "revision_requested", "override_reason": "需补充数据"})
    assert "请告诉临床医生需要修改的内容" in no_comment.get_data(as_text=True)
    admin.post(url, data={"outcome": "revision_requested", "override_reason": "需补充数据",
                          "comment_to_clinician": "请补充猪颈动脉动物实验结果"})
    clinician = client_for(app, people["clinician"])
    assert "请补充猪颈动脉动物实验结果" in clinician.get("/notifications").get_data(as_text=True)
    outcome = clinician.get(f"/reviews/project/{project_id}/outcome").get_data(as_text=True)
    assert "补充材料后再评" in outcome and "请补充猪颈动脉动物实验结果" in outcome
    with app.app_context():  # the clinician resubmits through the intake domain: a new version, status under review
        project = db.session.get(Project, project_id)
        assert project.status == Status.REVISION_REQUESTED
        project.evidence = "猪颈动脉模型动物实验12例，无血管夹层。"
        add_version(project, project.owner)
        apply(project, Event.SUBMIT, project.owner)
        db.session.commit()
        new_version = project.latest_version.id
    page = admin.get(url).get_data(as_text=True)
    assert "已提交修改稿" in page
    assert "1 项已提交修改稿" in admin.get("/dashboard").get_data(as_text=True)
    assert admin.post(f"{url}/re-review").status_code == 302
    with app.app_context():
        round_ = db.session.get(ReviewRound, round_id)
        assert round_.entries[0].version_id == new_version and len(round_.entries) == 1
        fresh = list(db.session.scalars(select(Assignment).where(Assignment.version_id == new_version)))
        assert {a.expert_id for a in fresh} == {ids["neuro"], ids["bme"]}
        assert all(a.status.value == "invited" for a in fresh)
        for a in fresh:
            complete_review(a.id, {"*": 5})
        panel = project_panel(round_, round_.entries[0])
        assert panel.aggregate.n == 2 and panel.aggregate.total.mean == 100, "only the new version's reviews count"
        old_reviews = db.session.scalars(select(Assignment).where(Assignment.version_id != new_version)).all()
        assert len(old_reviews) == 2 and all(a.review.submitted_at for a in old_reviews), "old reviews are kept"


def test_publish_shows_the_summary_publicly_and_tells_the_clinicians(app, people, ids):
    round_id, project_id = reviewed_round(app, ids)
    with app.app_context():
        low = make_project(ids["clinician2"], EYE)
        enter(round_id, low, ids["admin"])
        complete_review(invite(round_id, low, ids["neuro"], ids["admin"]), {"*": 2})
        round_ = db.session.get(ReviewRound, round_id)
        admin_user = db.session.get(User, ids["admin"])
        for entry, outcome, pathways in ((round_.entries[0], Outcome.SELECTED_PRIORITY, ["innovation"]),
                                         (round_.entries[1], Outcome.NOT_SELECTED, [])):
            services.decide(round_, entry, services.DecisionInput(outcome, pathways), admin_user)
        services.change_round_status(round_, "close_intake", admin_user)
        db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get(f"/results/{round_id}").status_code == 404, "nothing public before publication"
    admin = client_for(app, people["admin"])
    assert admin.post(f"/reviews/rounds/{round_id}/publish").status_code == 302
    page = anonymous.get(f"/results/{round_id}").get_data(as_text=True)
    assert "可回收取栓支架" in page and "减少血管再闭塞" in page, "title and public summary"
    assert "创新医疗器械特别审查" in page and "中山大学附属第一医院" in page
    assert "双层网格结构" not in page and "李明" not in page and "liming@" not in page, "nothing confidential"
    assert "眼底照相人工智能筛查" not in page, "projects not selected are not listed"
    assert "2026年春季批次" in anonymous.get("/results").get_data(as_text=True)
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project.status == Status.MATCHING and project.published_at is not None
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.published")) is not None
        assert all(d.published_at for d in db.session.scalars(select(Decision)))
    clinician2 = client_for(app, people["clinician2"])
    assert "本次暂未入选" in clinician2.get("/notifications").get_data(as_text=True)
    again = admin.post(f"/reviews/rounds/{round_id}/publish", follow_redirects=True)
    assert "没有待公示的新结论" in again.get_data(as_text=True)


def test_clinician_sees_the_outcome_with_anonymous_comments_but_not_the_panel_comments(app, people, ids):
    round_id, project_id = reviewed_round(app, ids)
    clinician = client_for(app, people["clinician"])
    assert "尚未公示" in clinician.get(f"/reviews/project/{project_id}/outcome").get_data(as_text=True)
    with app.app_context():
        round_ = db.session.get(ReviewRound, round_id)
        admin = db.session.get(User, ids["admin"])
        services.decide(round_, round_.entries[0], services.DecisionInput(Outcome.SELECTED_PRIORITY, ["innovation"]),
                        admin)
        services.change_round_status(round_, "close_intake", admin)
        services.publish(round_, admin)
        db.session.commit()
    page = clinician.get(f"/reviews/project/{project_id}/outcome").get_data(as_text=True)
    assert "推荐重点培育" in page and "创新医疗器械特别审查" in page and "87.5" in page
    assert "建议补充动物实验数据" in page and "专家 A" in page
    assert "内部意见" not in page and "孙丽华" not in page and "周海涛" not in page
    other_clinician = client_for(app, people["clinician2"])
    assert other_clinician.get(f"/reviews/project/{project_id}/outcome").status_code == 404


def test_reopened_review_can_be_changed_and_resubmitted(app, people, ids):
    round_id, project_id = reviewed_round(app, ids)
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.expert_id == ids["neuro"]))
        assigning.reopen(assignment, db.session.get(User, ids["admin"]))
        db.session.commit()
        assignment_id = assignment.id
    expert = client_for(app, people["neuro"])
    assert "保存草稿" in expert.get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)


def test_a_decision_withdraws_the_reviews_still_outstanding(app, people, ids):
    round_id, project_id = reviewed_round(app, ids)
    with app.app_context():
        late = invite(round_id, project_id, ids["eye"], ids["admin"])
        round_ = db.session.get(ReviewRound, round_id)
        services.decide(round_, round_.entries[0], services.DecisionInput(Outcome.SELECTED_PRIORITY, ["innovation"]),
                        db.session.get(User, ids["admin"]))
        db.session.commit()
        assert db.session.get(Assignment, late).status.value == "cancelled"
    expert = client_for(app, people["eye"])
    assert "可回收取栓支架" not in expert.get("/reviews/mine").get_data(as_text=True)
    assert "无需再提交评审意见" in expert.get("/notifications").get_data(as_text=True)
    assert expert.get(f"/reviews/assignments/{late}").status_code == 404


def test_a_withdrawn_project_is_no_longer_reviewed_or_reminded(app, people, ids, runner):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        assignment_id = invite(round_id, project_id, ids["neuro"], ids["admin"])
        project = db.session.get(Project, project_id)
        apply(project, Event.WITHDRAW, project.owner, note="转由企业自行开发")
        db.session.commit()
    expert = client_for(app, people["neuro"])
    page = expert.get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)
    assert "无需再评审" in page and "利益冲突声明" not in page
    assert expert.post(f"/reviews/assignments/{assignment_id}/accept", data={"no_conflict": "y"}).status_code == 404
    assert "Reminded 0 experts" in runner.invoke(args=["send-review-reminders", "--days-before", "60"]).output
