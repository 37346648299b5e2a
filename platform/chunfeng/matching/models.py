"""Enterprise and investor profiles, stored matches, saved projects, connections (对接) and share grants."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Consent, Organization, User, _enum
from ..db import TimestampMixin, db, utcnow
from ..submissions.models import Project


class ProfileKind(enum.StrEnum):
    ENTERPRISE = "enterprise"
    INVESTOR = "investor"


class ProfileStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class OrgProfile(TimestampMixin, db.Model):
    """What an enterprise makes and can do, or what an investor funds: the text the matcher reads."""

    __tablename__ = "org_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[ProfileKind] = mapped_column(_enum(ProfileKind, "profile_kind"))
    status: Mapped[ProfileStatus] = mapped_column(
        _enum(ProfileStatus, "profile_status"), default=ProfileStatus.PENDING, index=True
    )

    business_scope: Mapped[str] = mapped_column(Text, default="")
    product_lines: Mapped[str] = mapped_column(Text, default="")
    registered_products: Mapped[str] = mapped_column(Text, default="")
    rd_capability: Mapped[str] = mapped_column(Text, default="")
    manufacturing_capability: Mapped[str] = mapped_column(Text, default="")
    registration_experience: Mapped[list] = mapped_column(
        JSON, default=list
    )  # device classes, e.g. ["II", "III"]
    region: Mapped[str] = mapped_column(String(40), default="")  # province
    cooperation_modes: Mapped[list] = mapped_column(
        JSON, default=list
    )  # submissions.models.COOPERATION_MODES

    focus_areas: Mapped[str] = mapped_column(Text, default="")
    stages: Mapped[list] = mapped_column(JSON, default=list)  # submissions.models.Stage values
    ticket_min: Mapped[int | None] = mapped_column(Integer)  # 万元
    ticket_max: Mapped[int | None] = mapped_column(Integer)  # 万元

    review_note: Mapped[str] = mapped_column(Text, default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship()

    @property
    def is_investor(self) -> bool:
        return self.kind == ProfileKind.INVESTOR

    @property
    def is_approved(self) -> bool:
        return self.status == ProfileStatus.APPROVED

    def match_text(self) -> str:
        """What the matcher reads: scope, products and capabilities, or an investor's focus areas."""
        return "\n".join(
            [
                self.organization.name,
                self.business_scope,
                self.product_lines,
                self.registered_products,
                self.rd_capability,
                self.focus_areas,
            ]
        )


class MatchResult(db.Model):
    """A stored suggestion: a project in an organisation's top k, or the organisation in the project's."""

    __tablename__ = "match_results"
    __table_args__ = (
        UniqueConstraint("project_id", "organization_id", name="pair"),
        Index("ix_match_results_org_rank", "organization_id", "rank_for_org"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    rank_for_project: Mapped[int | None] = mapped_column(
        Integer
    )  # 1 = best; None: not in the project's top k
    rank_for_org: Mapped[int | None] = mapped_column(
        Integer
    )  # 1 = best; None: not in the organisation's top k
    reasons: Mapped[dict] = mapped_column(
        JSON, default=dict
    )  # {"terms": [...], "signals": ["region:广东省", ...]}
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # when the row last changed

    project: Mapped[Project] = relationship()
    organization: Mapped[Organization] = relationship()

    @property
    def terms(self) -> list[str]:
        """Shared terms found in the project's public text: what anyone who may see the match may read."""
        return list(self.reasons.get("terms", []))

    def labelled(self, full: bool = False) -> list[tuple[str, str]]:
        """(term, profile field) pairs: from the public text, or with `full` from every indexed section of the
        project (for the clinician, administrators and a company the clinician shared the project with)."""
        return [tuple(pair) for pair in self.reasons.get("full" if full else "labelled", [])]

    @property
    def signals(self) -> list[str]:
        return list(self.reasons.get("signals", []))


class SavedProject(db.Model):
    """A project an organisation keeps on its shortlist (shared by its colleagues)."""

    __tablename__ = "saved_projects"
    __table_args__ = (UniqueConstraint("organization_id", "project_id", name="org_project"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ConnectionStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class ConnectionStage(enum.StrEnum):
    CONTACT = "contact"
    MEETING = "meeting"
    NDA = "nda"
    AGREEMENT = "agreement"
    INCUBATION = "incubation"


STAGE_ORDER = tuple(ConnectionStage)
OPEN_CONNECTION = (ConnectionStatus.REQUESTED, ConnectionStatus.ACCEPTED)


def _partial_unique(name: str, condition: str) -> Index:
    """A unique index over (project, organisation) for the rows meeting `condition`, on SQLite and PostgreSQL."""
    where = text(condition)
    return Index(name, "project_id", "organization_id", unique=True, sqlite_where=where, postgresql_where=where)


class ConnectionSide(enum.StrEnum):
    """The two sides of a connection: the clinician who owns the project and the organisation."""

    CLINICIAN = "clinician"
    COMPANY = "company"


class Connection(db.Model):
    """A company's request to work with a clinician on a project (对接), or the clinician's invitation to a
    suggested company (`invited`), and the relationship that follows."""

    __tablename__ = "connections"
    # One open connection per project and organisation, however many requests arrive at once.
    __table_args__ = (
        _partial_unique("uq_connections_open_pair", f"status IN ({', '.join(repr(str(s)) for s in OPEN_CONNECTION)})"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)  # the company's reason, or the clinician's invitation message
    invited: Mapped[bool] = mapped_column(Boolean, default=False)  # the clinician asked first; the company answers
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ConnectionStatus] = mapped_column(
        _enum(ConnectionStatus, "connection_status"), default=ConnectionStatus.REQUESTED, index=True
    )
    stage: Mapped[ConnectionStage] = mapped_column(
        _enum(ConnectionStage, "connection_stage"), default=ConnectionStage.CONTACT
    )
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    project: Mapped[Project] = relationship()
    organization: Mapped[Organization] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    events: Mapped[list[ConnectionEvent]] = relationship(
        back_populates="connection",
        order_by=lambda: (ConnectionEvent.happened_on, ConnectionEvent.id),
        cascade="all, delete-orphan",
    )
    messages: Mapped[list[ConnectionMessage]] = relationship(
        back_populates="connection",
        order_by=lambda: (ConnectionMessage.created_at, ConnectionMessage.id),
        cascade="all, delete-orphan",
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CONNECTION

    @property
    def asking_side(self) -> ConnectionSide:
        """Who asked first (and may withdraw while unanswered); the other side answers."""
        return ConnectionSide.CLINICIAN if self.invited else ConnectionSide.COMPANY

    @property
    def company_contact(self) -> User | None:
        """The organisation's contact person: the member who asked, or for an invitation the one who accepted."""
        return self.answered_by if self.invited else self.requested_by


class ConnectionEvent(db.Model):
    """One entry of the timeline both sides of a connection share."""

    __tablename__ = "connection_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # see connections.EVENT_KINDS and SYSTEM_EVENTS
    happened_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    connection: Mapped[Connection] = relationship(back_populates="events")
    author: Mapped[User | None] = relationship()


class ConnectionMessage(db.Model):
    """A message one side of a connection writes to the other."""

    __tablename__ = "connection_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[ConnectionSide] = mapped_column(_enum(ConnectionSide, "connection_side"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    connection: Mapped[Connection] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class ShareGrant(db.Model):
    """The clinician's consent that one organisation may see a project's confidential details and contact."""

    __tablename__ = "share_grants"
    # One active grant per project and organisation: withdrawing it takes the access away entirely.
    __table_args__ = (_partial_unique("uq_share_grants_active_pair", "revoked_at IS NULL"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connections.id", ondelete="SET NULL"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id", ondelete="SET NULL"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    project: Mapped[Project] = relationship()
    organization: Mapped[Organization] = relationship()
    consent: Mapped[Consent | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class MatchIndexVersion(db.Model):
    """One fitted match index (vocabulary, both sides' documents and embeddings) that every worker loads."""

    __tablename__ = "match_index"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    fitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    profiles: Mapped[int] = mapped_column(Integer, default=0)  # owners on each side at the fit
    projects: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    terms: Mapped[int] = mapped_column(Integer, default=0)
    fit_ms: Mapped[int] = mapped_column(Integer, default=0)
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class MatchDocument(db.Model):
    """One document the matcher reads: a profile field or a project section, with its embedding.

    Written when the text changes (the digest tells); an empty text marks a document that left the index. Workers
    apply the documents changed since their index was fitted, so none of them refits to see a change."""

    __tablename__ = "match_documents"
    __table_args__ = (
        UniqueConstraint("side", "owner_id", "field", name="side_owner_field"),
        Index("ix_match_documents_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    side: Mapped[str] = mapped_column(String(10))  # "profiles" (organisation ids) | "projects" (project ids)
    owner_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    digest: Mapped[str] = mapped_column(String(64), default="")
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float16, computed when the text changes
    embedder: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
