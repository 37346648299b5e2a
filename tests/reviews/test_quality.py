"""Administrators rate a submitted review's quality; the expert directory shows each expert's mean rating; experts
never see the ratings."""

from sqlalchemy import select

from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews.models import Assignment, ReviewQuality
from tests.reviews.conftest import STROKE, client_for, complete_review, enter, invite, make_project, open_round


def test_rating_a_review_replaces_the_rating_and_shows_in_the_expert_directory(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        done = invite(round_id, project_id, ids["neuro"], ids["admin"])
        pending = invite(round_id, project_id, ids["bme"], ids["admin"])
        complete_review(done, {"*": 4})
        assigning.accept(db.session.get(Assignment, pending), db.session.get(Assignment, pending).expert)
        db.session.commit()
        review_id = db.session.get(Assignment, done).review.id
        pending_review = db.session.get(Assignment, pending).review.id
    admin = client_for(app, people["admin"])
    page = admin.get(f"/reviews/rounds/{round_id}/projects/{project_id}").get_data(as_text=True)
    assert "本评审意见的质量" in page and f'action="/reviews/reviews/{review_id}/quality"' in page
    url = f"/reviews/reviews/{review_id}/quality"
    assert admin.post(url, data={"rating": 3, "note": "论证具体"}).status_code == 302
    admin.post(f"/reviews/reviews/{review_id}/quality", data={"rating": 1, "note": "过于简略"})
    with app.app_context():
        [rating] = db.session.scalars(select(ReviewQuality)).all()
        assert (rating.rating, rating.note) == (1, "过于简略"), "rating again replaces the rating"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.quality_rated"))
    refused = admin.post(f"/reviews/reviews/{review_id}/quality", data={"rating": 7}, follow_redirects=True)
    assert "请选择所列的评分之一" in refused.get_data(as_text=True)
    unfinished = admin.post(f"/reviews/reviews/{pending_review}/quality", data={"rating": 2}, follow_redirects=True)
    assert "只有已提交的评审意见才能评分" in unfinished.get_data(as_text=True)
    directory = admin.get("/reviews/experts").get_data(as_text=True)
    assert "1.0 / 3" in directory and "（1 条已评分的评审意见）" in directory
    expert = client_for(app, people["neuro"])
    assert "过于简略" not in expert.get(f"/reviews/assignments/{done}").get_data(as_text=True)
    assert expert.post(f"/reviews/reviews/{review_id}/quality", data={"rating": 3}).status_code == 403
