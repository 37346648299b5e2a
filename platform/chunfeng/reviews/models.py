"""Rubrics (versioned), review rounds and their projects, expert profiles and conflicts, assignments, reviews,
decisions. Their status machines (rubric, round, assignment) are the lifecycles of lifecycles.py."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User, _enum
from ..db import TimestampMixin, db, utcnow
from ..submissions.models import Project, ProjectVersion
from ..submissions.status import Event, Status


class Bilingual:
    """Rows that keep a Chinese and an English text side by side (`name_zh`, `name_en`, ...)."""

    def text(self, field: str) -> str:
        chinese, english = getattr(self, f"{field}_zh"), getattr(self, f"{field}_en")
        if str(get_locale() or "zh").startswith("zh"):
            return chinese or english
        return english or chinese


# --- rubrics -----------------------------------------------------------------------------------------------

class RubricStatus(enum.StrEnum):
    DRAFT = "draft"  # editable; not yet usable by a round
    ACTIVE = "active"  # usable by rounds; frozen
    ARCHIVED = "archived"  # kept for the rounds and scores that point at it; not offered for new rounds


class Rubric(Bilingual, TimestampMixin, db.Model):
    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("name_zh", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("rubrics.id", ondelete="SET NULL"))
    status: Mapped[RubricStatus] = mapped_column(_enum(RubricStatus, "rubric_status"), default=RubricStatus.DRAFT)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="rubric", order_by="Criterion.position", cascade="all, delete-orphan")
    gates: Mapped[list[Gate]] = relationship(
        back_populates="rubric", order_by="Gate.position", cascade="all, delete-orphan")
    parent: Mapped[Rubric | None] = relationship(remote_side=[id])

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.criteria)

    @property
    def weights(self) -> dict[str, float]:
        return {c.key: c.weight for c in self.criteria}

    @property
    def gate_names(self) -> dict[str, str]:
        return {g.key: g.text("name") for g in self.gates}

    def __repr__(self) -> str:
        return f"<Rubric {self.name_zh} v{self.version} {self.status}>"


class Criterion(Bilingual, db.Model):
    """One scored criterion: a 1-5 scale with anchors at 1, 3 and 5, and its weight in points."""

    __tablename__ = "rubric_criteria"
    __table_args__ = (UniqueConstraint("rubric_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    anchor_1_zh: Mapped[str] = mapped_column(Text, default="")
    anchor_1_en: Mapped[str] = mapped_column(Text, default="")
    anchor_3_zh: Mapped[str] = mapped_column(Text, default="")
    anchor_3_en: Mapped[str] = mapped_column(Text, default="")
    anchor_5_zh: Mapped[str] = mapped_column(Text, default="")
    anchor_5_en: Mapped[str] = mapped_column(Text, default="")

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")

    def anchor(self, score: int) -> str:
        return self.text(f"anchor_{score}") if score in (1, 3, 5) else ""


class Gate(Bilingual, db.Model):
    """A yes/no condition: any 'no' blocks a recommendation whatever the score."""

    __tablename__ = "rubric_gates"
    __table_args__ = (UniqueConstraint("rubric_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    rubric: Mapped[Rubric] = relationship(back_populates="gates")


# --- rounds ------------------------------------------------------------------------------------------------

class RoundStatus(enum.StrEnum):
    DRAFT = "draft"  # being set up
    OPEN = "open"  # projects enter (formal check), experts are invited and review
    REVIEWING = "reviewing"  # no new projects; reviews continue
    DECIDED = "decided"  # the panel has met; decisions are being finalised
    PUBLISHED = "published"  # results are public (later decisions, e.g. after a revision, publish again)


ROUND_STATUS_LABELS = {
    RoundStatus.DRAFT: _l("Being set up"),
    RoundStatus.OPEN: _l("Open for submissions"),
    RoundStatus.REVIEWING: _l("Intake closed, reviewing"),
    RoundStatus.DECIDED: _l("Panel decided"),
    RoundStatus.PUBLISHED: _l("Results published"),
}


class ReviewRound(TimestampMixin, db.Model):
    """A batch of review, e.g. 2026年春季批次, tied to one rubric version."""

    __tablename__ = "review_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    review_deadline: Mapped[date] = mapped_column(Date)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"), index=True)
    experts_per_project: Mapped[int] = mapped_column(Integer, default=3)
    band_priority: Mapped[float] = mapped_column(Float, default=80.0)
    band_selected: Mapped[float] = mapped_column(Float, default=60.0)
    disagreement_sd: Mapped[float] = mapped_column(Float, default=15.0)
    disagreement_range: Mapped[int] = mapped_column(Integer, default=3)
    calibration_min_reviews: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[RoundStatus] = mapped_column(
        _enum(RoundStatus, "round_status"), default=RoundStatus.DRAFT, index=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    rubric: Mapped[Rubric] = relationship()
    entries: Mapped[list[RoundEntry]] = relationship(
        back_populates="round", order_by="RoundEntry.id", cascade="all, delete-orphan")

    @property
    def accepts_projects(self) -> bool:
        """Projects may still enter: the round is being set up or open."""
        return self.status in (RoundStatus.DRAFT, RoundStatus.OPEN)

    @property
    def status_label(self):
        return ROUND_STATUS_LABELS[self.status]

    def __repr__(self) -> str:
        return f"<ReviewRound {self.name} {self.status}>"


class RoundEntry(db.Model):
    """A project in a round, with the version currently under review (a resubmission moves it forward)."""

    __tablename__ = "round_entries"
    __table_args__ = (UniqueConstraint("round_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[ReviewRound] = relationship(back_populates="entries")
    project: Mapped[Project] = relationship()
    version: Mapped[ProjectVersion | None] = relationship()


# --- experts -----------------------------------------------------------------------------------------------

DEFAULT_MAX_LOAD = 10


class ExpertProfile(TimestampMixin, db.Model):
    __tablename__ = "expert_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    specialties: Mapped[str] = mapped_column(String(300), default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    max_load_per_round: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_LOAD)
    bio: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()

    @classmethod
    def blank(cls, user: User) -> ExpertProfile:
        """An unsaved profile with the defaults, for experts who have not filled theirs in."""
        return cls(user=user, user_id=user.id, specialties="", keywords="", bio="",
                   max_load_per_round=DEFAULT_MAX_LOAD)

    def expertise_text(self) -> str:
        """What the assignment affinity reads: specialties, keywords, department and biography."""
        return "\n".join(part or "" for part in (self.specialties, self.keywords, self.user.department, self.bio))


class DeclaredConflict(db.Model):
    """A conflict an expert declared: with an organisation (by record or by name) or with one project."""

    __tablename__ = "declared_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    organization_name: Mapped[str] = mapped_column(String(200), default="")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organization: Mapped[Organization | None] = relationship()


# --- assignments and reviews ----------------------------------------------------------------------------

class AssignmentStatus(enum.StrEnum):
    PROPOSED = "proposed"  # seen by administrators only, until sent
    INVITED = "invited"
    ACCEPTED = "accepted"  # the expert declared no conflict: the form is open
    DECLINED = "declined"
    SUBMITTED = "submitted"  # the review is locked
    CANCELLED = "cancelled"  # withdrawn by an administrator after it was sent


A = AssignmentStatus
ACTIVE_ASSIGNMENT = frozenset({A.PROPOSED, A.INVITED, A.ACCEPTED, A.SUBMITTED})  # counts towards load
PENDING_FOR_EXPERT = frozenset({A.INVITED, A.ACCEPTED})

ASSIGNMENT_STATUS_LABELS = {
    A.PROPOSED: _l("Proposed (not sent)"),
    A.INVITED: _l("Invited"),
    A.ACCEPTED: _l("Accepted, in progress"),
    A.DECLINED: _l("Invitation declined"),
    A.SUBMITTED: _l("Submitted"),
    A.CANCELLED: _l("Cancelled"),
}


class DeclineReason(enum.StrEnum):
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"
    OUTSIDE_EXPERTISE = "outside_expertise"
    OTHER = "other"


DECLINE_REASON_LABELS = {
    DeclineReason.CONFLICT: _l("Conflict of interest"),
    DeclineReason.UNAVAILABLE: _l("Not available before the deadline"),
    DeclineReason.OUTSIDE_EXPERTISE: _l("Outside my expertise"),
    DeclineReason.OTHER: _l("Other reason"),
}


class Assignment(TimestampMixin, db.Model):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("round_id", "project_id", "expert_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id", ondelete="SET NULL"))
    status: Mapped[AssignmentStatus] = mapped_column(
        _enum(AssignmentStatus, "assignment_status"), default=AssignmentStatus.PROPOSED, index=True)
    affinity: Mapped[float] = mapped_column(Float, default=0.0)
    affinity_terms: Mapped[list] = mapped_column(JSON, default=list)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime | None] = mapped_column(DateTime)
    no_conflict_declared_at: Mapped[datetime | None] = mapped_column(DateTime)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    decline_reason: Mapped[str] = mapped_column(String(30), default="")
    decline_note: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    last_reminded_on: Mapped[date | None] = mapped_column(Date)

    round: Mapped[ReviewRound] = relationship()
    project: Mapped[Project] = relationship()
    expert: Mapped[User] = relationship(foreign_keys=[expert_id])
    version: Mapped[ProjectVersion | None] = relationship()
    review: Mapped[Review | None] = relationship(back_populates="assignment", cascade="all, delete-orphan",
                                                 uselist=False)

    @property
    def due_date(self) -> date:
        return self.due_on or self.round.review_deadline

    @property
    def shown(self) -> tuple:
        """What the expert's list shows of the assignment."""
        return (self.id, self.status.value, self.due_date, self.project.title, self.project.specialty,
                self.round.name)

    @property
    def project_under_review(self) -> bool:
        """False once the project was decided or withdrawn: an unfinished review is then no longer needed."""
        return self.project.status == Status.UNDER_REVIEW

    @property
    def status_label(self):
        return ASSIGNMENT_STATUS_LABELS[self.status]

    @property
    def decline_reason_label(self):
        return DECLINE_REASON_LABELS.get(self.decline_reason, self.decline_reason)

    def __repr__(self) -> str:
        return f"<Assignment {self.id} p{self.project_id} e{self.expert_id} {self.status}>"


class Review(TimestampMixin, db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("review_assignments.id", ondelete="CASCADE"),
                                               unique=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    overall: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[int | None] = mapped_column(Integer)
    comment_panel: Mapped[str] = mapped_column(Text, default="")
    comment_submitter: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    total: Mapped[float | None] = mapped_column(Float)  # weighted total 0-100, stored when submitted or revised

    assignment: Mapped[Assignment] = relationship(back_populates="review")
    rubric: Mapped[Rubric] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(back_populates="review", cascade="all, delete-orphan")
    gate_answers: Mapped[list[GateAnswer]] = relationship(back_populates="review", cascade="all, delete-orphan")

    def score_by_key(self) -> dict[str, int]:
        return {s.criterion.key: s.value for s in self.scores}

    def gates_by_key(self) -> dict[str, bool]:
        return {g.gate.key: g.passed for g in self.gate_answers}


class ReviewScore(db.Model):
    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criteria.id"))
    value: Mapped[int] = mapped_column(Integer)

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class GateAnswer(db.Model):
    __tablename__ = "review_gate_answers"
    __table_args__ = (UniqueConstraint("review_id", "gate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    gate_id: Mapped[int] = mapped_column(ForeignKey("rubric_gates.id"))
    passed: Mapped[bool] = mapped_column(Boolean)

    review: Mapped[Review] = relationship(back_populates="gate_answers")
    gate: Mapped[Gate] = relationship()


# --- decisions ---------------------------------------------------------------------------------------------

class Outcome(enum.StrEnum):
    SELECTED_PRIORITY = "selected_priority"
    SELECTED = "selected"
    REVISION_REQUESTED = "revision_requested"
    NOT_SELECTED = "not_selected"


OUTCOME_EVENTS = {
    Outcome.SELECTED_PRIORITY: Event.DECIDE_PRIORITY,
    Outcome.SELECTED: Event.DECIDE_SELECTED,
    Outcome.REVISION_REQUESTED: Event.REQUEST_REVISION,
    Outcome.NOT_SELECTED: Event.DECIDE_NOT_SELECTED,
}
OUTCOME_STATUS = {
    Outcome.SELECTED_PRIORITY: Status.SELECTED_PRIORITY,
    Outcome.SELECTED: Status.SELECTED,
    Outcome.REVISION_REQUESTED: Status.REVISION_REQUESTED,
    Outcome.NOT_SELECTED: Status.NOT_SELECTED,
}
SELECTED_OUTCOMES = frozenset({Outcome.SELECTED_PRIORITY, Outcome.SELECTED})
FINAL_OUTCOMES = frozenset({Outcome.SELECTED_PRIORITY, Outcome.SELECTED, Outcome.NOT_SELECTED})

OUTCOME_LABELS = {
    Outcome.SELECTED_PRIORITY: _l("Priority incubation recommended"),
    Outcome.SELECTED: _l("Incubation recommended"),
    Outcome.REVISION_REQUESTED: _l("Revision requested, then reviewed again"),
    Outcome.NOT_SELECTED: _l("Not selected this time"),
}


class Decision(db.Model):
    """The administrators' decision on a project in a round; the last one counts (a revision adds another)."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id", ondelete="SET NULL"))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, "decision_outcome"))
    recommended_pathway: Mapped[list] = mapped_column(JSON, default=list)  # submissions.models.Pathway values
    suggested_outcome: Mapped[str] = mapped_column(String(30), default="")
    suggested_pathway: Mapped[list] = mapped_column(JSON, default=list)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    comment_to_clinician: Mapped[str] = mapped_column("comment_to_doctor", Text, default="")  # column name kept
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # the aggregate the decision was taken on
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    round: Mapped[ReviewRound] = relationship()
    project: Mapped[Project] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def outcome_label(self):
        return OUTCOME_LABELS[self.outcome]

    @property
    def is_final(self) -> bool:
        return self.outcome in FINAL_OUTCOMES


# The panel's stored figures and deliberation live beside (reviews/models_panel.py): import them with the models.
from .models_panel import (  # noqa: E402, F401
    DiscussionMessage,
    LeadResponse,
    LeadReview,
    PanelFigures,
    ReviewBid,
    ReviewQuality,
    ReviewRevision,
)
