"""The innovative-product catalogue (新优药械目录), hospitals' admission assessments (入院评估) and first purchase and
use (首购首用)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User, _enum
from ..db import TimestampMixin, db, utcnow
from ..incubation.models import Incubation


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    APPLIED = "applied"
    LISTED = "listed"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class ProductClass(enum.StrEnum):
    II = "II"
    III = "III"


class ListingPathway(enum.StrEnum):
    """How the product was registered: 创新 (special review of innovative devices), 优先 (priority), 常规."""

    INNOVATION = "innovation"
    PRIORITY = "priority"
    REGULAR = "regular"


class Listing(TimestampMixin, db.Model):
    """A company's approved product applying for, or holding, a place in the catalogue."""

    __tablename__ = "catalogue_listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    incubation_id: Mapped[int | None] = mapped_column(ForeignKey("incubations.id", ondelete="SET NULL"),
                                                      unique=True)
    name: Mapped[str] = mapped_column(String(200))
    registration_no: Mapped[str] = mapped_column(String(80), unique=True)  # 注册证号
    device_class: Mapped[ProductClass] = mapped_column(_enum(ProductClass, "product_class"))
    approved_on: Mapped[date] = mapped_column(Date)
    pathway: Mapped[ListingPathway] = mapped_column(_enum(ListingPathway, "listing_pathway"), index=True)
    specialty: Mapped[str] = mapped_column(String(100), default="")
    province: Mapped[str] = mapped_column(String(40), default="", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ListingStatus] = mapped_column(
        _enum(ListingStatus, "listing_status"), default=ListingStatus.DRAFT, index=True)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)
    listed_on: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # After listing, the company's own record of reimbursement (医保编码) and the provincial price listing (挂网).
    insurance_code: Mapped[str] = mapped_column(String(40), default="")
    insurance_coded_on: Mapped[date | None] = mapped_column(Date)
    price_listed_on: Mapped[date | None] = mapped_column(Date)

    organization: Mapped[Organization] = relationship()
    incubation: Mapped[Incubation | None] = relationship()
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="listing", order_by="Assessment.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Listing {self.id} {self.registration_no} {self.status}>"


class HospitalFunction(enum.StrEnum):
    EQUIPMENT_OFFICE = "equipment_office"  # 设备处 / 医学工程处
    DEVICE_COMMITTEE = "device_committee"  # 医疗器械管理委员会


class HospitalMember(db.Model):
    """Which part of the hospital a person of the hospital role works for."""

    __tablename__ = "catalogue_hospital_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    function: Mapped[HospitalFunction] = mapped_column(_enum(HospitalFunction, "hospital_function"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class AssessmentStatus(enum.StrEnum):
    RECEIVED = "received"
    UNDER_ASSESSMENT = "under_assessment"
    ADMITTED = "admitted"
    NOT_ADMITTED = "not_admitted"


class Assessment(TimestampMixin, db.Model):
    """One hospital's admission assessment of one listed product, timed from the hospital's receipt."""

    __tablename__ = "catalogue_assessments"
    __table_args__ = (UniqueConstraint("listing_id", "hospital_id", name="listing_hospital"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("catalogue_listings.id", ondelete="CASCADE"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    status: Mapped[AssessmentStatus] = mapped_column(
        _enum(AssessmentStatus, "assessment_status"), default=AssessmentStatus.RECEIVED, index=True)
    received_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_use_on: Mapped[date | None] = mapped_column(Date)  # 首用: the first clinical use
    reminded_on: Mapped[date | None] = mapped_column(Date)

    listing: Mapped[Listing] = relationship(back_populates="assessments")
    hospital: Mapped[Organization] = relationship()
    opinions: Mapped[list[Opinion]] = relationship(
        back_populates="assessment", order_by="Opinion.id", cascade="all, delete-orphan")
    orders: Mapped[list[PurchaseOrder]] = relationship(
        back_populates="assessment", order_by="PurchaseOrder.ordered_on", cascade="all, delete-orphan")


class Vote(enum.StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    ABSTAIN = "abstain"


class Opinion(db.Model):
    """A device-committee member's opinion on an assessment (one per member, changed in place)."""

    __tablename__ = "catalogue_opinions"
    __table_args__ = (UniqueConstraint("assessment_id", "member_id", name="assessment_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("catalogue_assessments.id", ondelete="CASCADE"),
                                               index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    vote: Mapped[Vote] = mapped_column(_enum(Vote, "committee_vote"))
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="opinions")
    member: Mapped[User] = relationship()


class PurchaseOrder(db.Model):
    """A purchase order of an admitted product; the earliest is the hospital's first purchase (首购)."""

    __tablename__ = "catalogue_purchase_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("catalogue_assessments.id", ondelete="CASCADE"),
                                               index=True)
    ordered_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # yuan; seen by few (see access.py)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="orders")
