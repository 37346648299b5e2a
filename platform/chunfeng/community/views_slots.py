"""Appointment times: the open times and an officer's own, publishing and cancelling a time, booking a place and
cancelling one's booking."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import policy
from ..core.web import current_actor
from ..extensions import db
from . import slots as appointments
from .blueprint import attempt, bp
from .errors import CommunityError
from .forms import BookingForm, SlotForm
from .models import Booking, TimeSlot


@bp.route("/slots")
@policy.guard("community.consultations")
def slots():
    return _render_slots(SlotForm())


def _render_slots(slot_form: SlotForm, status: int = 200):
    user = current_actor()
    manager = policy.can(user, "community.manage_slots")
    booked = {b.slot_id for b in appointments.bookings_of(user)}
    return render_template("community/slots.html", slots=appointments.upcoming_slots(), booked=booked,
                           booking_form=BookingForm(), slot_form=slot_form, manager=manager,
                           managed=appointments.managed_slots(user) if manager else []), status


@bp.route("/slots/new", methods=["POST"])
@policy.guard("community.manage_slots")
def new_slot():
    form = SlotForm()
    published = attempt(form, lambda: appointments.create_slot(
        current_actor(), form.starts_at.data, form.minutes.data, form.capacity.data, form.online.data == "1",
        form.location.data, form.topic.data or ""))
    if not published.done:
        return _render_slots(form, published.status)
    flash(_("The time slot is published."), "success")
    return redirect(url_for("community.slots"))


@bp.route("/slots/<int:slot_id>/book", methods=["POST"])
@policy.guard("community.book")
def book(slot_id: int):
    slot = policy.load(TimeSlot, slot_id)
    form = BookingForm()
    if not form.validate_on_submit():
        flash(_("Please say briefly what you would like to discuss."), "danger")
        return redirect(url_for("community.slots"))
    try:
        appointments.book(slot, current_actor(), form.topic.data)
    except CommunityError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return _render_slots(SlotForm(), 409)
    db.session.commit()
    flash(_("Your appointment is booked."), "success")
    return redirect(url_for("community.consultations"))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@policy.guard("community.own_booking")
def cancel_booking(booking_id: int):
    appointments.cancel_booking(policy.load(Booking, booking_id), current_actor())
    db.session.commit()
    flash(_("Your appointment is cancelled."), "success")
    return redirect(url_for("community.consultations"))


@bp.route("/slots/<int:slot_id>/cancel", methods=["POST"])
@policy.guard("community.manage_slots")
def cancel_slot(slot_id: int):
    appointments.cancel_slot(policy.load(TimeSlot, slot_id), current_actor())
    db.session.commit()
    flash(_("The time slot is cancelled and the people who booked it were notified."), "success")
    return redirect(url_for("community.slots"))
