"""The panel's stored figures and its deliberation: each project version's aggregate as of the last review change,
earlier scores of a review revised during the discussion, the discussion thread per project, the lead reviewer
(主审) with the meta-review and the other reviewers' answers to it; and the experts' bids on a round's projects
before assignment, and the administrators' ratings of reviews' quality. Imported by models.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import db, utcnow


class PanelFigures(db.Model):
    """The aggregate of one project version's submitted reviews in a round (weighted totals 0-100), written when a
    review is submitted, reopened or revised and when the round's thresholds change (reviews/figures.py), so the
    round page reads a row per project instead of every score."""

    __tablename__ = "review_figures"
    __table_args__ = (UniqueConstraint("round_id", "project_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id", ondelete="SET NULL"))
    n: Mapped[int] = mapped_column(Integer, default=0)
    mean: Mapped[float | None] = mapped_column(Float)
    median: Mapped[float | None] = mapped_column(Float)
    sd: Mapped[float | None] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    gates_failed: Mapped[dict] = mapped_column(JSON, default=dict)  # gate key -> number of "no"
    disagreement: Mapped[list] = mapped_column(JSON, default=list)  # "total" and/or criterion keys
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewRevision(db.Model):
    """A review as it stood before its expert revised it during the panel's discussion (the history shown)."""

    __tablename__ = "review_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # criterion key -> 1..5
    gates: Mapped[dict] = mapped_column(JSON, default=dict)  # gate key -> passed
    overall: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[float | None] = mapped_column(Float)
    comment_panel: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)  # when that version was submitted
    revised_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # when it was replaced
    reason: Mapped[str] = mapped_column(Text, default="")


class DiscussionMessage(db.Model):
    """One message of the panel's discussion of a project in a round (its reviewers and the administrators)."""

    __tablename__ = "review_discussion"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    author: Mapped[User | None] = relationship()


class LeadReview(db.Model):
    """The lead reviewer (主审) of a project in a round, designated by an administrator among its experts, and the
    meta-review they write to sum up the panel."""

    __tablename__ = "review_leads"
    __table_args__ = (UniqueConstraint("round_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    designated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_at: Mapped[datetime | None] = mapped_column(DateTime)  # last written; None until written

    expert: Mapped[User] = relationship(foreign_keys=[expert_id])
    responses: Mapped[list[LeadResponse]] = relationship(
        back_populates="lead", order_by="LeadResponse.id", cascade="all, delete-orphan")


class LeadResponse(db.Model):
    """Another reviewer's answer to the meta-review: agrees, or records a disagreement with a note."""

    __tablename__ = "review_lead_responses"
    __table_args__ = (UniqueConstraint("lead_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("review_leads.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    agrees: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    summary_at: Mapped[datetime | None] = mapped_column(DateTime)  # the meta-review's version answered
    responded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lead: Mapped[LeadReview] = relationship(back_populates="responses")


class ReviewBid(db.Model):
    """An expert's wish about reviewing one project of a round, given on its blind summary before assignment:
    reviews.bids.BIDS (eager 想评, willing 可以, cannot 不能)."""

    __tablename__ = "review_bids"
    __table_args__ = (UniqueConstraint("round_id", "project_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    bid: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewQuality(db.Model):
    """An administrator's rating of a submitted review's quality (reviews/quality.py), seen by administrators."""

    __tablename__ = "review_quality"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[int] = mapped_column(Integer)  # 1 insufficient .. 3 helpful
    note: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
