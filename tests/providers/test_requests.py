"""Service requests: sent by the project's officer or clinician, answered by the provider they were sent to,
tracked against their turnaround targets, shown on the incubation page."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.incubation.models import Incubation
from chunfeng.providers import requests as service
from chunfeng.providers import timers
from chunfeng.providers.models import RequestStatus, ServiceRequest
from tests.conftest import login
from tests.smtp_server import body, link_path, subject

from .conftest import CDMO, LAB, MONDAY, SITE, at


def _send(client, project_id: int, provider_id: int, **extra):
    data = {"provider": str(provider_id), "milestone": "registration_testing",
            "scope": "注册检验：电气安全、EMC 与性能", "wanted_start": "2026-03-16", **extra}
    return client.post(f"/providers/project/{project_id}/requests", data=data)


def _request(request_id: int) -> ServiceRequest:
    return db.session.get(ServiceRequest, request_id)


def _only_request_id() -> int:
    return db.session.scalar(select(ServiceRequest.id))


def test_the_officer_sends_the_provider_accepts_with_a_quote_and_everyone_is_told(app, client, start, make_provider,
                                                                                  smtp):
    started = start()
    staff, lab_id = make_provider(LAB, organization="华东医疗器械检验所", admin=started.admin)
    with at(MONDAY):
        login(client, started.officer.email)
        assert _send(client, started.project_id, lab_id).status_code == 302
    with app.app_context():
        request_id = _only_request_id()
        assert _request(request_id).status == RequestStatus.SENT
        assert db.session.scalars(select(Notification).where(Notification.user_id == staff.id)).all()
    [mail] = smtp.to(staff.email)
    assert "服务委托" in subject(mail) and link_path(mail) == f"/providers/requests/{request_id}"
    smtp.messages.clear()

    with at(MONDAY + timedelta(days=1)):
        client.post("/account/logout")
        login(client, staff.email)
        page = client.get(f"/providers/requests/{request_id}").get_data(as_text=True)
        assert "报价并接受" in page and "注册检验：电气安全" in page
        no_days = client.post(f"/providers/requests/{request_id}/accept",
                              data={"quote": "8.6 万元", "agreed_date": "2026-03-16"})
        assert no_days.status_code == 400 and "请填写报价对应的周期（天）" in no_days.get_data(as_text=True)
        past = client.post(f"/providers/requests/{request_id}/accept",
                           data={"quote": "8.6 万元", "agreed_date": "2026-03-01", "turnaround_days": "45"})
        assert past.status_code == 400 and "承诺日期不能早于今天" in past.get_data(as_text=True)
        accepted = client.post(f"/providers/requests/{request_id}/accept",
                               data={"quote": "8.6 万元，含复测一次", "agreed_date": "2026-03-16",
                                     "turnaround_days": "45"})
        assert accepted.status_code == 302
    with app.app_context():
        found = _request(request_id)
        assert (found.status, found.turnaround_days) == (RequestStatus.ACCEPTED, 45)
        assert found.quote == "8.6 万元，含复测一次"
        assert found.accepted_on == MONDAY + timedelta(days=1)
    assert {m["X-Envelope-To"] for m in smtp.messages} >= {started.clinician.email, started.officer.email}
    assert "已接受" in body(smtp.to(started.clinician.email)[0])


def test_a_declined_request_needs_a_reason_and_cannot_then_be_accepted(app, client, start, make_provider):
    started = start()
    staff, lab_id = make_provider(LAB, admin=started.admin)
    with at(MONDAY):
        login(client, started.clinician.email)  # the clinician may send too
        assert _send(client, started.project_id, lab_id).status_code == 302
    with app.app_context():
        request_id = _only_request_id()
    with at(MONDAY):
        client.post("/account/logout")
        login(client, staff.email)
        empty = client.post(f"/providers/requests/{request_id}/decline", data={"decline-reason": ""})
        assert empty.status_code == 400 and "请填写原因" in empty.get_data(as_text=True)
        assert client.post(f"/providers/requests/{request_id}/decline",
                           data={"decline-reason": "本季度检验排期已满"}).status_code == 302
        late = client.post(f"/providers/requests/{request_id}/accept",
                           data={"quote": "8 万元", "agreed_date": "2026-03-20", "turnaround_days": "30"})
        assert late.status_code == 400 and "该委托的状态已经变化" in late.get_data(as_text=True)
    with app.app_context():
        found = _request(request_id)
        assert found.status == RequestStatus.DECLINED and found.reason == "本季度检验排期已满"


def test_a_provider_sees_only_the_requests_sent_to_it(app, client, start, make_provider, make_user):
    started = start()
    _staff, lab_id = make_provider(LAB, admin=started.admin)
    other_staff, _other_id = make_provider(CDMO, organization="苏州精工医疗器械", admin=started.admin)
    with at(MONDAY), app.test_request_context():
        made = service.send_request(db.session.get(Incubation, started.incubation_id),
                                    db.session.get(service.ProviderProfile, lab_id),
                                    db.session.get(User, started.officer.id), scope="注册检验",
                                    milestone_key="registration_testing")
        db.session.commit()
        request_id = made.id
    login(client, other_staff.email)
    assert client.get(f"/providers/requests/{request_id}").status_code == 404
    assert client.post(f"/providers/requests/{request_id}/accept",
                       data={"quote": "1", "agreed_date": "2030-01-01"}).status_code == 404
    assert "注册检验" not in client.get("/providers/requests").get_data(as_text=True)
    client.post("/account/logout")
    stranger = make_user(Role.CLINICIAN)
    login(client, stranger.email)
    assert client.get(f"/providers/requests/{request_id}").status_code == 404
    assert client.get(f"/providers/project/{started.project_id}").status_code == 404
    client.post("/account/logout")
    login(client, started.clinician.email)
    assert client.get(f"/providers/requests/{request_id}").status_code == 200
    assert client.post(f"/providers/requests/{request_id}/accept",
                       data={"quote": "1", "agreed_date": "2030-01-01"}).status_code == 403


def test_a_request_to_an_unapproved_provider_or_without_scope_is_refused_in_chinese(app, client, start,
                                                                                    make_provider):
    started = start()
    _staff, pending_id = make_provider(LAB, approved=False, admin=started.admin)
    _staff2, lab_id = make_provider(LAB, organization="另一家检验所", admin=started.admin)
    with at(MONDAY):
        login(client, started.officer.email)
        unapproved = _send(client, started.project_id, pending_id)
        assert unapproved.status_code == 400 and "选择" in unapproved.get_data(as_text=True)
        no_scope = _send(client, started.project_id, lab_id, scope="")
        assert no_scope.status_code == 400 and "请说明您需要的服务" in no_scope.get_data(as_text=True)
        backwards = _send(client, started.project_id, lab_id, wanted_by="2026-03-10")
        assert backwards.status_code == 400 and "期望完成日期不能早于期望开始日期" in backwards.get_data(as_text=True)
    with app.app_context():
        assert _only_request_id() is None


def test_trial_site_clocks_ethics_within_21_days_and_start_up_within_25_weeks(app, start, make_provider):
    started = start()
    staff, site_id = make_provider(SITE, admin=started.admin)
    with at(MONDAY), app.test_request_context():
        user = db.session.get(User, staff.id)
        made = service.send_request(db.session.get(Incubation, started.incubation_id),
                                    db.session.get(service.ProviderProfile, site_id),
                                    db.session.get(User, started.clinician.id), scope="多中心临床试验牵头单位",
                                    milestone_key="clinical_evaluation")
        service.accept(made, user, quote="按合同", agreed_date=MONDAY + timedelta(days=30))
        db.session.commit()
        request_id = made.id
    with app.test_request_context():
        found = _request(request_id)
        ethics, startup = timers.clocks(found, MONDAY + timedelta(days=21))
        assert (ethics.target_days, startup.target_days) == (21, 175)
        assert not ethics.overdue and not timers.overdue(found, MONDAY + timedelta(days=21))
        assert timers.clocks(found, MONDAY + timedelta(days=22))[0].overdue
        service.record_ethics(found, db.session.get(User, staff.id), MONDAY + timedelta(days=20))
        assert not timers.overdue(found, MONDAY + timedelta(days=100))
        assert timers.overdue(found, MONDAY + timedelta(days=176)), "start-up past 25 weeks"
        app.config["PROVIDER_STARTUP_WEEKS"] = 30
        assert not timers.overdue(found, MONDAY + timedelta(days=176)), "the target is a setting"


def test_lab_turnaround_runs_as_quoted_and_the_overdue_flag_shows_on_the_incubation_page(app, client, start,
                                                                                          make_provider):
    started = start()
    staff, lab_id = make_provider(LAB, admin=started.admin)
    with at(MONDAY), app.test_request_context():
        user = db.session.get(User, staff.id)
        made = service.send_request(db.session.get(Incubation, started.incubation_id),
                                    db.session.get(service.ProviderProfile, lab_id),
                                    db.session.get(User, started.officer.id), scope="注册检验",
                                    milestone_key="registration_testing")
        service.accept(made, user, quote="8 万元", agreed_date=MONDAY + timedelta(days=7), turnaround_days=30)
        service.start(made, user)
        db.session.commit()
        request_id = made.id
    with at(MONDAY + timedelta(days=30)):
        login(client, started.officer.email)
        page = client.get(f"/incubation/project/{started.project_id}").get_data(as_text=True)
        assert f'data-request="{request_id}"' in page and "已逾期" not in page
    with at(MONDAY + timedelta(days=31)):
        page = client.get(f"/incubation/project/{started.project_id}").get_data(as_text=True)
        assert "已逾期" in page
        assert "31 / 30" in client.get(f"/providers/requests/{request_id}").get_data(as_text=True)
    with at(MONDAY + timedelta(days=31)):
        client.post("/account/logout")
        login(client, staff.email)
        assert client.post(f"/providers/requests/{request_id}/step/deliver", data={}).status_code == 302
        assert client.post(f"/providers/requests/{request_id}/step/deliver", data={}).status_code == 400
    with app.app_context():
        found = _request(request_id)
        assert found.status == RequestStatus.DELIVERED and found.delivered_on == MONDAY + timedelta(days=31)
        assert timers.clocks(found, date(2027, 1, 1))[0].days == 31, "the clock stops at delivery"


def test_the_sender_withdraws_with_a_reason_and_the_provider_is_told(app, client, start, make_provider):
    started = start()
    staff, lab_id = make_provider(LAB, admin=started.admin)
    with at(MONDAY):
        login(client, started.officer.email)
        _send(client, started.project_id, lab_id)
        with app.app_context():
            request_id = _only_request_id()
        refused = client.post(f"/providers/requests/{request_id}/withdraw", data={"withdraw-reason": " "})
        assert refused.status_code == 400 and "请填写原因" in refused.get_data(as_text=True)
        assert client.post(f"/providers/requests/{request_id}/withdraw",
                           data={"withdraw-reason": "已改由企业自行送检"}).status_code == 302
    with app.app_context():
        assert _request(request_id).status == RequestStatus.WITHDRAWN
        texts = db.session.scalars(select(Notification.message).where(Notification.user_id == staff.id)).all()
        assert any("withdrawn" in t for t in texts)


def test_an_answer_with_a_malformed_date_or_days_is_refused_in_chinese(app, client, start, make_provider):
    started = start()
    staff, lab_id = make_provider(LAB, admin=started.admin)
    with at(MONDAY), app.test_request_context():
        made = service.send_request(db.session.get(Incubation, started.incubation_id),
                                    db.session.get(service.ProviderProfile, lab_id),
                                    db.session.get(User, started.officer.id), scope="注册检验",
                                    milestone_key="registration_testing")
        db.session.commit()
        request_id = made.id
    with at(MONDAY):
        login(client, staff.email)
        bad = client.post(f"/providers/requests/{request_id}/accept",
                          data={"quote": "8 万元", "agreed_date": "下周一", "turnaround_days": "六十"})
        text = bad.get_data(as_text=True)
        assert bad.status_code == 400 and "Not a valid" not in text
        assert "日期" in text and "整数" in text
    with app.app_context():
        assert _request(request_id).status == RequestStatus.SENT


def test_the_provider_workspace_counts_requests_awaiting_an_answer(app, client, start, make_provider):
    started = start()
    staff, lab_id = make_provider(LAB, admin=started.admin)
    with at(MONDAY):
        login(client, started.officer.email)
        _send(client, started.project_id, lab_id)
        _send(client, started.project_id, lab_id, scope="补充检验：生物相容性")
        client.post("/account/logout")
        login(client, staff.email)
        page = client.get("/dashboard").get_data(as_text=True)
        assert 'data-count="waiting">2 个委托等待您答复' in page and 'data-count="overdue"' not in page


def test_staff_who_switched_off_service_request_mail_are_told_in_the_platform_only(app, client, start,
                                                                                   make_provider, smtp):
    started = start()
    staff, lab_id = make_provider(LAB, admin=started.admin)
    with app.app_context():
        db.session.get(User, staff.id).mail_preferences = {"service_request": False}
        db.session.commit()
    with at(MONDAY):
        login(client, started.officer.email)
        assert _send(client, started.project_id, lab_id).status_code == 302
    assert smtp.to(staff.email) == []
    with app.app_context():
        assert db.session.scalars(select(Notification).where(Notification.user_id == staff.id)).all()
