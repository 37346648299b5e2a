"""The demo shows every review screen: a published round, a round in progress, experts with profiles."""

from sqlalchemy import func, select

from chunfeng import demo as seed
from chunfeng.db import db
from chunfeng.reviews.models import Assignment, AssignmentStatus, Decision, ExpertProfile, ReviewRound, RoundStatus
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Status


def test_demo_has_a_published_round_and_one_in_progress(app, client):
    with app.app_context():
        assert seed.run()
        rounds = {r.name: r for r in db.session.scalars(select(ReviewRound))}
        assert rounds["2026年春季批次"].status == RoundStatus.PUBLISHED
        assert rounds["2026年秋季批次"].status == RoundStatus.OPEN
        assert db.session.scalar(select(func.count()).select_from(ExpertProfile)) == 4
        statuses = set(db.session.scalars(select(Assignment.status)))
        assert {AssignmentStatus.SUBMITTED, AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED,
                AssignmentStatus.DECLINED} <= statuses
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 2
        wang_eye = db.session.scalar(select(Project).where(Project.title.like("%早产儿视网膜病变%")))
        experts = {a.expert.email for a in db.session.scalars(select(Assignment).where(
            Assignment.project_id == wang_eye.id))}
        assert "expert4@demo.chunfeng.cn" not in experts, "吴敏 works at 王芳's hospital"
        assert db.session.scalar(select(func.count()).select_from(Project).where(
            Project.status == Status.SUBMITTED)) >= 1, "the formal check queue is not empty"
        spring_id = rounds["2026年春季批次"].id
        published = [d.project.title for d in db.session.scalars(select(Decision).where(
            Decision.round_id == spring_id, Decision.published_at.is_not(None)))]
    page = client.get(f"/results/{spring_id}").get_data(as_text=True)
    assert published and all(title in page for title in published)


def test_demo_shows_the_panels_deliberation(app):
    from chunfeng.reviews.models import DiscussionMessage, LeadReview, PanelFigures, ReviewRevision

    with app.app_context():
        assert seed.run()
        assert db.session.scalar(select(func.count()).select_from(DiscussionMessage)) == 2
        assert db.session.scalar(select(func.count()).select_from(ReviewRevision)) == 1
        leads = db.session.scalars(select(LeadReview)).all()
        assert len(leads) == 2 and sum(1 for lead in leads if lead.summary_at) == 1
        assert all(r.agrees for lead in leads for r in lead.responses)
        assert db.session.scalar(select(func.count()).select_from(PanelFigures)) >= 3, "figures stored as reviewed"
