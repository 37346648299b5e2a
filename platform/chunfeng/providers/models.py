"""Service providers (testing labs, clinical trial sites, CROs, CDMOs), the service requests an incubated project
sends them, and matchmaking days (对接会) with their participants and 1:1 meetings."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User, _enum
from ..db import TimestampMixin, db, utcnow
from ..incubation.models import Incubation, MilestoneKey, _key_enum
from ..matching.models import ProfileStatus
from ..submissions.models import Project


class ProviderKind(enum.StrEnum):
    LAB = "lab"  # 注册检验机构
    TRIAL_SITE = "trial_site"  # 临床试验机构
    CRO = "cro"
    CDMO = "cdmo"


class ProviderProfile(TimestampMixin, db.Model):
    """What a provider offers, edited by its staff and approved by an administrator before it is suggested."""

    __tablename__ = "provider_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[ProviderKind] = mapped_column(_enum(ProviderKind, "provider_kind"))
    status: Mapped[ProfileStatus] = mapped_column(
        _enum(ProfileStatus, "provider_status"), default=ProfileStatus.PENDING, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str] = mapped_column(String(40), default="")  # province
    device_classes: Mapped[list] = mapped_column(JSON, default=list)  # DeviceClass values it serves
    categories: Mapped[str] = mapped_column(Text, default="")  # device categories served
    # testing lab
    standards: Mapped[str] = mapped_column(Text, default="")  # accredited tests and standards (CMA/CNAS scope)
    turnaround_days: Mapped[int | None] = mapped_column(Integer)  # typical testing turnaround
    # clinical trial site (and CRO)
    specialties: Mapped[str] = mapped_column(Text, default="")  # registered specialties (备案专业)
    ethics_cadence: Mapped[str] = mapped_column(String(120), default="")  # e.g. 每月两次伦理会
    ethics_days: Mapped[int | None] = mapped_column(Integer)  # typical days to ethics approval
    contract_days: Mapped[int | None] = mapped_column(Integer)  # typical days to a signed contract
    # CDMO
    capabilities: Mapped[str] = mapped_column(Text, default="")  # manufacturing capabilities
    clean_room_class: Mapped[str] = mapped_column(String(40), default="")  # e.g. 十万级

    review_note: Mapped[str] = mapped_column(Text, default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship()

    @property
    def name(self) -> str:
        return self.organization.name

    @property
    def is_approved(self) -> bool:
        return self.status == ProfileStatus.APPROVED


class RequestStatus(enum.StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    STARTED = "started"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"


class ServiceRequest(db.Model):
    """A request from an incubated project's officer or clinician to a provider, for the milestone it serves."""

    __tablename__ = "provider_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_profiles.id", ondelete="CASCADE"), index=True)
    incubation_id: Mapped[int] = mapped_column(ForeignKey("incubations.id", ondelete="CASCADE"), index=True)
    milestone_key: Mapped[MilestoneKey] = mapped_column(_key_enum())
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus, "provider_request_status"), default=RequestStatus.SENT, index=True)
    scope: Mapped[str] = mapped_column(Text)
    wanted_start: Mapped[date | None] = mapped_column(Date)
    wanted_by: Mapped[date | None] = mapped_column(Date)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_on: Mapped[date] = mapped_column(Date)
    # the provider's answer
    quote: Mapped[str] = mapped_column(String(200), default="")
    agreed_date: Mapped[date | None] = mapped_column(Date)  # the date the provider commits to start (or deliver)
    turnaround_days: Mapped[int | None] = mapped_column(Integer)  # quoted (labs, CDMOs)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was declined or withdrawn
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    ethics_approved_on: Mapped[date | None] = mapped_column(Date)  # trial sites and CROs
    started_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    provider: Mapped[ProviderProfile] = relationship()
    incubation: Mapped[Incubation] = relationship()
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    @property
    def project(self) -> Project:
        return self.incubation.project


class EventSide(enum.StrEnum):
    CLINICIAN = "clinician"
    COMPANY = "company"
    INVESTOR = "investor"
    PROVIDER = "provider"


class MatchmakingEvent(TimestampMixin, db.Model):
    """A matchmaking day (对接会): 1:1 meetings at tables in slots of equal length."""

    __tablename__ = "provider_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    tables: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    slots: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime)

    participants: Mapped[list[Participant]] = relationship(
        back_populates="event", order_by="Participant.id", cascade="all, delete-orphan")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="event", order_by="(Meeting.slot, Meeting.table_no)", cascade="all, delete-orphan")


class Participant(db.Model):
    __tablename__ = "provider_event_participants"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="event_participant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("provider_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    side: Mapped[EventSide] = mapped_column(_enum(EventSide, "event_side"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    free_slots: Mapped[list] = mapped_column(JSON, default=list)  # slot numbers, 0-based
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    event: Mapped[MatchmakingEvent] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()
    project: Mapped[Project | None] = relationship()


class MeetingAnswer(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class MeetingOutcome(enum.StrEnum):
    FOLLOW_UP = "follow_up"
    NDA = "nda"
    NONE = "none"


class Meeting(db.Model):
    __tablename__ = "provider_meetings"
    __table_args__ = (UniqueConstraint("event_id", "slot", "table_no", name="event_slot_table"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("provider_events.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    table_no: Mapped[int] = mapped_column(Integer)
    first_id: Mapped[int] = mapped_column(ForeignKey("provider_event_participants.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("provider_event_participants.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    first_answer: Mapped[MeetingAnswer] = mapped_column(
        _enum(MeetingAnswer, "meeting_answer"), default=MeetingAnswer.PENDING)
    second_answer: Mapped[MeetingAnswer] = mapped_column(
        _enum(MeetingAnswer, "meeting_answer"), default=MeetingAnswer.PENDING)
    outcome: Mapped[MeetingOutcome | None] = mapped_column(_enum(MeetingOutcome, "meeting_outcome"))
    outcome_note: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[MatchmakingEvent] = relationship(back_populates="meetings")
    first: Mapped[Participant] = relationship(foreign_keys=[first_id])
    second: Mapped[Participant] = relationship(foreign_keys=[second_id])
