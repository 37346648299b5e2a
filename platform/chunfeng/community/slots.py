"""Appointment times (我要预约): officers publish time slots, clinicians and companies book a place within capacity.

Times are entered and shown in the platform's configured time zone and stored in naive UTC like every other time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager

from ..accounts.models import Role
from ..core.clock import local_zone, to_local
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from .errors import CommunityError
from .lifecycles import AUDIT_PREFIX, BookingEvent, booking_lifecycle
from .models import Booking, BookingStatus, TimeSlot


def stored_time(local: datetime) -> datetime:
    """A time entered on the platform's clock (naive, or with its zone) as stored: naive UTC."""
    aware = local.replace(tzinfo=local_zone()) if local.tzinfo is None else local
    return aware.astimezone(UTC).replace(tzinfo=None)


def _shown(value: datetime) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def create_slot(officer, starts_local: datetime, minutes: int, capacity: int, online: bool, location: str,
                topic: str = "") -> TimeSlot:
    """A slot from a start time on the platform's clock."""
    starts_at = stored_time(starts_local)
    if starts_at <= utcnow():
        raise CommunityError(_("The slot must start in the future."), "starts_at")
    slot = TimeSlot(officer_id=officer.id, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                    capacity=capacity, online=online, location=location.strip(), topic=topic.strip())
    db.session.add(slot)
    db.session.flush()
    record("community.slot_published", slot, actor=officer)
    return slot


def upcoming_slots() -> list[TimeSlot]:
    return list(db.session.scalars(
        select(TimeSlot).where(TimeSlot.cancelled_at.is_(None), TimeSlot.starts_at > utcnow())
        .order_by(TimeSlot.starts_at)))


def managed_slots(user) -> list[TimeSlot]:
    """An officer's own slots from a week ago on; administrators see every officer's."""
    stmt = select(TimeSlot).where(TimeSlot.starts_at > utcnow() - timedelta(days=7))
    if user.role != Role.ADMIN:
        stmt = stmt.where(TimeSlot.officer_id == user.id)
    return list(db.session.scalars(stmt.order_by(TimeSlot.starts_at)))


def book(slot: TimeSlot, user, topic: str) -> Booking:
    """Book a place: the slot must be open and not full, and the person must not be booked at that time.
    A place the person cancelled before is booked again."""
    slot = db.session.scalar(select(TimeSlot).where(TimeSlot.id == slot.id).with_for_update())
    if slot.cancelled_at is not None or slot.starts_at <= utcnow():
        raise CommunityError(_("This time slot is no longer available."))
    booking = next((b for b in slot.bookings if b.user_id == user.id), None)
    if booking is not None and booking.status == BookingStatus.BOOKED:
        raise CommunityError(_("You have already booked this time slot."))
    if slot.places_left <= 0:
        raise CommunityError(_("This time slot is fully booked. Please choose another one."))
    if _overlapping_booking(user, slot):
        raise CommunityError(_("You already have an appointment at this time."))
    if booking is None:
        booking = booking_lifecycle.begin(Booking(slot=slot, user_id=user.id, topic=topic.strip()))
        db.session.add(booking)
        db.session.flush()
        record(f"{AUDIT_PREFIX}.{BookingEvent.BOOKED}", booking, actor=user, slot_id=slot.id)
    else:
        booking.topic, booking.cancelled_at = topic.strip(), None
        booking_lifecycle.apply(booking, BookingEvent.BOOKED, user, slot_id=slot.id)
    notify(slot.officer, N_("New appointment booked for %(when)s."), path_for("community.slots"),
           when=_shown(slot.starts_at))
    return booking


def _overlapping_booking(user, slot: TimeSlot) -> bool:
    return db.session.scalar(
        select(Booking.id).join(TimeSlot).where(
            Booking.user_id == user.id, Booking.status == BookingStatus.BOOKED, Booking.slot_id != slot.id,
            TimeSlot.cancelled_at.is_(None), TimeSlot.starts_at < slot.ends_at, TimeSlot.ends_at > slot.starts_at)
    ) is not None


def _cancel(booking: Booking, actor, **detail) -> None:
    booking.cancelled_at = utcnow()
    booking_lifecycle.apply(booking, BookingEvent.CANCELLED, actor, **detail)


def cancel_booking(booking: Booking, actor) -> None:
    if booking.status == BookingStatus.CANCELLED:
        return
    _cancel(booking, actor)
    if actor.id == booking.user_id:
        notify(booking.slot.officer, N_("An appointment for %(when)s was cancelled."), path_for("community.slots"),
               when=_shown(booking.slot.starts_at))


def cancel_slot(slot: TimeSlot, actor) -> None:
    """Cancel the time and every place booked in it, telling the people who booked."""
    slot.cancelled_at = utcnow()
    for booking in slot.active_bookings:
        _cancel(booking, actor, slot_cancelled=True)
        notify(booking.user, N_("Your appointment for %(when)s was cancelled by the platform. Please book "
                                "another time."), path_for("community.slots"), when=_shown(slot.starts_at))
    record("community.slot_cancelled", slot, actor=actor)


def bookings_of(user) -> list[Booking]:
    return list(db.session.scalars(_booked_query(), {"user_id": user.id, "now": utcnow()}))


@cache
def _booked_query() -> Select:
    """Built once per process (a workspace panel runs it on every visit)."""
    return (select(Booking).join(TimeSlot)
            .where(Booking.user_id == bindparam("user_id"), Booking.status == BookingStatus.BOOKED,
                   TimeSlot.ends_at > bindparam("now", type_=TimeSlot.ends_at.type))
            .options(contains_eager(Booking.slot).joinedload(TimeSlot.officer))
            .order_by(TimeSlot.starts_at))
