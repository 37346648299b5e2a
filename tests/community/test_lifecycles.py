"""Status changes of challenges, reports and bookings: each a checked transition with its audit entry; a second press
changes nothing; times follow the configured zone; moderators go back only to a page of this site."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from chunfeng.accounts.models import Role
from chunfeng.community import services
from chunfeng.community.models import (
    Booking,
    BookingStatus,
    Challenge,
    ChallengeStatus,
    ClinicalNeed,
    Report,
    ReportStatus,
    TimeSlot,
)
from chunfeng.core.models import AuditEntry
from chunfeng.db import db, utcnow
from tests.community.conftest import page_text


def _audits(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def test_closing_twice_keeps_the_challenge_closed_and_reopening_opens_it(app, make_user, client_for,
                                                                          post_challenge):
    company = make_user(Role.ENTERPRISE)
    challenge_id = post_challenge(company)
    firm = client_for(company)
    url = f"/community/challenges/{challenge_id}/status"

    assert firm.post(url, data={"status": "closed"}).status_code == 302
    assert firm.post(url, data={"status": "closed"}).status_code == 302  # a second press changes nothing
    with app.app_context():
        assert db.session.get(Challenge, challenge_id).status == ChallengeStatus.CLOSED
    assert _audits(app, "community.challenge_closed") == 1

    firm.post(url, data={"status": "open"})
    with app.app_context():
        assert db.session.get(Challenge, challenge_id).status == ChallengeStatus.OPEN
    assert _audits(app, "community.challenge_open") == 1
    assert firm.post(url, data={"status": "archived"}).status_code == 400


def test_a_report_settled_by_hiding_cannot_be_dismissed_afterwards(app, make_user, client_for, post_need, run):
    need_id = post_need(make_user(Role.CLINICIAN))
    report_id = run(services.report, make_user(Role.ENTERPRISE), (ClinicalNeed, need_id), "spam", "广告")
    admin = client_for(make_user(Role.ADMIN))

    admin.post(f"/community/admin/need/{need_id}/visibility", data={"hidden": "1"})
    assert _audits(app, "community.report_actioned") == 1
    response = admin.post(f"/community/admin/reports/{report_id}/dismiss", follow_redirects=True)
    assert "该举报已处理过。" in page_text(response)
    with app.app_context():
        assert db.session.get(Report, report_id).status == ReportStatus.ACTIONED
    assert _audits(app, "community.report_dismissed") == 0


def test_after_hiding_the_moderator_returns_only_to_a_page_of_this_site(make_user, client_for, post_need):
    need_id = post_need(make_user(Role.CLINICIAN))
    admin = client_for(make_user(Role.ADMIN))
    url = f"/community/admin/need/{need_id}/visibility"

    back = admin.post(url, data={"hidden": "1", "next": "/community/admin/reports?status=hidden"})
    assert back.headers["Location"] == "/community/admin/reports?status=hidden"
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\t/evil.example"):
        refused = admin.post(url, data={"hidden": "0", "next": elsewhere})
        assert refused.headers["Location"] == "/community/admin/reports"


def test_cancelling_a_time_cancels_every_booking_in_it(app, make_user, client_for, run):
    officer = make_user(Role.OFFICER)
    starts = datetime.combine(utcnow().date() + timedelta(days=2), time(10))
    slot_id = run(services.create_slot, officer, starts, 30, 3, True, "腾讯会议")
    people = [make_user(Role.CLINICIAN), make_user(Role.ENTERPRISE)]
    for person in people:
        run(services.book, (TimeSlot, slot_id), person, "分类界定")

    assert client_for(officer).post(f"/community/slots/{slot_id}/cancel").status_code == 302
    with app.app_context():
        statuses = set(db.session.scalars(select(Booking.status).where(Booking.slot_id == slot_id)))
    assert statuses == {BookingStatus.CANCELLED}
    assert _audits(app, "community.booking_cancelled") == len(people)


def test_slot_times_follow_the_configured_time_zone(app, make_user, run, monkeypatch):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "UTC")
    starts = datetime.combine(utcnow().date() + timedelta(days=2), time(9))
    slot_id = run(services.create_slot, make_user(Role.OFFICER), starts, 30, 1, True, "腾讯会议")
    with app.app_context():
        assert db.session.get(TimeSlot, slot_id).starts_at.hour == 9  # 09:00 in UTC is stored as it is
