"""The demo gives the officer a running incubation with an overdue step and a public success story."""

from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.db import db
from chunfeng.demo import incubation as demo
from chunfeng.demo.people import DemoPeople
from chunfeng.incubation import stories, tracking
from chunfeng.incubation.models import Audience, IncubationStatus
from chunfeng.submissions.models import DeviceClass
from chunfeng.submissions.status import Status


def test_demo_seeds_a_running_and_an_approved_incubation(app, make_user, make_project):
    officer, admin = make_user(Role.OFFICER, name="陈专员"), make_user(Role.ADMIN)
    make_project(Status.SELECTED, DeviceClass.II)
    make_project(Status.SELECTED_PRIORITY, DeviceClass.III, title="眼底照片青光眼人工智能筛查")
    with app.app_context():
        people = DemoPeople(password="unused", by_email={
            u.email: u for u in db.session.scalars(select(User).where(User.id.in_([officer.id, admin.id])))})
        demo.seed(people)
        db.session.commit()
        rows = tracking.admin_rows()
        by_status = {r.incubation.status: r for r in rows}
        running, approved = by_status[IncubationStatus.ACTIVE], by_status[IncubationStatus.APPROVED]
        assert [str(v.key) for v in running.overdue] == ["clinical_evaluation"]
        assert running.unanswered >= 1
        assert {e.audience for e in running.incubation.entries} >= {Audience.INTERNAL, Audience.CLINICIAN,
                                                                    Audience.COMPANY, Audience.BOTH}
        assert approved.incubation.project.status == Status.APPROVED
        assert approved.incubation.pathway == "innovation"
        assert [s.id for s in stories.success_stories()] == [approved.incubation.id]


def test_demo_skips_quietly_without_selected_projects(app, make_user):
    officer = make_user(Role.OFFICER)
    with app.app_context():
        demo.seed(DemoPeople(password="unused", by_email={officer.email: db.session.get(User, officer.id)}))
        assert tracking.admin_rows() == []
