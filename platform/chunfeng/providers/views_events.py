"""Matchmaking days (对接会): the list and the administrators' new-day form, the day's page (registration, the
proposed schedule, one's own meetings), the printable agenda, answers to meetings and their outcomes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import policy
from ..accounts.models import Role
from ..core.clock import local_today
from ..core.web import current_actor
from ..forms import choices
from . import events
from .blueprint import bp, saved
from .forms import AnswerForm, EventForm, OutcomeForm, RegisterForm
from .models import EventSide, MatchmakingEvent, Meeting


@bp.route("/providers/events")
@policy.guard("providers.events")
def events_list(form: EventForm | None = None, status: int = 200):
    return render_template("providers/events.html", items=events.upcoming_events(), today=local_today(),
                           form=form or EventForm(formdata=None),
                           may_manage=policy.can(current_actor(), "providers.events.manage")), status


@bp.route("/providers/events/new", methods=["POST"])
@policy.guard("providers.events.manage")
def event_new():
    form = EventForm()
    created = []
    if form.validate_on_submit() and saved(lambda: created.append(events.create_event(
            current_actor(), title=form.title.data, held_on=form.held_on.data, starts_at=form.starts_at.data,
            place=form.place.data or "", online=bool(form.online.data), tables=form.tables.data,
            slot_minutes=form.slot_minutes.data, slots=form.slots.data)), form, _("The matchmaking day is created.")):
        return redirect(url_for("providers.event", event_id=created[0].id))
    return events_list(form, 400)


def _register_form(event: MatchmakingEvent, user, formdata=None) -> RegisterForm:
    mine = events.participant_of(event, user)
    form = RegisterForm(formdata=formdata, free_slots=[str(s) for s in (mine.free_slots if mine else [])],
                        project=str(mine.project_id or "") if mine else "")
    form.free_slots.choices = choices((str(i), f"{a:%H:%M}–{b:%H:%M}")
                                      for i, (a, b) in enumerate(events.slot_times(event)))
    form.project.choices = choices([("", _("Choose the project"))] + [
        (str(p.id), p.title) for p in events.presentable_projects(user)])
    return form


def _event_page(event: MatchmakingEvent, status: int = 200, register_form: RegisterForm | None = None):
    user = current_actor()
    mine = events.participant_of(event, user)
    return render_template(
        "providers/event.html", event=event, mine=mine, times=events.slot_times(event), today=local_today(),
        meetings=events.agenda(event, mine) if mine else [],
        may_manage=policy.can(user, "providers.events.manage"), may_register=user.role != Role.ADMIN,
        form=register_form or _register_form(event, user), is_clinician=user.role == Role.CLINICIAN,
        answer_form=AnswerForm(formdata=None), outcome_form=OutcomeForm(formdata=None), EventSide=EventSide,
    ), status


@bp.route("/providers/events/<int:event_id>", methods=["GET", "POST"])
@policy.guard("providers.events")
def event(event_id: int):
    found = policy.load(MatchmakingEvent, event_id)
    if request.method == "GET":
        return _event_page(found)
    user = current_actor()
    form = _register_form(found, user, request.form)
    if form.validate_on_submit() and saved(lambda: events.register(
            found, user, [int(s) for s in form.free_slots.data or []],
            int(form.project.data) if form.project.data else None), form, _("You are registered.")):
        return redirect(url_for("providers.event", event_id=found.id))
    return _event_page(found, 400, register_form=form)


@bp.route("/providers/events/<int:event_id>/schedule", methods=["POST"])
@policy.guard("providers.events.manage")
def schedule(event_id: int):
    found = policy.load(MatchmakingEvent, event_id)
    if saved(lambda: events.propose_schedule(found, current_actor()), None, _("The schedule has been proposed.")):
        return redirect(url_for("providers.event", event_id=found.id, _anchor="schedule"))
    return _event_page(found, 400)


@bp.route("/providers/events/<int:event_id>/agenda")
@policy.guard("providers.events")
def agenda(event_id: int):
    found = policy.load(MatchmakingEvent, event_id)
    user = current_actor()
    people = found.participants if policy.can(user, "providers.events.manage") else [
        p for p in found.participants if p.user_id == user.id]
    return render_template("providers/agenda.html", event=found, times=events.slot_times(found),
                           agendas=[(p, events.agenda(found, p)) for p in people])


@bp.route("/providers/meetings/<int:meeting_id>/answer", methods=["POST"])
@policy.guard("providers.meeting")
def answer_meeting(meeting_id: int):
    meeting = policy.load(Meeting, meeting_id)
    form = AnswerForm()
    if form.answer.data not in ("accept", "decline"):
        flash(_("Please accept or decline the meeting."), "danger")
        return _event_page(meeting.event, 400)
    if form.validate_on_submit() and saved(
            lambda: events.answer_meeting(meeting, current_actor(), form.answer.data == "accept"), None,
            _("Your answer has been recorded.")):
        return redirect(url_for("providers.event", event_id=meeting.event_id, _anchor=f"meeting-{meeting.id}"))
    return _event_page(meeting.event, 400)


@bp.route("/providers/meetings/<int:meeting_id>/outcome", methods=["POST"])
@policy.guard("providers.meeting")
def meeting_outcome(meeting_id: int):
    meeting = policy.load(Meeting, meeting_id)
    form = OutcomeForm()
    if form.validate_on_submit() and saved(
            lambda: events.record_outcome(meeting, current_actor(), form.outcome.data, form.note.data or ""), None,
            _("The outcome has been recorded.")):
        return redirect(url_for("providers.event", event_id=meeting.event_id, _anchor=f"meeting-{meeting.id}"))
    if form.errors:
        flash(_("Please choose an outcome."), "danger")
    return _event_page(meeting.event, 400)
