"""Admission assessments: declaring interest, the 30-day timer from receipt (calendar or working days), overdue
flags and reminders, the lifecycle with a reason for refusal, committee opinions, and who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.catalogue import admission
from chunfeng.catalogue.errors import CatalogueError
from chunfeng.catalogue.models import Assessment, AssessmentStatus, HospitalFunction, Listing
from chunfeng.core.models import Notification
from chunfeng.core.services import notification_text
from chunfeng.db import db
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at
from tests.smtp_server import body, subject


def _timer(app, assessment_id: int, today: date):
    with app.app_context():
        return admission.timer(db.session.get(Assessment, assessment_id), today)


def test_calendar_timer_runs_thirty_days_from_receipt(app, receive):
    got = receive(on=MONDAY)
    on_time = _timer(app, got.assessment_id, MONDAY + timedelta(days=30))
    assert on_time.due_on == date(2026, 4, 1) and on_time.elapsed == 30 and not on_time.overdue
    late = _timer(app, got.assessment_id, MONDAY + timedelta(days=31))
    assert late.overdue and late.remaining == -1


def test_working_day_timer_skips_weekends(app, receive):
    app.config["CATALOGUE_ADMISSION_DAY_KIND"] = "working"
    got = receive(on=MONDAY)
    clock = _timer(app, got.assessment_id, date(2026, 4, 10))  # 29 working days after Monday 2 March
    assert clock.working and clock.elapsed == 29 and not clock.overdue
    assert clock.due_on == date(2026, 4, 13)
    assert _timer(app, got.assessment_id, date(2026, 4, 14)).overdue


def test_a_decided_assessment_is_never_overdue(app, receive):
    got = receive(on=MONDAY)
    with at(MONDAY + timedelta(days=10)), app.app_context():
        admission.change(db.session.get(Assessment, got.assessment_id), "admit",
                         db.session.get(User, got.office.id))
        db.session.commit()
    clock = _timer(app, got.assessment_id, MONDAY + timedelta(days=90))
    assert not clock.overdue and clock.elapsed == 10


def test_reminder_command_tells_the_equipment_office_in_app_and_by_mail_once_a_week(app, receive, runner, smtp,
                                                                                     hospital_staff):
    got = receive(on=MONDAY)
    committee = hospital_staff(HospitalFunction.DEVICE_COMMITTEE)
    with at(MONDAY + timedelta(days=29)):
        assert "0 reminder(s)" in runner.invoke(args=["catalogue-reminders"]).output
    with at(MONDAY + timedelta(days=31)):
        assert "1 reminder(s)" in runner.invoke(args=["catalogue-reminders"]).output
    with at(MONDAY + timedelta(days=33)):
        assert "0 reminder(s)" in runner.invoke(args=["catalogue-reminders"]).output  # reminded this week
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.user_id == got.office.id)).all()
        assert len(notes) == 1 and notes[0].params["num"] == 1
        assert notification_text(notes[0]) == "可调节直径颅内取栓支架 的入院评估已逾期 1 天。"
        assert not db.session.scalars(select(Notification).where(Notification.user_id == committee.id)).all()
    mails = smtp.to(got.office.email)
    assert len(mails) == 1 and "入院评估逾期" in subject(mails[0])
    assert "已逾期 1 天" in body(mails[0])


def test_reminders_respect_the_mail_preference(app, receive, runner, smtp):
    got = receive(on=MONDAY)
    with app.app_context():
        db.session.get(User, got.office.id).mail_preferences = {"admission_reminder": False}
        db.session.commit()
    with at(MONDAY + timedelta(days=40)):
        runner.invoke(args=["catalogue-reminders"])
    assert smtp.to(got.office.email) == []


def test_lifecycle_through_the_pages_with_a_reason_for_refusal(app, client, receive):
    got = receive()
    login(client, got.office.email)
    url = f"/catalogue/assessment/{got.assessment_id}"
    assert client.post(f"{url}/decide", data={"event": "start"}).status_code == 302
    refused = client.post(f"{url}/decide", data={"event": "decline", "reason": ""})
    assert refused.status_code == 400 and "请说明不予准入的原因" in refused.get_data(as_text=True)
    future = client.post(f"{url}/decide", data={"event": "admit", "decided_on": "2099-01-01"})
    assert future.status_code == 400 and "结论日期须在接收日期与今天之间" in future.get_data(as_text=True)
    assert client.post(f"{url}/decide", data={"event": "decline", "reason": "同类产品已有"}).status_code == 302
    with app.app_context():
        found = db.session.get(Assessment, got.assessment_id)
        assert found.status == AssessmentStatus.NOT_ADMITTED and found.reason == "同类产品已有"
    again = client.post(f"{url}/decide", data={"event": "admit"})
    assert again.status_code == 400 and "评估当前状态下无法执行此操作" in again.get_data(as_text=True)
    client.post("/account/logout")
    login(client, got.company.email)
    page = client.get(f"/catalogue/listing/{got.listing_id}").get_data(as_text=True)
    assert "未准入" in page and "同类产品已有" in page and "浙江大学医学院附属第二医院" in page


def test_one_assessment_per_hospital_and_product(app, receive, hospital_staff):
    got = receive()
    colleague = hospital_staff()
    with app.app_context():
        with pytest.raises(CatalogueError):
            admission.declare_interest(db.session.get(Listing, got.listing_id), db.session.get(User, colleague.id))
        other = hospital_staff(organization="浙江省人民医院")
        admission.declare_interest(db.session.get(Listing, got.listing_id), db.session.get(User, other.id))
        db.session.commit()
        assert len(db.session.scalars(select(Assessment)).all()) == 2


def test_committee_members_record_opinions_and_the_office_does_not(app, client, receive, hospital_staff):
    got = receive()
    member = hospital_staff(HospitalFunction.DEVICE_COMMITTEE, name="王委员")
    url = f"/catalogue/assessment/{got.assessment_id}"
    login(client, member.email)
    assert client.post(f"{url}/opinion", data={"vote": "support", "comment": "临床需求明确"}).status_code == 302
    assert client.post(f"{url}/opinion", data={"vote": "oppose"}).status_code == 302  # changed, still one
    assert client.post(f"{url}/decide", data={"event": "admit"}).status_code == 404
    client.post("/account/logout")
    login(client, got.office.email)
    assert client.post(f"{url}/opinion", data={"vote": "support"}).status_code == 404
    assert "王委员" in client.get(url).get_data(as_text=True)
    with app.app_context():
        opinions = db.session.get(Assessment, got.assessment_id).opinions
        assert [o.vote.value for o in opinions] == ["oppose"]


def test_who_sees_an_assessment(client, receive, hospital_staff, company, login_as):
    got = receive()
    url = f"/catalogue/assessment/{got.assessment_id}"
    login(client, hospital_staff(organization="另一家医院").email)
    assert client.get(url).status_code == 404
    page = client.get("/catalogue/hospital").get_data(as_text=True)
    assert "可调节直径颅内取栓支架" in page  # listed products are shown to every hospital
    client.post("/account/logout")
    login(client, company(organization="别的企业").email)
    assert client.get(url).status_code == 404
    client.post("/account/logout")
    login_as(Role.REGULATOR)
    assert client.get(url).status_code == 200
    client.post("/account/logout")
    login_as(Role.CLINICIAN)
    assert client.get(url).status_code == 403
    assert client.get("/catalogue/hospital").status_code == 403


def test_declaring_interest_on_the_product_page(app, client, make_listing, hospital_staff):
    listing_id = make_listing()
    office = hospital_staff()
    login(client, office.email)
    page = client.get(f"/catalogue/product/{listing_id}").get_data(as_text=True)
    assert "提出评估意向" in page
    bad = client.post(f"/catalogue/product/{listing_id}/interest", data={"received_on": "2099-01-01"})
    assert bad.status_code == 400 and "接收日期不能晚于今天" in bad.get_data(as_text=True)
    assert client.post(f"/catalogue/product/{listing_id}/interest").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Assessment)).hospital_id == office.organization_id


def test_without_an_equipment_office_the_reminder_reaches_the_hospitals_staff(app, receive, runner, make_user):
    got = receive(on=MONDAY)
    unsure = make_user(Role.HOSPITAL, organization="浙江大学医学院附属第二医院")  # has not said which office
    with app.app_context():
        db.session.delete(db.session.get(User, got.office.id))
        db.session.commit()
    with at(MONDAY + timedelta(days=31)):
        assert "1 reminder(s)" in runner.invoke(args=["catalogue-reminders"]).output
    with app.app_context():
        assert db.session.scalars(select(Notification).where(Notification.user_id == unsure.id)).all()
