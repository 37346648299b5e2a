"""Registration, log-in, sessions, approval and password rules, testable without HTTP."""

from __future__ import annotations

import enum
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.lifecycle import Lifecycle, table
from ..core.services import N_, notify, record
from ..db import db, utcnow
from .models import (
    APPROVAL_ALWAYS_REQUIRED,
    ROLE_ORG_KIND,
    SELF_REGISTER_ROLES,
    AccountStatus,
    Consent,
    LoginAttempt,
    LoginSession,
    Organization,
    Role,
    User,
)

SELF_REGISTER = SELF_REGISTER_ROLES


class AccountError(ValueError):
    """A user-facing refusal, already translated into the request's language; `field` names the form field."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is refused, or None. Length and a blocklist only: no composition rules."""
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        return _("Password must be at least %(num)d characters long.", num=current_app.config["PASSWORD_MIN_LENGTH"])
    lowered = password.lower()
    if lowered in _common_passwords() or (email and lowered == email.lower()):
        return _("This password is too common or too easy to guess. Please choose another.")
    if len(set(password)) < 3:
        return _("This password is too common or too easy to guess. Please choose another.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def find_or_create_org(name: str, kind, province: str = "", city: str = "") -> Organization:
    name = name.strip()
    org = db.session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name, kind=kind, province=province, city=city)
        db.session.add(org)
        db.session.flush()
    return org


def approval_required(role: Role) -> bool:
    if role in APPROVAL_ALWAYS_REQUIRED:
        return True
    return role == Role.CLINICIAN and current_app.config["CLINICIAN_APPROVAL_REQUIRED"]


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(func.lower(User.email) == email.strip().lower())) is not None


def create_user(
    *, email: str, name: str, password: str, role: Role, organization: str = "", province: str = "",
    department: str = "", title: str = "", phone: str = "", status: AccountStatus | None = None,
) -> User:
    if email_taken(email):
        raise AccountError(_("An account with this e-mail address already exists."), "email")
    if problem := password_problem(password, email):
        raise AccountError(problem, "password")
    org = find_or_create_org(organization, ROLE_ORG_KIND[role], province) if organization.strip() else None
    if status is None:
        status = AccountStatus.PENDING if approval_required(role) else AccountStatus.ACTIVE
    user = User(
        email=email.strip().lower(), name=name.strip(), password_hash=hash_password(password), role=role,
        status=status, organization=org, department=department.strip(), title=title.strip(), phone=phone.strip(),
        approved_at=utcnow() if status == AccountStatus.ACTIVE else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register(*, privacy_version: str, **fields) -> User:
    user = create_user(**fields)
    db.session.add(Consent(user_id=user.id, kind="privacy_policy", version=privacy_version))
    record("account.registered", user, actor=user, role=str(user.role))
    if user.status == AccountStatus.PENDING:
        for admin in active_admins():
            notify(admin, N_("New account awaiting approval: %(name)s"), "/admin/accounts?status=pending",
                   name=user.name)
    return user


def active_admins() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.status == AccountStatus.ACTIVE)
    ))


# --- log-in and sessions ---------------------------------------------------------------------------

def _attempt_keys(email: str, ip: str) -> list[str]:
    return [f"email:{email.strip().lower()}", f"ip:{ip}"]


def login_blocked(email: str, ip: str) -> bool:
    cfg = current_app.config
    since = utcnow() - timedelta(seconds=cfg["LOGIN_WINDOW_SECONDS"])
    for key in _attempt_keys(email, ip):
        failures = db.session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.at >= since)
        )
        limit = cfg["LOGIN_MAX_FAILURES"] * (4 if key.startswith("ip:") else 1)
        if failures >= limit:
            return True
    return False


def authenticate(email: str, password: str, ip: str) -> User:
    """The user for these credentials, or AccountError. Failures count towards the rate limit."""
    if login_blocked(email, ip):
        raise AccountError(_("Too many failed log-in attempts. Please wait 15 minutes and try again."))
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not check_password_hash(user.password_hash, password):
        for key in _attempt_keys(email, ip):
            db.session.add(LoginAttempt(key=key))
        db.session.commit()
        raise AccountError(_("Incorrect e-mail address or password."))
    if not user.is_active:
        raise AccountError(_("This account is closed or suspended. Please contact the platform administrator."))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.key == _attempt_keys(email, ip)[0]))
    return user


def open_session(user: User, user_agent: str = "", ip: str = "") -> LoginSession:
    session = LoginSession(user=user, user_agent=user_agent[:200], ip=ip[:64])
    user.last_login_at = utcnow()
    db.session.add(session)
    db.session.flush()
    return session


def load_session_user(token: str) -> User | None:
    found = db.session.scalar(select(LoginSession).where(LoginSession.token == token))
    if found is None or not found.user.is_active:
        return None
    found.user.session_token = token
    return found.user


def end_session(token: str) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.token == token))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError(_("The current password is not correct."), "current")
    if problem := password_problem(new, user.email):
        raise AccountError(problem, "new")
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    record("account.password_changed", user, actor=user)


# --- approval --------------------------------------------------------------------------------------

class AccountEvent(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    CLOSED = "closed"


_A, _E = AccountStatus, AccountEvent
account_lifecycle = Lifecycle("account", AccountStatus, AccountEvent, table(
    ([_A.PENDING, _A.REJECTED], _E.APPROVED, _A.ACTIVE),
    (_A.PENDING, _E.REJECTED, _A.REJECTED),
    ([_A.ACTIVE, _A.PENDING], _E.SUSPENDED, _A.SUSPENDED),
    (_A.SUSPENDED, _E.REINSTATED, _A.ACTIVE),
    (list(AccountStatus), _E.CLOSED, _A.CLOSED),  # closing again (a retention purge) erases what is left
))


def decide_approval(user: User, approve: bool, admin: User) -> None:
    account_lifecycle.apply(user, AccountEvent.APPROVED if approve else AccountEvent.REJECTED, admin)
    user.approved_at = utcnow() if approve else None
    notify(user, N_("Your account has been approved.") if approve else N_("Your account application was not approved."),
           "/")


def set_suspended(user: User, suspended: bool, admin: User) -> None:
    account_lifecycle.apply(user, AccountEvent.SUSPENDED if suspended else AccountEvent.REINSTATED, admin)
    if suspended:
        end_all_sessions(user)
