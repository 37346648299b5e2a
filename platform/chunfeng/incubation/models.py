"""Incubations of selected projects: the officer, the milestone plan, documents, the service record and targets."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User, _enum
from ..db import StoredFileMixin, TimestampMixin, db, utcnow
from ..submissions.models import Pathway, Project


class IncubationStatus(enum.StrEnum):
    ACTIVE = "active"
    APPROVED = "approved"
    STOPPED = "stopped"


class MilestoneKey(enum.StrEnum):
    """The registration path of a device, in the order it is usually walked."""

    TECHNICAL_REQUIREMENTS = "product_technical_requirements"  # 产品技术要求
    REGISTRATION_TESTING = "registration_testing"  # 注册检验
    CLINICAL_EVALUATION = "clinical_evaluation"  # 临床评价 (or 免于临床评价)
    REGISTRATION_SUBMISSION = "registration_submission"  # 注册申报
    ACCEPTANCE = "acceptance"  # 受理
    TECHNICAL_REVIEW = "technical_review"  # 技术审评
    APPROVAL = "approval"  # 行政审批, 获批


def _key_enum() -> Enum:
    """Like accounts.models._enum, but wide enough for 'product_technical_requirements'."""
    return Enum(MilestoneKey, name="milestone_key", native_enum=False, length=40,
                values_callable=lambda e: [m.value for m in e])


class MilestoneStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class EntryKind(enum.StrEnum):
    CONSULTATION = "consultation"
    SITE_VISIT = "site_visit"
    GUIDANCE = "guidance"
    QUESTION = "question"


class Audience(enum.StrEnum):
    INTERNAL = "internal"  # officers and administrators only
    CLINICIAN = "doctor"  # the project's clinician (the stored value predates the word "clinician")
    COMPANY = "company"
    BOTH = "both"  # the clinician and the connected company


class Incubation(TimestampMixin, db.Model):
    __tablename__ = "incubations"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    pathway: Mapped[Pathway] = mapped_column(_enum(Pathway, "pathway"))
    status: Mapped[IncubationStatus] = mapped_column(
        _enum(IncubationStatus, "incubation_status"), default=IncubationStatus.ACTIVE, index=True)
    started_on: Mapped[date] = mapped_column(Date)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_on: Mapped[date | None] = mapped_column(Date)
    success_story_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    success_story_published_at: Mapped[datetime | None] = mapped_column(DateTime)

    project: Mapped[Project] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="incubation", order_by="Milestone.position", cascade="all, delete-orphan")
    entries: Mapped[list[ServiceEntry]] = relationship(
        back_populates="incubation", order_by="ServiceEntry.id", cascade="all, delete-orphan")

    def milestone(self, key: MilestoneKey) -> Milestone | None:
        return next((m for m in self.milestones if m.key == key), None)

    def __repr__(self) -> str:
        return f"<Incubation {self.id} project={self.project_id} {self.status}>"


class Milestone(db.Model):
    __tablename__ = "incubation_milestones"
    __table_args__ = (UniqueConstraint("incubation_id", "key", name="incubation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incubation_id: Mapped[int] = mapped_column(ForeignKey("incubations.id", ondelete="CASCADE"), index=True)
    key: Mapped[MilestoneKey] = mapped_column(_key_enum())
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[MilestoneStatus] = mapped_column(
        _enum(MilestoneStatus, "milestone_status"), default=MilestoneStatus.NOT_STARTED)
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)  # 免于临床评价 (clinical evaluation only)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_due: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_done: Mapped[date | None] = mapped_column(Date)
    owner: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    reminded_on: Mapped[date | None] = mapped_column(Date)  # last overdue reminder sent to the officer
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    incubation: Mapped[Incubation] = relationship(back_populates="milestones")
    documents: Mapped[list[MilestoneDocument]] = relationship(
        back_populates="milestone", order_by="MilestoneDocument.id", cascade="all, delete-orphan")

    @property
    def closed(self) -> bool:
        return self.status in (MilestoneStatus.DONE, MilestoneStatus.SKIPPED)


class MilestoneDocument(StoredFileMixin, db.Model):
    """A file kept with a milestone (test report, technical requirements, acceptance notice...)."""

    __tablename__ = "incubation_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("incubation_milestones.id", ondelete="CASCADE"), index=True)

    milestone: Mapped[Milestone] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()


class ServiceEntry(db.Model):
    """One dated piece of service: a consultation, a site visit, guidance given, or a question and its answer."""

    __tablename__ = "incubation_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    incubation_id: Mapped[int] = mapped_column(ForeignKey("incubations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind, "service_entry_kind"))
    audience: Mapped[Audience] = mapped_column(_enum(Audience, "service_audience"))
    # A company-audience entry may be meant for one connected company only (e.g. its own question).
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    occurred_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    incubation: Mapped[Incubation] = relationship(back_populates="entries")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    organization: Mapped[Organization | None] = relationship()

    @property
    def awaiting_answer(self) -> bool:
        return self.kind == EntryKind.QUESTION and not self.answer


class StageTarget(db.Model):
    """The administrator's target for a milestone on a pathway: a share of the statutory limit, or explicit days."""

    __tablename__ = "incubation_stage_targets"
    __table_args__ = (UniqueConstraint("key", "pathway", name="key_pathway"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[MilestoneKey] = mapped_column(_key_enum())
    pathway: Mapped[Pathway] = mapped_column(_enum(Pathway, "pathway"))
    percent: Mapped[int | None] = mapped_column(Integer)
    days: Mapped[int | None] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
