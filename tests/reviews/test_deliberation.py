"""The panel's deliberation: a discussion per project among its reviewers (once their review is submitted) and the
administrators, experts shown as 专家 A/B; revising scores until the decision with the earlier scores kept; a lead
reviewer (主审) whose meta-review the others confirm or dispute, shown on the decision page."""

import re

from sqlalchemy import select

from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.reviews.models import DiscussionMessage, PanelFigures, RoundEntry
from tests.reviews.conftest import STROKE, client_for, complete_review, enter, invite, make_project, open_round


def panel_of_two(app, ids, submit_second=False):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        first = invite(round_id, project_id, ids["neuro"], ids["admin"])
        second = invite(round_id, project_id, ids["bme"], ids["admin"])
        complete_review(first, {"*": 5})
        if submit_second:
            complete_review(second, {"*": 3})
        entry_id = db.session.scalar(select(RoundEntry.id).where(RoundEntry.project_id == project_id))
    return round_id, project_id, first, second, entry_id


def notes_of(app, user) -> str:
    """The user's notifications page, as they read it."""
    return client_for(app, user).get("/notifications").get_data(as_text=True)


def test_the_discussion_opens_to_each_reviewer_after_their_review_and_names_nobody(app, people, ids):
    round_id, project_id, first, second, entry_id = panel_of_two(app, ids)
    neuro, bme = client_for(app, people["neuro"]), client_for(app, people["bme"])
    page = neuro.get(f"/reviews/assignments/{first}").get_data(as_text=True)
    assert "评审讨论" in page and f'action="/reviews/discussion/{entry_id}"' in page
    bme.post(f"/reviews/assignments/{second}/accept", data={"no_conflict": "y"})
    assert bme.post(f"/reviews/discussion/{entry_id}", data={"body": "我先看看"}).status_code == 404, \
        "not before their own review is submitted"
    said = {"body": "双层网格的通过性需要讨论。", "next": f"/reviews/assignments/{first}"}
    assert neuro.post(f"/reviews/discussion/{entry_id}", data=said).status_code == 302
    neuro.post(f"/reviews/discussion/{entry_id}", data=said)
    with app.app_context():
        assert len(db.session.scalars(select(DiscussionMessage)).all()) == 1, "a message sent twice is kept once"
    assert "专家 A 在“可回收取栓支架”的评审讨论中留言" in notes_of(app, people["admin"])
    assert "评审讨论中留言" not in notes_of(app, people["bme"]), "not yet a participant"
    with app.app_context():
        complete_review(second, {"*": 3})
    thread = bme.get(f"/reviews/assignments/{second}").get_data(as_text=True)
    assert "双层网格的通过性需要讨论。" in thread and "专家 A" in thread
    assert "孙丽华" not in thread, "experts never see each other's names"
    bme.post(f"/reviews/discussion/{entry_id}", data={"body": "同意，建议补充动物实验。"})
    assert "专家 B 在“可回收取栓支架”的评审讨论中留言" in notes_of(app, people["neuro"])
    admin = client_for(app, people["admin"])
    panel = admin.get(f"/reviews/rounds/{round_id}/projects/{project_id}").get_data(as_text=True)
    assert "专家 A</strong> <span class=\"text-muted\">(孙丽华)" in panel, "administrators see who is who"
    admin.post(f"/reviews/rounds/{round_id}/projects/{project_id}",
               data={"outcome": "selected", "override_reason": "讨论一致"})
    refused = neuro.post(f"/reviews/discussion/{entry_id}", data={"body": "补充一句"}, follow_redirects=True)
    assert "评审讨论已结束" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(DiscussionMessage).where(DiscussionMessage.body == "补充一句")) is None


def test_a_reviewer_revises_scores_during_the_discussion_and_the_history_is_kept(app, people, ids):
    round_id, project_id, first, _second, _entry_id = panel_of_two(app, ids, submit_second=True)
    neuro = client_for(app, people["neuro"])
    page = neuro.get(f"/reviews/assignments/{first}").get_data(as_text=True)
    assert "修改我的评审意见" in page
    form = neuro.get(f"/reviews/assignments/{first}/revise").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="c_need"[^>]*value="5"', form), "the form starts from the answers"
    with app.app_context():
        from chunfeng.reviews.models import Assignment
        rubric = db.session.get(Assignment, first).round.rubric
        answers = {f"c_{c.key}": 4 for c in rubric.criteria} | {f"g_{g.key}": "yes" for g in rubric.gates}
    answers |= {"overall": 4, "confidence": 1, "comment_panel": "讨论后下调创新性评分",
                "reason": "专家 B 指出已有类似产品"}
    assert neuro.post(f"/reviews/assignments/{first}/revise", data=answers).status_code == 302
    same = neuro.post(f"/reviews/assignments/{first}/revise", data=answers, follow_redirects=True)
    assert "没有任何改动" in same.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(PanelFigures).where(PanelFigures.project_id == project_id))
        assert (stored.n, stored.mean) == (2, 62.5), "the figures follow the revision (75 and 50)"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.revised")).detail[
            "total_before"] == 100.0
    mine = neuro.get(f"/reviews/assignments/{first}").get_data(as_text=True)
    assert "1 个早先版本（讨论期间修改）" in mine and "专家 B 指出已有类似产品" in mine
    admin = client_for(app, people["admin"])
    panel = admin.get(f"/reviews/rounds/{round_id}/projects/{project_id}").get_data(as_text=True)
    assert "1 个早先版本" in panel and "<td>100.0</td>" in panel, "the earlier total is shown"
    assert "专家 A 在讨论期间修改了对“可回收取栓支架”的评审意见" in notes_of(app, people["admin"])
    admin.post(f"/reviews/rounds/{round_id}/projects/{project_id}", data={"outcome": "selected"})
    assert neuro.get(f"/reviews/assignments/{first}/revise").status_code == 404, "not after the decision"
    assert "修改我的评审意见" not in neuro.get(f"/reviews/assignments/{first}").get_data(as_text=True)


def test_the_lead_reviewer_writes_the_meta_review_and_the_others_confirm_or_dispute(app, people, ids):
    round_id, project_id, first, second, _entry_id = panel_of_two(app, ids, submit_second=True)
    admin, neuro, bme = (client_for(app, people[k]) for k in ("admin", "neuro", "bme"))
    url = f"/reviews/rounds/{round_id}/projects/{project_id}"
    assert "尚未指定主审" in admin.get(url).get_data(as_text=True)
    assert admin.post(f"{url}/lead", data={"expert_id": ids["same"]}, follow_redirects=True).status_code == 200
    assert admin.post(f"{url}/lead", data={"expert_id": ids["bme"]}).status_code == 302
    assert "您被指定为“可回收取栓支架”的主审" in notes_of(app, people["bme"])
    refused = neuro.post(f"/reviews/assignments/{first}/meta", data={"summary": "我来写"}, follow_redirects=True)
    assert "只有主审可以撰写综合意见" in refused.get_data(as_text=True)
    assert "保存综合意见" in bme.get(f"/reviews/assignments/{second}").get_data(as_text=True)
    bme.post(f"/reviews/assignments/{second}/meta", data={"summary": "两位专家均认可临床需求，技术成熟度评价不一。"})
    assert "主审专家 B已撰写“可回收取栓支架”的综合意见" in notes_of(app, people["neuro"])
    page = neuro.get(f"/reviews/assignments/{first}").get_data(as_text=True)
    assert "两位专家均认可临床需求" in page and "我确认该综合意见" in page
    empty = neuro.post(f"/reviews/assignments/{first}/meta/answer", data={"agrees": "no"}, follow_redirects=True)
    assert "请说明您的异议" in empty.get_data(as_text=True)
    neuro.post(f"/reviews/assignments/{first}/meta/answer", data={"agrees": "no", "note": "技术成熟度已足够"})
    panel = admin.get(url).get_data(as_text=True)
    assert "综合意见" in panel and "两位专家均认可临床需求" in panel
    assert "有异议</span> 技术成熟度已足够" in panel and "(周海涛)" in panel
    assert panel.index("综合意见") < panel.index('id="decision-title"'), "beside the statistics, before deciding"
    bme.post(f"/reviews/assignments/{second}/meta", data={"summary": "改写：建议入选，补充动物实验。"})
    assert "答复的是早先版本" in admin.get(url).get_data(as_text=True)
    neuro.post(f"/reviews/assignments/{first}/meta/answer", data={"agrees": "yes"})
    again = admin.get(url).get_data(as_text=True)
    assert "答复的是早先版本" not in again and "确认</span>" in again
    with app.app_context():
        from chunfeng.reviews.models import LeadResponse
        assert len(db.session.scalars(select(LeadResponse)).all()) == 1, "answering again replaces the answer"


def test_a_review_of_a_replaced_version_is_not_revised(app, people, ids):
    from tests.reviews.conftest import add_version

    _round_id, project_id, first, _second, entry_id = panel_of_two(app, ids, submit_second=True)
    neuro = client_for(app, people["neuro"])
    assert neuro.get(f"/reviews/assignments/{first}/revise").status_code == 200
    with app.app_context():
        from chunfeng.submissions.models import Project

        project = db.session.get(Project, project_id)
        db.session.get(RoundEntry, entry_id).version_id = add_version(project, project.owner).id
        db.session.commit()
    assert neuro.get(f"/reviews/assignments/{first}/revise").status_code == 404, "the panel reviews version 2 now"
