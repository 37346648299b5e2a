"""Officers publish appointment times; clinicians and companies book within capacity, once, and can cancel."""

from datetime import timedelta

from sqlalchemy import select

from chunfeng.accounts.models import Role
from chunfeng.community.models import Booking, BookingStatus, TimeSlot
from chunfeng.db import db, utcnow
from tests.community.conftest import page_text

TOMORROW_9 = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT09:00")


def _publish(officer_client, starts_at=TOMORROW_9, minutes=30, capacity=1):
    return officer_client.post("/community/slots/new", data={
        "starts_at": starts_at, "minutes": minutes, "capacity": capacity, "online": "1",
        "location": "腾讯会议 123-456"})


def _slot_ids(app):
    with app.app_context():
        return list(db.session.scalars(select(TimeSlot.id).order_by(TimeSlot.starts_at, TimeSlot.id)))


def test_capacity_is_enforced_and_nobody_books_twice(app, make_user, client_for):
    officer = client_for(make_user(Role.OFFICER, name="陈专员"))
    assert _publish(officer).status_code == 302
    (slot_id,) = _slot_ids(app)
    first = client_for(make_user(Role.CLINICIAN, name="李明"))
    second = client_for(make_user(Role.ENTERPRISE))

    assert first.post(f"/community/slots/{slot_id}/book", data={"topic": "创新通道申报材料"}).status_code == 302
    again = first.post(f"/community/slots/{slot_id}/book", data={"topic": "再约一次"})
    assert again.status_code == 409 and "您已预约该时段。" in page_text(again)
    full = second.post(f"/community/slots/{slot_id}/book", data={"topic": "注册检验"})
    assert full.status_code == 409 and "该时段已约满" in page_text(full)

    slots_page = page_text(officer.get("/community/slots"))
    assert "李明" in slots_page and "创新通道申报材料" in slots_page

    with app.app_context():
        booking_id = db.session.scalar(select(Booking.id))
    assert second.post(f"/community/bookings/{booking_id}/cancel").status_code == 404  # not theirs
    first.post(f"/community/bookings/{booking_id}/cancel")
    assert second.post(f"/community/slots/{slot_id}/book", data={"topic": "注册检验"}).status_code == 302
    with app.app_context():
        statuses = sorted(b.status.value for b in db.session.scalars(select(Booking)))
    assert statuses == [BookingStatus.BOOKED.value, BookingStatus.CANCELLED.value]


def test_overlapping_appointments_are_refused(app, make_user, client_for):
    officer = client_for(make_user(Role.OFFICER))
    _publish(officer, minutes=60, capacity=3)
    _publish(officer, starts_at=TOMORROW_9.replace("09:00", "09:30"), capacity=3)
    first_slot, overlapping = _slot_ids(app)
    clinician = client_for(make_user(Role.CLINICIAN))

    clinician.post(f"/community/slots/{first_slot}/book", data={"topic": "分类界定"})
    refused = clinician.post(f"/community/slots/{overlapping}/book", data={"topic": "分类界定"})
    assert refused.status_code == 409 and "您在该时间已有其他预约。" in page_text(refused)


def test_past_or_cancelled_times_cannot_be_booked_and_only_officers_publish(app, make_user, client_for):
    officer = make_user(Role.OFFICER)
    with app.app_context():
        past = TimeSlot(officer_id=officer.id, starts_at=utcnow() - timedelta(hours=2),
                        ends_at=utcnow() - timedelta(hours=1), capacity=2, location="x")
        db.session.add(past)
        db.session.commit()
        past_id = past.id
    clinician = client_for(make_user(Role.CLINICIAN))
    response = clinician.post(f"/community/slots/{past_id}/book", data={"topic": "x"})
    assert response.status_code == 409 and "该时段已不可预约。" in page_text(response)
    assert _publish(clinician).status_code == 403

    refused = _publish(client_for(officer), starts_at="2020-01-01T09:00")
    assert refused.status_code == 400 and "开始时间必须晚于当前时间。" in page_text(refused)


def test_slot_time_is_entered_and_shown_in_beijing_time(app, make_user, client_for):
    officer = client_for(make_user(Role.OFFICER))
    _publish(officer)
    with app.app_context():
        slot = db.session.get(TimeSlot, _slot_ids(app)[0])
        assert slot.starts_at.hour == 1  # 09:00 in Beijing is 01:00 UTC
    assert TOMORROW_9.replace("T", " ") + "–09:30" in page_text(officer.get("/community/slots"))
