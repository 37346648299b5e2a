"""The expert's side: conflict declaration, drafts, submission lock, others' reviews after one's own, blinding."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.reviews.models import Assignment, AssignmentStatus
from chunfeng.submissions.models import Attachment, Project
from tests.reviews.conftest import (
    STROKE,
    add_version,
    client_for,
    complete_review,
    enter,
    invite,
    make_project,
    open_round,
)

FULL = {"c_need": 5, "c_benefit": 4, "c_novelty": 4, "c_feasibility": 3, "c_ip": 3, "c_translation": 4,
        "c_team": 2, "g_ethics": "yes", "g_complete": "yes", "overall": 4, "confidence": 1,
        "comment_panel": "需求迫切，方案可行。", "comment_submitter": "建议补充动物实验。"}


@pytest.fixture
def invited(app, ids):
    """A stroke project in an open round with two experts invited: (round id, project id, [assignment ids])."""
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        first = invite(round_id, project_id, ids["neuro"], ids["admin"])
        second = invite(round_id, project_id, ids["bme"], ids["admin"])
    return round_id, project_id, [first, second]


def test_the_form_opens_only_after_declaring_no_conflict(app, people, invited):
    _round, _project, (assignment_id, _other) = invited
    expert = client_for(app, people["neuro"])
    page = expert.get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)
    assert "利益冲突声明" in page and "临床需求迫切性" not in page, "no form before the declaration"
    refused = expert.post(f"/reviews/assignments/{assignment_id}/accept", data={})
    assert refused.status_code == 400 and "请确认上述声明" in refused.get_data(as_text=True)
    assert expert.post(f"/reviews/assignments/{assignment_id}/accept", data={"no_conflict": "y"}).status_code == 302
    form = expert.get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)
    assert "临床需求迫切性" in form and "国内首创" in form, "criteria with their anchors"
    assert "伦理与合规" in form and "熟悉程度" in form
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.status == AssignmentStatus.ACCEPTED and assignment.no_conflict_declared_at is not None


def test_draft_saves_partial_answers_and_submit_requires_all(app, people, invited):
    _round, _project, (assignment_id, _other) = invited
    expert = client_for(app, people["neuro"])
    expert.post(f"/reviews/assignments/{assignment_id}/accept", data={"no_conflict": "y"})
    draft = expert.post(f"/reviews/assignments/{assignment_id}/review",
                        data={"c_need": 5, "comment_panel": "初步意见", "action": "draft"})
    assert draft.status_code == 302
    page = expert.get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="c_need"[^>]*value="5"', page), "the draft score is shown"
    assert "初步意见" in page
    incomplete = expert.post(f"/reviews/assignments/{assignment_id}/review",
                             data={"c_need": 5, "comment_panel": "初步意见改", "action": "submit"})
    text = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 400
    assert "请为此项打分" in text and "请给出总体评价" in text
    assert "初步意见改" in text, "a rejected form keeps what was typed"
    with app.app_context():
        review = db.session.get(Assignment, assignment_id).review
        assert review.submitted_at is None and {s.criterion.key: s.value for s in review.scores} == {"need": 5}


def test_submit_locks_the_review(app, people, invited):
    _round, _project, (assignment_id, _other) = invited
    expert = client_for(app, people["neuro"])
    expert.post(f"/reviews/assignments/{assignment_id}/accept", data={"no_conflict": "y"})
    assert expert.post(f"/reviews/assignments/{assignment_id}/review",
                       data={**FULL, "action": "submit"}).status_code == 302
    page = expert.get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)
    assert "您的评审意见" in page and "71.2" in page  # 20 + 15 + 11.25 + 7.5 + 5 + 11.25 + 1.25 = 71.25
    changed = expert.post(f"/reviews/assignments/{assignment_id}/review", data={**FULL, "c_need": 1,
                                                                                "action": "submit"})
    assert changed.status_code == 302
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.status == AssignmentStatus.SUBMITTED
        assert {s.criterion.key: s.value for s in assignment.review.scores}["need"] == 5, "locked"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.submitted")) is not None


def test_other_reviews_appear_only_after_submitting_ones_own(app, people, invited):
    _round, _project, (first, second) = invited
    with app.app_context():
        complete_review(second, {"*": 2}, panel="工程上尚不成熟，镍钛合金工艺未验证。")
    expert = client_for(app, people["neuro"])
    expert.post(f"/reviews/assignments/{first}/accept", data={"no_conflict": "y"})
    before = expert.get(f"/reviews/assignments/{first}").get_data(as_text=True)
    assert "镍钛合金工艺未验证" not in before
    expert.post(f"/reviews/assignments/{first}/review", data={**FULL, "action": "submit"})
    after = expert.get(f"/reviews/assignments/{first}").get_data(as_text=True)
    assert "镍钛合金工艺未验证" in after
    assert "专家 B" in after and "周海涛" not in after, "other experts are anonymous"


def test_expert_pages_never_show_the_applicants_identity(app, people, invited):
    """Render every page an expert can reach about the project and look for the clinician's identity."""
    _round, project_id, (assignment_id, other) = invited
    with app.app_context():
        project = db.session.get(Project, project_id)
        stored = Attachment(original_name="李明_取栓支架设计图.pdf", stored_name="f" * 40, mime_type="application/pdf",
                            size=12, sha256="0" * 64, uploaded_by_id=project.owner_id)
        project.attachments.append(stored)
        db.session.flush()
        version = add_version(project, project.owner)
        version.content = {**version.content, "attachments": [
            {"id": stored.id, "name": stored.original_name, "size": 12, "sha256": "0" * 64}]}
        for a in db.session.scalars(select(Assignment)):
            a.version_id = version.id
        db.session.commit()
        folder = Path(app.config["UPLOAD_FOLDER"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / stored.stored_name).write_bytes(b"%PDF-1.4 test")
        complete_review(other, {"*": 4})
    clinician = people["clinician"]
    identity = [clinician.name, "李明", clinician.email, "13800138000", "中山大学附属第一医院", "卒中中心", "陈工"]
    expert = client_for(app, people["neuro"])
    pages = [expert.get("/dashboard"), expert.get("/reviews/mine"), expert.get(f"/reviews/assignments/{assignment_id}")]
    expert.post(f"/reviews/assignments/{assignment_id}/accept", data={"no_conflict": "y"})
    pages.append(expert.get(f"/reviews/assignments/{assignment_id}"))
    download = expert.get(f"/reviews/assignments/{assignment_id}/materials/1")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "attachment-1.pdf" in download.headers["Content-Disposition"]
    download.close()
    expert.post(f"/reviews/assignments/{assignment_id}/review", data={**FULL, "action": "submit"})
    pages += [expert.get(f"/reviews/assignments/{assignment_id}"), expert.get("/notifications"),
              expert.get("/reviews/profile")]
    assert "双层网格结构" in pages[3].get_data(as_text=True), "the expert does read the confidential solution"
    for response in pages:
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        for fragment in identity:
            assert fragment not in text, f"{fragment!r} shown on an expert page"
    assert all(fragment not in download.headers["Content-Disposition"] for fragment in identity)
    with app.app_context():
        viewed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attachment.viewed"))
        assert viewed is not None and viewed.actor_id == people["neuro"].id
