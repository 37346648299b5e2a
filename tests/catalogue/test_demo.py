"""The demo shows the chain: listed products, one admitted, bought and used, one overdue assessment, a product
awaiting review, and a regulator who sees the funnel."""

from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.catalogue import admission, funnel
from chunfeng.catalogue.models import Assessment, AssessmentStatus, Listing, ListingStatus
from chunfeng.db import db
from chunfeng.demo import catalogue as demo
from chunfeng.demo.people import DemoPeople


def test_demo_seeds_the_chain_from_listing_to_first_use(app, make_user):
    admin = make_user(Role.ADMIN)
    companies = [make_user(Role.ENTERPRISE, organization=f"演示企业{n}", province="广东省") for n in range(2)]
    with app.app_context():
        people = DemoPeople(password="demo-password-123", by_email={
            u.email: u for u in db.session.scalars(select(User).where(
                User.id.in_([admin.id] + [c.id for c in companies])))})
        demo.seed(people)
        db.session.commit()
        statuses = [item.status for item in db.session.scalars(select(Listing))]
        assert statuses.count(ListingStatus.LISTED) == 2 and statuses.count(ListingStatus.APPLIED) == 1
        admitted = db.session.scalar(select(Assessment).where(Assessment.status == AssessmentStatus.ADMITTED))
        assert admitted.orders and admitted.first_use_on and admitted.opinions
        assert len(admission.overdue_assessments()) == 1
        assert "regulator@demo.chunfeng.cn" in people.by_email
        stages = {s.key: s for s in funnel.funnel("广东省")}
        assert stages["first_purchase"].count == 1 and stages["listed"].overdue == 1


def test_demo_skips_quietly_without_companies(app, make_user):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        demo.seed(DemoPeople(password="unused", by_email={admin.email: db.session.get(User, admin.id)}))
        assert db.session.scalars(select(Listing)).all() == []
