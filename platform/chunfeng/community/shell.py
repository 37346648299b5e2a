"""What the community offers the platform's shell: navigation links, the workspace panel and the pending
invitations shown to clinicians."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    null,
    select,
    union_all,
)

from .. import policy
from ..accounts.models import Organization, Role, User
from ..core.shell import NavItem, Offer, Panel
from ..core.todo import Asks
from ..db import db, utcnow
from .models import (
    Booking,
    BookingStatus,
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    ChallengeSuggestion,
    ClinicalNeed,
    Comment,
    Consultation,
    ConsultStatus,
    NeedSeeToo,
    Report,
    ReportStatus,
    TimeSlot,
)

LATEST = 5  # rows of each list the panel shows
# The panel shows a question's first 60 characters (the template's truncate, which shows a text of up to 65 whole):
# its first 66 characters show the same as the whole text.
QUESTION_SHOWN = 66


def pending_invitations(_sender, user) -> Asks | None:
    """Answers `hooks.pending_actions`: the open challenges a company invited this clinician to, not answered yet,
    latest invitation first, read as the company's name and the challenge's title."""
    return _invitation_asks() if user.has_role(Role.CLINICIAN) else None


@cache
def _invitation_asks() -> Asks:
    """Built once per process (every clinician's workspace asks for it)."""
    clinician = bindparam("user_id")
    answered = select(ChallengeResponse.challenge_id).where(ChallengeResponse.clinician_id == clinician)
    query = (select(Challenge.id.label("ref"), Organization.name.label("first"), Challenge.title.label("second"),
                    ChallengeSuggestion.invited_at.label("at")).select_from(ChallengeSuggestion)
             .join(Challenge, Challenge.id == ChallengeSuggestion.challenge_id)
             .join(Organization, Organization.id == Challenge.org_id)
             .where(ChallengeSuggestion.clinician_id == clinician, ChallengeSuggestion.invited_at.is_not(None),
                    Challenge.hidden.is_(False), Challenge.status == ChallengeStatus.OPEN,
                    Challenge.id.not_in(answered)))
    return Asks(query, _invitation_line)


def _invitation_line(row) -> tuple[str, str]:
    return (_("%(company)s invites you to share your clinical view on \"%(title)s\".", company=row.first,
              title=row.second), url_for("community.challenge", challenge_id=row.ref))


@dataclass(frozen=True, slots=True)
class Line:
    """One row of the panel's lists: a need (`text`: its title), a challenge (its title), a question (its first
    characters) or an appointment (`at`, `name`: its officer's), each with the columns of its kind."""

    id: int
    text: str
    hidden: bool
    answered: bool
    see_too: int
    comments: int
    replies: int
    at: datetime | None
    name: str


@dataclass
class Lists:
    needs: list[Line] = field(default_factory=list)
    challenges: list[Line] = field(default_factory=list)
    consultations: list[Line] = field(default_factory=list)
    bookings: list[Line] = field(default_factory=list)


def panel_context(user) -> dict:
    ctx: dict = {"role": user.role.value}
    if parts := _parts(user):
        lists = _lists(user, parts)
        ctx.update((part, getattr(lists, part)) for part in parts)
    if user.role in (Role.OFFICER, Role.EXPERT):
        ctx["open_questions"], = _open_counts(Consultation)
    if user.role == Role.ADMIN:
        ctx["open_questions"], ctx["open_reports"] = _open_counts(Consultation, Report)
    return ctx


def _parts(user) -> tuple[str, ...]:
    """The lists the person's panel shows: a clinician's needs, a company's challenges, the questions and
    appointments of clinicians, companies and investors."""
    parts: tuple[str, ...] = ()
    if user.role == Role.CLINICIAN:
        parts += ("needs",)
    if user.role == Role.ENTERPRISE and user.organization_id:
        parts += ("challenges",)
    if user.role in (Role.CLINICIAN, Role.ENTERPRISE, Role.INVESTOR):
        parts += ("consultations", "bookings")
    return parts


def _lists(user, parts: tuple[str, ...]) -> Lists:
    """Every list of the panel in one statement: the latest rows of each (of the appointments, the next ones)."""
    lists = Lists()
    params = {"user_id": user.id, "org_id": user.organization_id, "now": utcnow()}
    for row in db.session.execute(_lists_query(parts), params):
        getattr(lists, row.part).append(Line(row.id, row.text or "", bool(row.hidden), bool(row.answered),
                                             row.see_too or 0, row.comments or 0, row.replies or 0, row.at,
                                             row.name or ""))
    for latest in (lists.needs, lists.challenges, lists.consultations):
        latest.sort(key=lambda line: line.id, reverse=True)
    lists.bookings.sort(key=lambda line: (line.at, line.id))
    return lists


def _counted(model, *conditions):
    return select(func.count(model.id)).where(*conditions).scalar_subquery()


_NONE = {"text": String, "hidden": Boolean, "answered": Boolean, "see_too": Integer, "comments": Integer,
         "replies": Integer, "at": DateTime, "name": String}


def _part(listed: str, query: Select, **columns) -> Select:
    """One list as a part of the panel's statement: its columns in the order of the others (a NULL of the column's
    type where it has none), its own order and limit inside; no bound parameter in the columns, so that PostgreSQL
    types the union as SQLite does."""
    chosen = [columns[key].label(key) if key in columns else null().cast(kind).label(key)
              for key, kind in _NONE.items()]
    part = literal_column(f"'{listed}'", String).label("part")
    return select(query.add_columns(part, *chosen).limit(LATEST).subquery())


def _needs() -> Select:
    return _part("needs", select(ClinicalNeed.id).where(ClinicalNeed.author_id == bindparam("user_id"))
                 .order_by(ClinicalNeed.id.desc()),
                 text=ClinicalNeed.title, hidden=ClinicalNeed.hidden,
                 see_too=_counted(NeedSeeToo, NeedSeeToo.need_id == ClinicalNeed.id),
                 comments=_counted(Comment, Comment.need_id == ClinicalNeed.id, Comment.hidden.is_(False)))


def _challenges() -> Select:
    return _part("challenges", select(Challenge.id).where(Challenge.org_id == bindparam("org_id"))
                 .order_by(Challenge.id.desc()),
                 text=Challenge.title, hidden=Challenge.hidden,
                 replies=_counted(ChallengeResponse, ChallengeResponse.challenge_id == Challenge.id))


def _consultations() -> Select:
    return _part("consultations", select(Consultation.id).where(Consultation.asker_id == bindparam("user_id"))
                 .order_by(Consultation.id.desc()),
                 text=func.substr(Consultation.question, literal_column("1"), literal_column(str(QUESTION_SHOWN))),
                 answered=Consultation.status == ConsultStatus.ANSWERED)


def _bookings() -> Select:
    """The person's appointments not over yet, the next first, with their officer."""
    return _part("bookings", select(Booking.id).join(TimeSlot, TimeSlot.id == Booking.slot_id)
                 .join(User, User.id == TimeSlot.officer_id)
                 .where(Booking.user_id == bindparam("user_id"), Booking.status == BookingStatus.BOOKED,
                        TimeSlot.ends_at > bindparam("now", type_=TimeSlot.ends_at.type))
                 .order_by(TimeSlot.starts_at, Booking.id),
                 at=TimeSlot.starts_at, name=User.name)


_PARTS = {"needs": _needs, "challenges": _challenges, "consultations": _consultations, "bookings": _bookings}


@cache
def _lists_query(parts: tuple[str, ...]) -> Select:
    """Built once per process for each set of lists."""
    return union_all(*(_PARTS[name]() for name in parts))


def _open_counts(*models) -> tuple[int, ...]:
    """How many consultations wait for an answer, reports for moderation (each model's open ones): one
    statement, however many are counted."""
    return tuple(db.session.execute(_counts_query(models)).one())


@cache
def _counts_query(models: tuple) -> Select:
    """Built once per process for each set of models (staff workspaces run it on every visit)."""
    return select(*(select(func.count()).select_from(model).where(model.status == OPEN[model]).scalar_subquery()
                    for model in models))


OPEN = {Consultation: ConsultStatus.OPEN, Report: ReportStatus.OPEN}


NAV = Offer(
    NavItem("community.index", _l("Community"), policy.PUBLIC, order=60),
    NavItem("community.consultations", _l("Consultations"), "community.consultations", order=61),
)
PANELS = Offer(
    Panel("community/_panel.html", "community.member", panel_context, order=70),
)
