"""Community records: clinical needs, company challenges, comments, consultations, time slots and reports.

Nothing here refers to a project's confidential intake sections: a need converted into a project keeps only
the project's id, and the project stays private to its owner.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..accounts.models import Consent, Organization, User, _enum
from ..db import TimestampMixin, db, utcnow


class NeedVisibility(enum.StrEnum):
    PUBLIC = "public"  # anyone, including visitors who are not signed in
    COMPANIES = "companies"  # approved members only: companies and investors, clinicians, experts, staff


class NeedStatus(enum.StrEnum):
    OPEN = "open"
    CONVERTED = "converted"  # turned into a full idea submission (a draft project)


class ChallengeKind(enum.StrEnum):
    USABILITY = "usability"
    TRIAL_SITE = "trial_site"
    WORKFLOW = "workflow"
    OTHER = "other"


class ChallengeStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ConsultCategory(enum.StrEnum):
    CLASSIFICATION = "classification"
    REGISTRATION_TESTING = "registration_testing"
    CLINICAL_EVALUATION = "clinical_evaluation"
    SPECIAL_REVIEW = "special_review"  # innovation / priority channels, pre-review
    OTHER = "other"


class ConsultStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class ReportTarget(enum.StrEnum):
    NEED = "need"
    CHALLENGE = "challenge"
    COMMENT = "comment"


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    INAPPROPRIATE = "inappropriate"
    PERSONAL_DATA = "personal_data"  # patient data or someone's personal information
    CONFIDENTIAL = "confidential"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    ACTIONED = "actioned"  # the content was hidden
    DISMISSED = "dismissed"


class Moderated:
    """Content an administrator can hide: it then disappears for everyone but admins and its author."""

    hidden: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)

    @declared_attr
    def hidden_by_id(cls) -> Mapped[int | None]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ClinicalNeed(Moderated, TimestampMixin, db.Model):
    """A pain point without a solution yet: the problem, who has it and what a better outcome would be."""

    __tablename__ = "community_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    population: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    specialty: Mapped[str] = mapped_column(String(60), default="", index=True)
    visibility: Mapped[NeedVisibility] = mapped_column(
        _enum(NeedVisibility, "need_visibility"), default=NeedVisibility.PUBLIC, index=True)
    status: Mapped[NeedStatus] = mapped_column(_enum(NeedStatus, "need_status"), default=NeedStatus.OPEN, index=True)
    converted_project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    converted_at: Mapped[datetime | None] = mapped_column(DateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    follows: Mapped[list[NeedFollow]] = relationship(back_populates="need", cascade="all, delete-orphan")
    see_toos: Mapped[list[NeedSeeToo]] = relationship(back_populates="need", cascade="all, delete-orphan")

    @property
    def is_public(self) -> bool:
        return self.visibility == NeedVisibility.PUBLIC and not self.hidden

    def text(self) -> str:
        return "\n".join([self.title, self.problem, self.population, self.outcome, self.specialty])


class NeedFollow(db.Model):
    __tablename__ = "community_need_follows"
    __table_args__ = (UniqueConstraint("need_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("community_needs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    need: Mapped[ClinicalNeed] = relationship(back_populates="follows")


class NeedSeeToo(db.Model):
    """'我也遇到': another clinician meets the same problem; the count signals demand."""

    __tablename__ = "community_need_see_too"
    __table_args__ = (UniqueConstraint("need_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("community_needs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    need: Mapped[ClinicalNeed] = relationship(back_populates="see_toos")


class Challenge(Moderated, TimestampMixin, db.Model):
    """A company's development question seeking clinical input or lead users."""

    __tablename__ = "community_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    kind: Mapped[ChallengeKind] = mapped_column(_enum(ChallengeKind, "challenge_kind"), default=ChallengeKind.OTHER)
    specialty: Mapped[str] = mapped_column(String(60), default="", index=True)
    status: Mapped[ChallengeStatus] = mapped_column(
        _enum(ChallengeStatus, "challenge_status"), default=ChallengeStatus.OPEN, index=True)
    deadline: Mapped[date | None] = mapped_column(Date)
    suggestions_at: Mapped[datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    suggestions: Mapped[list[ChallengeSuggestion]] = relationship(
        back_populates="challenge", order_by="ChallengeSuggestion.rank", cascade="all, delete-orphan")
    responses: Mapped[list[ChallengeResponse]] = relationship(
        back_populates="challenge", order_by="ChallengeResponse.id", cascade="all, delete-orphan")

    def text(self) -> str:
        return "\n".join([self.title, self.description, self.specialty])


class ChallengeSuggestion(db.Model):
    """A clinician the matcher suggests for a challenge, with why; stored so pages do not refit the matcher."""

    __tablename__ = "community_challenge_suggestions"
    __table_args__ = (UniqueConstraint("challenge_id", "clinician_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("community_challenges.id", ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime)

    challenge: Mapped[Challenge] = relationship(back_populates="suggestions")
    clinician: Mapped[User] = relationship()


class ChallengeResponse(TimestampMixin, db.Model):
    """A clinician's reply to a challenge; contact details reach the company only while `contact_shared`."""

    __tablename__ = "community_challenge_responses"
    __table_args__ = (UniqueConstraint("challenge_id", "clinician_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("community_challenges.id", ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text)
    offer_help: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id", ondelete="SET NULL"))
    shared_at: Mapped[datetime | None] = mapped_column(DateTime)

    challenge: Mapped[Challenge] = relationship(back_populates="responses")
    clinician: Mapped[User] = relationship()
    consent: Mapped[Consent | None] = relationship()


class Comment(Moderated, db.Model):
    """A comment on a need or on a challenge (exactly one of the two)."""

    __tablename__ = "community_comments"
    __table_args__ = (
        CheckConstraint("(need_id IS NULL) <> (challenge_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("community_needs.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_challenges.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    need: Mapped[ClinicalNeed | None] = relationship()
    challenge: Mapped[Challenge | None] = relationship()

    @property
    def target(self) -> ClinicalNeed | Challenge:
        return self.need if self.need_id is not None else self.challenge


class Consultation(TimestampMixin, db.Model):
    """A question to the platform's officers and experts (我要咨询); may become an anonymous FAQ entry."""

    __tablename__ = "community_consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[ConsultCategory] = mapped_column(_enum(ConsultCategory, "consult_category"), index=True)
    question: Mapped[str] = mapped_column(String(1000))
    status: Mapped[ConsultStatus] = mapped_column(
        _enum(ConsultStatus, "consult_status"), default=ConsultStatus.OPEN, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    publish_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    publish_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_faq: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    faq_question: Mapped[str] = mapped_column(Text, default="")
    faq_answer: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    asker: Mapped[User] = relationship(foreign_keys=[asker_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class TimeSlot(db.Model):
    """A consultation time an officer publishes (我要预约)."""

    __tablename__ = "community_time_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    online: Mapped[bool] = mapped_column(Boolean, default=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    topic: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)

    officer: Mapped[User] = relationship()
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="slot", order_by="Booking.id", cascade="all, delete-orphan")

    @property
    def active_bookings(self) -> list[Booking]:
        return [b for b in self.bookings if b.status == BookingStatus.BOOKED]

    @property
    def places_left(self) -> int:
        return max(self.capacity - len(self.active_bookings), 0)


class Booking(db.Model):
    __tablename__ = "community_bookings"
    __table_args__ = (UniqueConstraint("slot_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("community_time_slots.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(300))
    status: Mapped[BookingStatus] = mapped_column(
        _enum(BookingStatus, "booking_status"), default=BookingStatus.BOOKED, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)

    slot: Mapped[TimeSlot] = relationship(back_populates="bookings")
    user: Mapped[User] = relationship()


class Report(db.Model):
    """Someone flags a need, challenge or comment for the administrators' moderation queue."""

    __tablename__ = "community_reports"
    __table_args__ = (Index("ix_community_reports_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target_type: Mapped[ReportTarget] = mapped_column(_enum(ReportTarget, "report_target"))
    target_id: Mapped[int] = mapped_column(Integer)
    reason_kind: Mapped[ReportReason] = mapped_column(_enum(ReportReason, "report_reason"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[ReportStatus] = mapped_column(
        _enum(ReportStatus, "report_status"), default=ReportStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
