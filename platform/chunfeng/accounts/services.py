"""Registration, log-in, sessions, approval and password rules, testable without HTTP."""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import format_timedelta
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import mail
from ..core.lifecycle import Lifecycle, table
from ..core.models import Notification
from ..core.services import N_, notify, person, record
from ..core.web import path_for
from ..db import db, utcnow
from . import throttle
from .access import may_decide_join
from .models import (
    APPROVAL_ALWAYS_REQUIRED,
    GUARDED_ORG_KINDS,
    ROLE_ORG_KIND,
    SELF_REGISTER_ROLES,
    AccountStatus,
    Consent,
    JoinRequest,
    JoinStatus,
    LoginSession,
    Organization,
    Role,
    TokenPurpose,
    User,
)

log = logging.getLogger(__name__)

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
    return find_by_email(email) is not None


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    *, email: str, name: str, password: str, role: Role, organization: str = "", province: str = "",
    department: str = "", title: str = "", phone: str = "", status: AccountStatus | None = None,
    verified: bool = True, join_existing: bool = True,
) -> User:
    """An account made by a trusted path (the operator's command, an administrator, demo data, tests) unless
    `verified` is False (self-registration that must confirm its address). With `join_existing` False an existing
    organisation of that name is not joined directly (see `register`)."""
    if email_taken(email):
        raise AccountError(_("An account with this e-mail address already exists."), "email")
    if problem := password_problem(password, email):
        raise AccountError(problem, "password")
    org = None
    if organization.strip() and (join_existing or existing_org(organization) is None):
        org = find_or_create_org(organization, ROLE_ORG_KIND[role], province)
    if status is None:
        status = AccountStatus.PENDING if approval_required(role) else AccountStatus.ACTIVE
    now = utcnow()
    user = User(
        email=email.strip().lower(), name=name.strip(), password_hash=hash_password(password), role=role,
        status=status, organization=org, department=department.strip(), title=title.strip(), phone=phone.strip(),
        approved_at=now if status == AccountStatus.ACTIVE else None, email_verified_at=now if verified else None,
        mail_preferences={},
    )
    db.session.add(user)
    db.session.flush()
    return user


def existing_org(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name.strip()))


def verification_required() -> bool:
    """New accounts confirm their e-mail address: always ("1"), never ("0"), or when mail can be sent ("auto")."""
    setting = str(current_app.config.get("EMAIL_VERIFICATION", "auto")).lower()
    if setting in ("1", "true", "yes"):
        return True
    if setting in ("0", "false", "no"):
        return False
    return bool(current_app.config.get("MAIL_SERVER"))


@dataclass
class Registration:
    """What registering produced. `user` is None when the address already had an account: the visitor is told
    nothing different (the owner gets an e-mail instead)."""

    user: User | None
    organization: str
    join_request: JoinRequest | None = None
    joins_existing: bool = False


def register(*, privacy_version: str, **fields) -> Registration:
    """Self-registration. Never reveals whether the address already has an account: for a taken address the owner
    is told by e-mail and the same answer is given. An existing company or fund (GUARDED_ORG_KINDS) is not joined
    directly: the new account asks to join it, and an active member or an administrator decides."""
    organization = fields.get("organization", "").strip()
    found = existing_org(organization) if organization else None
    joins_existing = found is not None and found.kind in GUARDED_ORG_KINDS
    owner = find_by_email(fields["email"])
    if owner is not None:
        if problem := password_problem(fields["password"], fields["email"]):
            raise AccountError(problem, "password")
        hash_password(fields["password"])  # the same work as creating an account
        from .mails import send_registration_attempt
        send_registration_attempt(owner)
        record("account.registration_attempt", owner)
        return Registration(None, organization, joins_existing=joins_existing)
    user = create_user(**fields, verified=not verification_required(), join_existing=not joins_existing)
    db.session.add(Consent(user_id=user.id, kind="privacy_policy", version=privacy_version))
    record("account.registered", user, actor=user, role=str(user.role))
    join = request_to_join(user, found) if joins_existing else None
    if user.status == AccountStatus.PENDING:
        for admin in active_admins():
            notify(admin, N_("New account awaiting approval: %(name)s"), path_for("admin.accounts", status="pending"),
                   name=person(user))
    if user.email_verified_at is None:
        from .mails import send_verification
        send_verification(user)
    return Registration(user, organization, join, joins_existing)


def active_admins() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.status == AccountStatus.ACTIVE)
    ))


def needs_verification(user: User) -> bool:
    return user.email_verified_at is None


# --- log-in and sessions ---------------------------------------------------------------------------

class LoginThrottled(AccountError):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


_DUMMY_HASHES: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash made like every account's (by the current `hash_password`), of a password nobody knows."""
    maker = hash_password
    if id(maker) not in _DUMMY_HASHES:
        _DUMMY_HASHES[id(maker)] = maker(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[id(maker)]


def verify_password(user: User | None, password: str) -> bool:
    """Check `password`; for an unknown account a dummy hash of the same scheme is checked, so both cost the same."""
    stored = user.password_hash.lstrip("!") if user is not None else _dummy_hash()
    return check_password_hash(stored, password) and user is not None and not user.password_hash.startswith("!")


def authenticate(email: str, password: str, source: str, device: str = "") -> User:
    """The user for these credentials, or AccountError. `source` is the client's address; `device` a known-device
    id the browser proved for this e-mail (see throttle). Failures slow down that pair and that source only."""
    keys = throttle.keys(email, source, device)
    if wait := throttle.wait_seconds(keys):
        raise LoginThrottled(_("Too many failed log-in attempts. Please wait %(wait)s and try again.",
                               wait=format_timedelta(timedelta(seconds=wait), threshold=1)), wait)
    user = find_by_email(email)
    if not verify_password(user, password):
        throttle.fail(keys)
        db.session.commit()
        raise AccountError(_("Incorrect e-mail address or password."))
    if not user.is_active:
        raise AccountError(_("This account is closed or suspended. Please contact the platform administrator."))
    throttle.succeed(keys)
    return user


def open_session(user: User, user_agent: str = "", ip: str = "") -> LoginSession:
    now = utcnow()
    session = LoginSession(user=user, user_agent=user_agent[:200], ip=ip[:64], created_at=now, last_seen_at=now)
    user.last_login_at = now
    db.session.add(session)
    db.session.flush()
    return session


def session_expired(found: LoginSession, now: datetime) -> bool:
    """Idle longer than SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS (0 switches a limit off)."""
    cfg = current_app.config
    last_seen = found.last_seen_at or found.created_at
    idle, lifetime = cfg["SESSION_IDLE_MINUTES"], cfg["SESSION_MAX_HOURS"]
    return bool((lifetime and now - found.created_at > timedelta(hours=lifetime))
                or (idle and now - last_seen > timedelta(minutes=idle)))


def load_session_user(token: str) -> User | None:
    """The user of a live session, with their organisation and how many of their notifications are unread (what
    every signed-in page shows, in one statement). A session idle for SESSION_IDLE_MINUTES or older than
    SESSION_MAX_HOURS ends here; `last_seen_at` is written at most once a minute, on a connection of its own (the
    request's own transaction is left alone)."""
    row = db.session.execute(_session_query(), {"token": token}).first()
    if row is None or not row[0].user.is_active:
        return None
    found = row[0]
    now = utcnow()
    if session_expired(found, now):
        _write_apart(delete(LoginSession).where(LoginSession.id == found.id))
        return None
    if found.last_seen_at is None or now - found.last_seen_at >= SEEN_EVERY:
        _write_apart(update(LoginSession).where(LoginSession.id == found.id).values(last_seen_at=now))
    found.user.session_token = token
    # the navigation's badge on pages that change nothing (main.routes.unread_notifications): read in the same
    # statement as the session
    found.user.unread_when_loaded = row[1] or 0
    # whether anyone waits for the organisation's members to decide on joining (the to-do list reads the names only
    # then: views_join.pending_for)
    found.user.joins_awaiting = bool(row[2])
    return found.user


SEEN_EVERY = timedelta(minutes=1)


@cache
def _session_query() -> Select:
    """Built once per process (every signed-in request runs it; the token is its parameter)."""
    unread = (select(func.count()).select_from(Notification)
              .where(Notification.user_id == LoginSession.user_id, Notification.read_at.is_(None)).scalar_subquery())
    organization = (select(User.organization_id).where(User.id == LoginSession.user_id)
                    .correlate(LoginSession).scalar_subquery())
    joins = (select(JoinRequest.id).where(JoinRequest.organization_id == organization,
                                          JoinRequest.status == JoinStatus.PENDING).exists())
    return (select(LoginSession, unread, joins).where(LoginSession.token == bindparam("token"))
            .options(joinedload(LoginSession.user, innerjoin=True).joinedload(User.organization)))


def _write_apart(statement) -> None:
    try:
        with db.engine.begin() as connection:
            connection.execute(statement)
    except SQLAlchemyError:
        log.warning("session bookkeeping failed", exc_info=True)


def end_session(token: str) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.token == token))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user, current):
        raise AccountError(_("The current password is not correct."), "current")
    set_password(user, new)
    record("account.password_changed", user, actor=user)


def set_password(user: User, new: str) -> None:
    """A new password ends every session of the account."""
    if problem := password_problem(new, user.email):
        raise AccountError(problem, "new")
    user.password_hash = hash_password(new)
    end_all_sessions(user)


def use_password_link(token: str, new: str) -> User:
    """Set the password through a reset or invitation link (single use); the address is thereby confirmed."""
    from . import tokens

    found = tokens.peek(token, *tokens.PASSWORD_PURPOSES)
    if found is not None and (problem := password_problem(new, found.user.email)):
        raise AccountError(problem, "new")
    user = _use(found)
    set_password(user, new)
    record("account.password_reset" if found.purpose == TokenPurpose.RESET_PASSWORD else "account.invitation_accepted",
           user, actor=user)
    return user


def confirm_email(token: str) -> User:
    from . import tokens

    user = _use(tokens.peek(token, TokenPurpose.VERIFY_EMAIL))
    record("account.email_verified", user, actor=user)
    return user


def _use(found) -> User:
    """The token's user once the token is spent (the address is confirmed by following it), or AccountError."""
    from . import tokens

    if found is None or not tokens.consume(found):
        raise AccountError(_("This link is invalid or has expired. Please ask for a new one."))
    found.user.email_verified_at = found.user.email_verified_at or utcnow()
    return found.user


def request_password_reset(email: str, source: str) -> None:
    """Send a reset link when the address has an active account; the caller answers the same either way."""
    from .mails import send_password_reset

    user = find_by_email(email)
    if throttle.mail_limited("reset", email, source):
        return
    if user is not None and user.is_active:
        send_password_reset(user)


def resend_verification(email: str, source: str) -> None:
    from .mails import send_verification

    user = find_by_email(email)
    if throttle.mail_limited("verify", email, source):
        return
    if user is not None and user.is_active and needs_verification(user):
        send_verification(user)


def invite_user(email: str, name: str, role: Role, organization: str, inviter: User) -> tuple[User, str]:
    """An administrator creates an officer's or expert's account: active and approved, without a usable password
    until the person sets one through the invitation link sent to them. Returns the user and that link (for an
    administrator to pass on when no mail server is configured)."""
    from .mails import send_invitation

    if role not in INVITABLE_ROLES:
        raise AccountError(_("Only officer and expert accounts are created by invitation."), "role")
    user = create_user(email=email, name=name, password=secrets.token_urlsafe(24), role=role,
                       organization=organization, status=AccountStatus.ACTIVE, verified=False)
    user.password_hash = "!" + user.password_hash  # never matches a password: the invitation sets one
    record("account.invited", user, actor=inviter, role=str(role))
    link = send_invitation(user, inviter)
    return user, link


INVITABLE_ROLES = (Role.OFFICER, Role.EXPERT, Role.REGULATOR)


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
           path_for("main.index"))


def set_suspended(user: User, suspended: bool, admin: User) -> None:
    account_lifecycle.apply(user, AccountEvent.SUSPENDED if suspended else AccountEvent.REINSTATED, admin)
    if suspended:
        end_all_sessions(user)


# --- joining an existing organisation --------------------------------------------------------------

class JoinEvent(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


_J = JoinStatus
join_lifecycle = Lifecycle("join_request", JoinStatus, JoinEvent, table(
    (_J.PENDING, JoinEvent.APPROVED, _J.APPROVED),
    (_J.PENDING, JoinEvent.REJECTED, _J.REJECTED),
), initial=_J.PENDING)


def active_members(org: Organization) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.organization_id == org.id, User.status == AccountStatus.ACTIVE).order_by(User.name)
    ))


def request_to_join(user: User, org: Organization) -> JoinRequest:
    """`user` asks to belong to `org`; its active members (or, when it has none, the administrators) are told."""
    join = join_lifecycle.begin(JoinRequest(user=user, organization=org))
    db.session.add(join)
    db.session.flush()
    record("join_request.requested", join, actor=user, organization=org.name)
    deciders = active_members(org) or active_admins()
    for decider in deciders:
        notify(decider, N_("%(name)s asks to join %(organization)s. Please confirm or decline."),
               path_for("accounts.join_requests"), name=person(user), organization=org.name)
    return join


def pending_join_requests(decider: User | None = None) -> list[JoinRequest]:
    """Pending requests, oldest first: every one (for an administrator's list: pass None or an administrator),
    or those of the decider's own organisation."""
    query = select(JoinRequest).where(JoinRequest.status == JoinStatus.PENDING).order_by(JoinRequest.created_at)
    if decider is not None and not decider.is_admin:
        if decider.organization_id is None:
            return []
        query = query.where(*awaiting_member(decider.organization_id, decider.id))
    return list(db.session.scalars(query))


def awaiting_member(organization_id, member_id) -> tuple:
    """Conditions of the requests a member decides: pending, to join their organisation, not their own (values or
    bound parameters)."""
    return (JoinRequest.status == JoinStatus.PENDING, JoinRequest.organization_id == organization_id,
            JoinRequest.user_id != member_id)


def decide_join(join: JoinRequest, approve: bool, decider: User) -> None:
    """Approve (the requester becomes a member) or decline; the requester is told. Flushes, the caller commits."""
    if not may_decide_join(decider, join):
        raise AccountError(_("You may not decide on this request."))
    join_lifecycle.apply(join, JoinEvent.APPROVED if approve else JoinEvent.REJECTED, decider,
                         organization=join.organization.name)
    join.decided_at, join.decided_by = utcnow(), decider
    if approve:
        join.user.organization = join.organization
    notify(join.user, N_("Your request to join %(organization)s was approved.") if approve
           else N_("Your request to join %(organization)s was declined."), path_for("accounts.profile"),
           organization=join.organization.name)


def own_join_requests(user: User) -> list[JoinRequest]:
    return list(db.session.scalars(select(JoinRequest).where(
        JoinRequest.user_id == user.id).order_by(JoinRequest.created_at.desc())))


def set_mail_preferences(user: User, chosen: dict[str, bool]) -> None:
    """Which e-mail notification kinds (core.mail.KINDS) the person receives."""
    user.mail_preferences = {kind: bool(chosen.get(kind, False)) for kind in mail.KINDS}
    record("account.mail_preferences", user, actor=user, **user.mail_preferences)
