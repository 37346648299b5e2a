"""People and the organisations they belong to, their log-in sessions and consents."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import TimestampMixin, db, utcnow


class Role(enum.StrEnum):
    CLINICIAN = "clinician"
    EXPERT = "expert"
    ENTERPRISE = "enterprise"
    INVESTOR = "investor"
    OFFICER = "officer"
    ADMIN = "admin"
    HOSPITAL = "hospital"  # a hospital's equipment (medical engineering) office or device committee
    PROVIDER = "provider"  # a testing lab, clinical trial site, CRO or contract manufacturer (CDMO)
    REGULATOR = "regulator"  # a health commission's or medical-insurance bureau's reader


SELF_REGISTER_ROLES = (Role.CLINICIAN, Role.EXPERT, Role.ENTERPRISE, Role.INVESTOR, Role.HOSPITAL, Role.PROVIDER)
APPROVAL_ALWAYS_REQUIRED = (Role.EXPERT, Role.ENTERPRISE, Role.INVESTOR, Role.HOSPITAL, Role.PROVIDER)


class AccountStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class OrgKind(enum.StrEnum):
    HOSPITAL = "hospital"
    UNIVERSITY = "university"
    ENTERPRISE = "enterprise"
    INVESTOR = "investor"
    REGULATOR = "regulator"
    PROVIDER = "provider"
    OTHER = "other"


ROLE_ORG_KIND = {
    Role.CLINICIAN: OrgKind.HOSPITAL,
    Role.EXPERT: OrgKind.HOSPITAL,
    Role.ENTERPRISE: OrgKind.ENTERPRISE,
    Role.INVESTOR: OrgKind.INVESTOR,
    Role.OFFICER: OrgKind.REGULATOR,
    Role.ADMIN: OrgKind.REGULATOR,
    Role.HOSPITAL: OrgKind.HOSPITAL,
    Role.PROVIDER: OrgKind.PROVIDER,
    Role.REGULATOR: OrgKind.REGULATOR,
}


# Organisations that connections and share grants are given to (companies and funds): joining one that is already on
# the platform needs the approval of one of its members or an administrator. Hospitals and universities are joined
# directly: membership gives no shared material there, and the conflict-of-interest checks rely on it.
GUARDED_ORG_KINDS = (OrgKind.ENTERPRISE, OrgKind.INVESTOR)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Organization(TimestampMixin, db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrgKind] = mapped_column(_enum(OrgKind, "org_kind"))
    province: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(40), default="")

    members: Mapped[list[User]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"), index=True)
    status: Mapped[AccountStatus] = mapped_column(_enum(AccountStatus, "account_status"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    department: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(100), default="")
    locale: Mapped[str] = mapped_column(String(20), default="")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # e-mail notification kinds (core.mail) the person switched off or on; a kind not listed is on
    mail_preferences: Mapped[dict] = mapped_column(JSON, default=dict)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization | None] = relationship(back_populates="members")
    sessions: Mapped[list[LoginSession]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses log-in for inactive accounts
        return self.status in (AccountStatus.ACTIVE, AccountStatus.PENDING)

    @property
    def is_approved(self) -> bool:
        return self.status == AccountStatus.ACTIVE

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN and self.is_approved

    def has_role(self, *roles: Role) -> bool:
        return self.is_approved and self.role in roles

    @property
    def org_name(self) -> str:
        return self.organization.name if self.organization else ""

    session_token = None  # set when loaded through a login session; not a column
    joins_awaiting = None  # the same: whether someone asks to join the organisation (None: not read)

    def get_id(self) -> str | None:
        """Flask-Login keeps this in the cookie: the login session's token, never the user id."""
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(db.Model):
    """One signed-in browser. The cookie holds only its token, so deleting the row ends that session everywhere."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)  # updated at most once a minute
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(back_populates="sessions")


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105  # nosec B105 - a purpose, not a secret
    INVITATION = "invitation"


class AccountToken(db.Model):
    """A single-use, time-limited link sent by e-mail. Only the SHA-256 digest of the token is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(_enum(TokenPurpose, "token_purpose"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class JoinStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class JoinRequest(db.Model):
    """Someone registered with the exact name of an organisation already on the platform: an active member of it
    (or an administrator) decides whether they belong to it before they share its connections and grants."""

    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    status: Mapped[JoinStatus] = mapped_column(_enum(JoinStatus, "join_status"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organization: Mapped[Organization] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class LoginAttempt(db.Model):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Consent(db.Model):
    """A consent a person gave (or took back): the privacy policy at registration, or a share grant."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
