"""Publication in batches while the intake is open: the round stays open, closing the intake asks first and then
marks a fully published round as published; the publish step answers GET with its counted confirmation."""

from sqlalchemy import select

from chunfeng.accounts.models import User
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.reviews import services
from chunfeng.reviews.models import ReviewRound, RoundStatus
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Status
from tests.reviews.conftest import STROKE, client_for, complete_review, enter, invite, make_project, open_round


def decided_in_open_round(app, ids, people):
    with app.app_context():
        round_id = open_round(ids["admin"])
        stroke = make_project(ids["clinician"], STROKE)
        enter(round_id, stroke, ids["admin"])
        complete_review(invite(round_id, stroke, ids["neuro"], ids["admin"]), {"*": 5})
    admin = client_for(app, people["admin"])
    assert admin.post(f"/reviews/rounds/{round_id}/projects/{stroke}",
                      data={"outcome": "selected_priority", "pathways": ["innovation"]}).status_code == 302
    return admin, round_id, stroke


def test_everything_published_while_the_intake_is_open_keeps_the_round_open_until_intake_closes(app, people, ids):
    admin, round_id, stroke = decided_in_open_round(app, ids, people)
    assert admin.post(f"/reviews/rounds/{round_id}/publish").status_code == 302
    with app.app_context():
        assert db.session.get(ReviewRound, round_id).status == RoundStatus.OPEN, "projects may still enter"
        assert db.session.get(Project, stroke).status == Status.MATCHING
    overview = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)
    assert "公示 0 项结果" not in overview and f"/reviews/rounds/{round_id}/publish" not in overview
    closing = admin.get(f"/reviews/rounds/{round_id}/status/close_intake").get_data(as_text=True)
    assert "本批次共 1 个项目；0 个尚未决定" in closing and "批次随即标记为结果已公示" in closing
    with app.app_context():
        assert db.session.get(ReviewRound, round_id).status == RoundStatus.OPEN, "the confirmation writes nothing"
    admin.post(f"/reviews/rounds/{round_id}/status/close_intake")
    with app.app_context():
        assert db.session.get(ReviewRound, round_id).status == RoundStatus.PUBLISHED
        changes = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "round.status")).all()
        assert [c["change"] for c in changes][-2:] == ["close_intake", "publish"]


def test_a_draft_round_cannot_publish_and_nothing_to_publish_shows_no_confirmation(app, people, ids):
    admin, _round_id, _stroke = decided_in_open_round(app, ids, people)
    with app.app_context():
        draft = services.create_round(services.RoundSettings(
            name="草稿批次", opens_on=services.date(2026, 9, 1), closes_on=services.date(2026, 9, 30),
            review_deadline=services.date(2026, 10, 31)), db.session.get(User, ids["admin"]))
        db.session.commit()
        draft_id = draft.id
    refused = admin.post(f"/reviews/rounds/{draft_id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "请先开启批次，再公示其结果" in refused
    page = admin.get(f"/reviews/rounds/{draft_id}/publish").get_data(as_text=True)
    assert 'id="confirm-title"' not in page, "nothing to confirm"
