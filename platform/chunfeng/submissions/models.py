"""Clinical innovation projects, their immutable submitted versions, attachments and status history."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User, _enum
from ..db import StoredFileMixin, TimestampMixin, db, utcnow
from .status import Status


class DeviceClass(enum.StrEnum):
    UNKNOWN = "unknown"
    I = "I"  # noqa: E741 - the NMPA class name
    II = "II"
    III = "III"


class Stage(enum.StrEnum):
    IDEA = "idea"
    DESIGN = "design"
    PROTOTYPE = "prototype"
    ANIMAL = "animal"
    CLINICAL = "clinical"


class IPStatus(enum.StrEnum):
    NONE = "none"
    FILED = "filed"
    GRANTED = "granted"


class Pathway(enum.StrEnum):
    """Regulatory routes a selected project may be recommended for (class II: the first three; class III: the last)."""

    PRE_REVIEW = "pre_review"  # 审评前置
    ZERO_SUPPLEMENT = "zero_supplement"  # 零发补
    PRIORITY = "priority"  # 优先审批
    INNOVATION = "innovation"  # 创新医疗器械特别审查


COOPERATION_MODES = ("transfer", "licensing", "codev", "funding")
PATHWAY_HOPES = (Pathway.PRE_REVIEW.value, Pathway.PRIORITY.value, Pathway.INNOVATION.value)

# Display labels of the enumerations above, for every domain's templates.
DEVICE_CLASS_LABELS = {
    DeviceClass.UNKNOWN: _l("Not yet known"),
    DeviceClass.I: _l("Class I"),
    DeviceClass.II: _l("Class II"),
    DeviceClass.III: _l("Class III"),
}
STAGE_LABELS = {
    Stage.IDEA: _l("Idea"),
    Stage.DESIGN: _l("Design"),
    Stage.PROTOTYPE: _l("Prototype"),
    Stage.ANIMAL: _l("Animal study"),
    Stage.CLINICAL: _l("Clinical study"),
}
IP_STATUS_LABELS = {
    IPStatus.NONE: _l("None yet"),
    IPStatus.FILED: _l("Patent application filed"),
    IPStatus.GRANTED: _l("Patent granted"),
}
COOPERATION_LABELS = {
    "transfer": _l("Technology transfer"),
    "licensing": _l("Licensing"),
    "codev": _l("Co-development"),
    "funding": _l("Funding"),
}
PATHWAY_LABELS = {
    Pathway.PRE_REVIEW: _l("Pre-submission review (审评前置)"),
    Pathway.ZERO_SUPPLEMENT: _l("Zero supplementary requests (零发补)"),
    Pathway.PRIORITY: _l("Priority review (优先审批)"),
    Pathway.INNOVATION: _l("Innovative device special review (创新医疗器械特别审查)"),
}

# Sections a clinician fills in; the keys are column names. Required ones are enforced on submit only.
PUBLIC_FIELDS = ("title", "public_summary", "specialty", "device_class", "stage", "cooperation")
CONFIDENTIAL_FIELDS = (
    "need_problem", "need_population", "need_outcome", "current_practice", "solution", "innovation_points",
    "target_patients", "patient_count", "device_type", "catalogue_category", "evidence", "ip_status",
    "ip_numbers", "team", "pathway_hopes",
)


class Project(TimestampMixin, db.Model):
    __tablename__ = "projects"
    # the dashboard's breakdown of submitted projects read from the index alone, not from the wide rows
    __table_args__ = (Index("ix_projects_submitted_breakdown", "specialty", "stage", "device_class", "submitted_at"),
                      # queues by status, the longest waiting first (the formal check)
                      Index("ix_projects_status_waiting", "status", "submitted_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[Status] = mapped_column(_enum(Status, "project_status"), default=Status.DRAFT, index=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    title: Mapped[str] = mapped_column(String(200), default="")
    public_summary: Mapped[str] = mapped_column(Text, default="")
    specialty: Mapped[str] = mapped_column(String(60), default="", index=True)
    need_problem: Mapped[str] = mapped_column(Text, default="")
    need_population: Mapped[str] = mapped_column(Text, default="")
    need_outcome: Mapped[str] = mapped_column(Text, default="")
    current_practice: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    innovation_points: Mapped[str] = mapped_column(Text, default="")
    target_patients: Mapped[str] = mapped_column(Text, default="")
    patient_count: Mapped[str] = mapped_column(String(100), default="")
    device_type: Mapped[str] = mapped_column(String(100), default="")
    device_class: Mapped[DeviceClass] = mapped_column(
        _enum(DeviceClass, "device_class"), default=DeviceClass.UNKNOWN, index=True)
    catalogue_category: Mapped[str] = mapped_column(String(100), default="")
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "dev_stage"), default=Stage.IDEA, index=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    ip_status: Mapped[IPStatus] = mapped_column(_enum(IPStatus, "ip_status"), default=IPStatus.NONE)
    ip_numbers: Mapped[str] = mapped_column(String(300), default="")
    team: Mapped[str] = mapped_column(Text, default="")
    cooperation: Mapped[list] = mapped_column(JSON, default=list)
    pathway_hopes: Mapped[list] = mapped_column(JSON, default=list)
    attests_no_patient_data: Mapped[bool] = mapped_column(Boolean, default=False)
    # Form sections the clinician has saved at least once: a default value (e.g. stage 'idea') only counts as an
    # answer once its section has been saved.
    saved_sections: Mapped[list] = mapped_column(JSON, default=list)

    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    owner: Mapped[User] = relationship()
    versions: Mapped[list[ProjectVersion]] = relationship(
        back_populates="project", order_by="ProjectVersion.number", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="project", order_by="Attachment.id", cascade="all, delete-orphan")
    events: Mapped[list[StatusEvent]] = relationship(
        back_populates="project", order_by="StatusEvent.id", cascade="all, delete-orphan")
    clarifications: Mapped[list[Clarification]] = relationship(
        back_populates="project", order_by="Clarification.id", cascade="all, delete-orphan")
    similarities: Mapped[list[ProjectSimilarity]] = relationship(
        foreign_keys="ProjectSimilarity.project_id", back_populates="project",
        order_by="ProjectSimilarity.score.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def latest_version(self) -> ProjectVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def latest_submission(self) -> ProjectVersion | None:
        """The latest version made by submitting (supplementary versions left out)."""
        return next((v for v in reversed(self.versions) if not v.is_supplement), None)

    @property
    def province(self) -> str:
        org = self.owner.organization
        return org.province if org else ""

    def public_text(self) -> str:
        return "\n".join([self.title, self.public_summary, self.specialty])

    def full_text(self) -> str:
        """What the matcher reads: the public summary and the problem, not the confidential solution."""
        return "\n".join([self.public_text(), self.need_problem, self.need_population, self.device_type])

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.status}>"


class VersionKind(enum.StrEnum):
    SUBMISSION = "submission"  # the clinician submitted the project (draft, returned, revision requested)
    SUPPLEMENT = "supplement"  # material added after submitting, with a reason (content["supplement"])


class ProjectVersion(db.Model):
    """An immutable snapshot made at each submission or supplement, with a SHA-256 digest and the server's
    timestamp. A supplementary version's content holds its reason (and, answering a clarification question, the
    question and the answer) under "supplement", inside the digest."""

    __tablename__ = "project_versions"
    __table_args__ = (UniqueConstraint("project_id", "number", name="project_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The project's lock_version the submit form was rendered with: a repeated POST of that form finds this
    # version again instead of making another one.
    base_lock_version: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default=VersionKind.SUBMISSION.value,
                                      server_default=VersionKind.SUBMISSION.value)

    project: Mapped[Project] = relationship(back_populates="versions")

    @property
    def is_supplement(self) -> bool:
        return self.kind == VersionKind.SUPPLEMENT

    @property
    def supplement(self) -> dict:
        """{"reason": ..., and for an answer "question", "answer"}; empty for a submission."""
        return (self.content or {}).get("supplement") or {}

    @property
    def submitter_details(self) -> dict:
        """Name and organisation of who submitted it, wherever the schema keeps them (empty once erased)."""
        content = self.content or {}
        return content.get("personal") or content.get("submitter") or {}


class Attachment(StoredFileMixin, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)

    project: Mapped[Project] = relationship(back_populates="attachments")


class Clarification(db.Model):
    """A question an assigned expert or an administrator asks the clinician during the review, blind both ways:
    the clinician sees who asked only as "reviewing expert" (A, B, ...), the expert never sees the clinician.
    Open until answered or until the end of `due_on` in the platform's zone; the answer makes a supplementary
    version (`version`)."""

    __tablename__ = "clarifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    asked_as: Mapped[str] = mapped_column(String(20))  # "expert" or "admin": how the clinician sees the asker
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id", ondelete="SET NULL"))

    project: Mapped[Project] = relationship(back_populates="clarifications")
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    version: Mapped[ProjectVersion | None] = relationship()


class StatusEvent(db.Model):
    """One status change, with who made it and why: the clinician's timeline is read from these."""

    __tablename__ = "status_events"
    # the dashboard's funnel (how far each project got, in a period) read from the index alone
    __table_args__ = (Index("ix_status_events_reached", "at", "to_status", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    event: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="events")


class ProjectSimilarity(db.Model):
    """A near-duplicate found when `project` was last submitted (the matcher's text engine; see services)."""

    __tablename__ = "project_similarities"
    __table_args__ = (UniqueConstraint("project_id", "similar_id", name="project_similar_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    similar_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    project: Mapped[Project] = relationship(foreign_keys=[project_id], back_populates="similarities")
    similar: Mapped[Project] = relationship(foreign_keys=[similar_id])
