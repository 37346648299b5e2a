"""Matchmaking days (对接会): an administrator creates the day; clinicians with a selected project, companies,
investors and providers register with their free slots; the platform proposes a 1:1 schedule from the text engine's
scores (`scheduling.propose`); each side accepts or declines its meetings; afterwards each meeting records its
outcome (follow-up, NDA, none)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Role
from ..core.clock import local_today
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from ..matching.common import profile_of as company_profile_of
from ..matching.documents import profile_docs
from ..submissions.models import Project
from ..submissions.status import SELECTED_STATES, Status
from ..textengine.index import Doc, MatchIndex
from . import scheduling
from .errors import ProviderError
from .models import EventSide, MatchmakingEvent, Meeting, MeetingAnswer, MeetingOutcome, Participant
from .profiles import profile_of as provider_profile_of
from .suggestions import project_text, provider_docs

ROLE_SIDE = {Role.CLINICIAN: EventSide.CLINICIAN, Role.ENTERPRISE: EventSide.COMPANY,
             Role.INVESTOR: EventSide.INVESTOR, Role.PROVIDER: EventSide.PROVIDER}
PRESENTABLE = SELECTED_STATES | {Status.MATCHING, Status.INCUBATION, Status.APPROVED}
# Who meets whom: a clinician's project with companies, investors and providers; companies with providers.
MEETS = {frozenset({EventSide.CLINICIAN, EventSide.COMPANY}), frozenset({EventSide.CLINICIAN, EventSide.INVESTOR}),
         frozenset({EventSide.CLINICIAN, EventSide.PROVIDER}), frozenset({EventSide.COMPANY, EventSide.PROVIDER})}
MAX_SLOTS, MAX_TABLES = 48, 100


def create_event(admin, *, title: str, held_on: date, starts_at: time, place: str, online: bool, tables: int,
                 slot_minutes: int, slots: int) -> MatchmakingEvent:
    if held_on < local_today():
        raise ProviderError(_("The day cannot be in the past."), "held_on")
    if not 1 <= slots <= MAX_SLOTS or not 1 <= tables <= MAX_TABLES or not 5 <= slot_minutes <= 240:
        raise ProviderError(_("Please give between 1 and 48 slots of 5 to 240 minutes, and 1 to 100 tables."))
    if not online and not place.strip():
        raise ProviderError(_("Please give the place, or mark the day as online."), "place")
    event = MatchmakingEvent(title=title.strip(), held_on=held_on, starts_at=starts_at, place=place.strip(),
                             online=online, tables=tables, slot_minutes=slot_minutes, slots=slots,
                             created_by_id=admin.id)
    db.session.add(event)
    db.session.flush()
    record("matchmaking.created", event, actor=admin, title=event.title)
    return event


def slot_times(event: MatchmakingEvent) -> list[tuple[time, time]]:
    begin = datetime.combine(event.held_on, event.starts_at)
    step = timedelta(minutes=event.slot_minutes)
    return [((begin + i * step).time(), (begin + (i + 1) * step).time()) for i in range(event.slots)]


def presentable_projects(user) -> list[Project]:
    """A clinician's projects that were selected (and may be presented at a matchmaking day)."""
    return list(db.session.scalars(select(Project).where(
        Project.owner_id == user.id, Project.status.in_(PRESENTABLE)).order_by(Project.id)))


def participant_of(event: MatchmakingEvent, user) -> Participant | None:
    return next((p for p in event.participants if p.user_id == user.id), None)


def register(event: MatchmakingEvent, user, free_slots: list[int], project_id: int | None = None) -> Participant:
    """Register (or change the free slots of) a participant. Clinicians name a selected project; providers need an
    approved profile, companies and investors an approved organisation profile."""
    side = ROLE_SIDE.get(user.role)
    if side is None or not user.is_approved:
        raise ProviderError(_("Only clinicians, companies, investors and service providers take part."))
    if event.scheduled_at is not None:
        raise ProviderError(_("The schedule has been proposed: registration is closed."))
    slots = sorted({int(s) for s in free_slots if 0 <= int(s) < event.slots})
    if not slots:
        raise ProviderError(_("Please choose at least one slot you are free in."), "free_slots")
    if side == EventSide.CLINICIAN:
        if project_id not in {p.id for p in presentable_projects(user)}:
            raise ProviderError(_("Please choose one of your selected projects."), "project")
    elif side == EventSide.PROVIDER:
        found = provider_profile_of(user.organization_id)
        if found is None or not found.is_approved:
            raise ProviderError(_("Your provider profile must be approved first."))
    else:
        found = company_profile_of(user.organization_id)
        if found is None or not found.is_approved:
            raise ProviderError(_("Your organisation profile must be approved first."))
    participant = participant_of(event, user)
    if participant is None:
        participant = Participant(event=event, user_id=user.id, side=side)
        db.session.add(participant)
    participant.free_slots = slots
    participant.project_id = project_id if side == EventSide.CLINICIAN else None
    try:
        db.session.flush()
    except IntegrityError:  # a second click at the same moment: the first registration stands
        db.session.rollback()
        raise ProviderError(_("You are already registered.")) from None
    return participant


def participant_text(participant: Participant) -> list:
    """The participant's documents for the engine: the clinician's project, the company's or provider's profile."""
    if participant.side == EventSide.CLINICIAN and participant.project is not None:
        return [Doc(participant.id, "project", project_text(participant.project))]
    user = participant.user
    if participant.side == EventSide.PROVIDER:
        found = provider_profile_of(user.organization_id)
        docs = provider_docs(found) if found is not None else []
    else:
        found = company_profile_of(user.organization_id)
        docs = profile_docs(found) if found is not None else []
    return [Doc(participant.id, d.field, d.text) for d in docs]


def pair_scores(participants: list[Participant]) -> dict[tuple[int, int], tuple[float, tuple[str, ...]]]:
    """(first id, second id) -> (score, shared terms) for the pairs that meet (`MEETS`), by the text engine."""
    docs = {p.id: participant_text(p) for p in participants}
    flat = [d for found in docs.values() for d in found]
    if not flat:
        return {}
    index = MatchIndex.build(flat, embedder=None)
    by_id = {p.id: p for p in participants}
    scores: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {}
    for p in participants:
        text = "\n".join(d.text for d in docs[p.id])
        if not text:
            continue
        for m in index.match(text, k=len(participants), n_reasons=3, exclude=[p.id]):
            other = by_id.get(m.target_id)
            if other is None or frozenset({p.side, other.side}) not in MEETS or m.lexical <= 0:
                continue
            key = (min(p.id, other.id), max(p.id, other.id))
            if m.lexical > scores.get(key, (0.0, ()))[0]:
                scores[key] = (m.lexical, m.reason_terms)
    return scores


def propose_schedule(event: MatchmakingEvent, admin) -> list[Meeting]:
    """Replace the event's meetings with a proposed schedule and tell every participant."""
    if event.held_on < local_today():
        raise ProviderError(_("The day is over: the schedule can no longer change."))
    participants = list(event.participants)
    scores = pair_scores(participants)
    placed = scheduling.propose({p.id: set(p.free_slots) for p in participants},
                                {pair: score for pair, (score, _terms) in scores.items()}, event.slots, event.tables)
    for meeting in list(event.meetings):
        event.meetings.remove(meeting)
    db.session.flush()
    for item in placed:
        event.meetings.append(Meeting(slot=item.slot, table_no=item.table, first_id=item.first,
                                      second_id=item.second, score=round(item.score, 4),
                                      reasons=list(scores[(item.first, item.second)][1])))
    event.scheduled_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError:  # proposed twice at the same moment: the first schedule stands
        db.session.rollback()
        raise ProviderError(_("The schedule was just proposed by someone else: reload the page.")) from None
    record("matchmaking.scheduled", event, actor=admin, meetings=len(placed))
    for p in participants:
        notify(p.user, N_("The schedule of “%(title)s” is ready: please accept or decline your meetings."),
               path_for("providers.event", event_id=event.id), title=event.title)
    return list(event.meetings)


def side_of(meeting: Meeting, user) -> str | None:
    if meeting.first.user_id == user.id:
        return "first"
    if meeting.second.user_id == user.id:
        return "second"
    return None


def answer_meeting(meeting: Meeting, user, accept: bool) -> None:
    side = side_of(meeting, user)
    if side is None:
        raise ProviderError(_("This meeting is not yours."))
    if meeting.event.held_on < local_today():
        raise ProviderError(_("The day is over: the meeting can no longer be answered."))
    setattr(meeting, f"{side}_answer", MeetingAnswer.ACCEPTED if accept else MeetingAnswer.DECLINED)
    record("matchmaking.answered", meeting, actor=user, accepted=accept)


def record_outcome(meeting: Meeting, user, outcome: str, note: str = "") -> None:
    if meeting.event.held_on > local_today():
        raise ProviderError(_("The outcome is recorded after the day."))
    try:
        meeting.outcome = MeetingOutcome(outcome)
    except ValueError:
        raise ProviderError(_("Please choose an outcome."), "outcome") from None
    meeting.outcome_note = note.strip()
    record("matchmaking.outcome", meeting, actor=user, outcome=meeting.outcome.value)


def agenda(event: MatchmakingEvent, participant: Participant) -> list[Meeting]:
    return sorted((m for m in event.meetings if participant.id in (m.first_id, m.second_id)), key=lambda m: m.slot)


def upcoming_events() -> list[MatchmakingEvent]:
    return list(db.session.scalars(select(MatchmakingEvent).order_by(MatchmakingEvent.held_on.desc())))
