"""Personal information rights and retention (PIPL): export my data, close my account, purge what expired.

Other domains extend the export and the erasure without this module knowing them: in their own setup they
connect a receiver(sender, user) to `hooks.personal_data_export` (returning {"my_domain": [...]}) or to
`hooks.personal_data_erase` (runs before the account itself is pseudonymised).

Besides the domains' parts, the export walks every table with a foreign key to users.id, so nothing a person
authored is left out even before its domain registers an exporter: whole rows where the person is the owner,
author or subject, and only a reference (table, id, column) where they acted on someone else's record. Content
reached only indirectly (e.g. a review, which points at an assignment) needs the domain's own exporter.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts import tokens
from ..accounts.models import AccountStatus, AccountToken, Consent, LoginAttempt, LoginSession, Role, User
from ..accounts.services import AccountError, AccountEvent, account_lifecycle, end_all_sessions, verify_password
from ..core import hooks
from ..core.models import AuditEntry, Notification
from ..core.services import notification_texts, record
from ..db import db, utcnow
from ..submissions.models import Attachment, Project
from ..submissions.status import Status
from .rows import foreign_key_rule, referencing_columns, row_to_dict, to_json
from .services import get_setting

EXPORT_FORMAT = "chunfeng-personal-data/1"
# Tables the accounts part below already exports in a readable form; the generic walk skips them.
EXPORTED_BY_ACCOUNTS = frozenset({"users", "consents", "notifications", "login_sessions", "login_attempts",
                                  "audit_log"})
# Columns that are secrets, not personal data: never exported.
SECRET_COLUMNS = frozenset({"password_hash", "token", "secret", "api_key"})
LOGIN_ATTEMPT_DAYS = 1


# --- export ----------------------------------------------------------------------------------------------

def export_user_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about `user`, as JSON-ready data (PIPL Art. 45)."""
    data: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": to_json(utcnow()), "user_id": user.id}
    data.update(_account_part(user))
    for part in hooks.collect(hooks.personal_data_export, user=user):
        data.update(part)
    data["records"], data["actions"] = authored_rows(user), acted_on_rows(user)
    return data


def _is_action_column(column) -> bool:
    """`decided_by_id`, `hidden_by_id`, `actor_id`...: the person acted on a record that is someone else's or
    the programme's; the export names the record, without its content (which may be another person's data)."""
    return column.name.endswith("_by_id") or column.name == "actor_id"


def _links(table, actions: bool) -> list:
    return [c for c in referencing_columns("users") if c.table is table and _is_action_column(c) == actions]


def authored_rows(user: User) -> dict[str, list[dict]]:
    """Whole rows of every table whose owner, author or subject is the user (owner_id, author_id, user_id...)."""
    found: dict[str, list[dict]] = {}
    for table in db.metadata.sorted_tables:
        links = _links(table, actions=False)
        if table.name in EXPORTED_BY_ACCOUNTS or not links:
            continue
        if rows := _rows(table, or_(*(link == user.id for link in links))):
            found[table.name] = rows
    return found


def acted_on_rows(user: User) -> list[dict[str, Any]]:
    """Which records the user acted on (decided, approved, answered, hid...): table, id and role only."""
    found = []
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if table.name in EXPORTED_BY_ACCOUNTS or len(keys) != 1:
            continue
        for link in _links(table, actions=True):
            ids = db.session.scalars(select(keys[0]).where(link == user.id).order_by(keys[0]))
            found += [{"table": table.name, "id": to_json(key), "as": link.name} for key in ids]
    return found


def _rows(table, *criteria) -> list[dict]:
    result = db.session.execute(select(table).where(*criteria).order_by(*table.primary_key.columns))
    return [row_to_dict(table, row, SECRET_COLUMNS) for row in result]


def _account_part(user: User) -> dict[str, Any]:
    org = user.organization
    notes = list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))
    return {
        "profile": _rows(User.__table__, User.id == user.id)[0],
        "organization": None if org is None else {
            "name": org.name, "kind": to_json(org.kind), "province": org.province, "city": org.city},
        "consents": _rows(Consent.__table__, Consent.user_id == user.id),
        "notifications": [{"created_at": to_json(n.created_at), "text": text, "link": n.link,
                           "read_at": to_json(n.read_at)}
                          for n, text in zip(notes, notification_texts(notes), strict=True)],
        "login_sessions": _rows(LoginSession.__table__, LoginSession.user_id == user.id),
        "activity": [{"at": to_json(at), "action": action, "object_type": kind, "object_id": key}
                     for at, action, kind, key in db.session.execute(
                         select(AuditEntry.at, AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id)
                         .where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id))],
    }


# --- closing an account ----------------------------------------------------------------------------------

def pseudonym(user_id: int) -> str:
    return f"已注销用户 #{user_id}"


def close_own_account(user: User, password: str) -> None:
    """The person closes their account (PIPL Art. 47), confirming with their password."""
    if not verify_password(user, password):
        raise AccountError(_("The password is not correct."), "password")
    if user.role == Role.ADMIN and _is_last_admin(user):
        raise AccountError(_("You are the only administrator. Create another administrator before closing "
                             "this account."), "password")
    erase_account(user, actor=user)


def _is_last_admin(user: User) -> bool:
    others = select(func.count(User.id)).where(
        User.role == Role.ADMIN, User.status == AccountStatus.ACTIVE, User.id != user.id)
    return db.session.scalar(others) == 0


def erase_account(user: User, actor: User | None) -> None:
    """Close the account: registered erasers run, then the person's data are pseudonymised. The audit log and
    submitted projects stay for the record; they point at the id, which now names nobody."""
    hooks.personal_data_erase.send(None, user=user)
    _erase_account_records(user)
    _pseudonymise(user)
    account_lifecycle.apply(user, AccountEvent.CLOSED, actor)
    user.closed_at = user.closed_at or utcnow()


def _pseudonymise(user: User) -> None:
    user.name = pseudonym(user.id)
    user.email = f"closed-{user.id}@invalid"
    user.phone = user.department = user.title = user.locale = ""
    user.password_hash = f"!closed:{secrets.token_hex(16)}"  # no '$': never matches any password
    user.last_login_at = None


def _is_pseudonymised(user: User) -> bool:
    return user.name == pseudonym(user.id) and user.email == f"closed-{user.id}@invalid"


def _erase_account_records(user: User) -> None:
    end_all_sessions(user)
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(update(Consent).where(Consent.user_id == user.id, Consent.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    drafts = select(Project.id).where(Project.owner_id == user.id, Project.status == Status.DRAFT,
                                      Project.submitted_at.is_(None))
    delete_projects(list(db.session.scalars(drafts)))


# --- deleting projects with their files ------------------------------------------------------------------

def delete_projects(project_ids: list[int]) -> int:
    """Delete projects with their versions, history, attachments and files. A project another domain still
    refers to without a delete rule (e.g. a review) is kept. Returns how many were deleted."""
    deleted = 0
    for project_id in project_ids:
        files = list(db.session.scalars(
            select(Attachment.stored_name).where(Attachment.project_id == project_id)))
        try:
            with db.session.begin_nested():
                _delete_rows_referencing("projects", project_id)
                db.session.execute(delete(Project).where(Project.id == project_id))
        except (StillReferenced, IntegrityError):
            continue
        deleted += 1
        for name in files:
            attachment_path(name).unlink(missing_ok=True)
    db.session.expire_all()
    return deleted


def attachment_path(stored_name: str) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / Path(stored_name).name


class StillReferenced(Exception):
    """Another record refers to the row without a delete rule, so the row must stay."""


def _delete_rows_referencing(table_name: str, key: int) -> None:
    """Apply the foreign keys' delete rules explicitly (SQLite does not enforce them)."""
    for column in referencing_columns(table_name):
        table, rule = column.table, foreign_key_rule(column).upper()
        if rule == "CASCADE":
            db.session.execute(delete(table).where(column == key))
        elif rule == "SET NULL":
            db.session.execute(update(table).where(column == key).values({column.name: None}))
        elif db.session.scalar(select(exists().where(column == key))):
            raise StillReferenced(f"{table.name}.{column.name} refers to {table_name} {key}")


# --- retention -------------------------------------------------------------------------------------------

def purge_expired(dry_run: bool = False) -> dict[str, int]:
    """Erase what is past retention; returns how many of each kind (what would go, with dry_run)."""
    now = utcnow()
    cutoff = now - timedelta(days=get_setting("retention_days"))
    counts = {
        "closed_accounts": _purge_closed_accounts(cutoff, dry_run),
        "rejected_applications": _purge_rejected_applications(cutoff, dry_run),
        "abandoned_projects": _purge_abandoned_projects(cutoff, dry_run),
        "read_notifications": _delete_where(
            Notification, Notification.read_at.is_not(None), Notification.created_at < cutoff,
            dry_run=dry_run),
        "login_attempts": _delete_where(
            LoginAttempt, LoginAttempt.at < now - timedelta(days=LOGIN_ATTEMPT_DAYS), dry_run=dry_run),
        "expired_links": _count_or_purge_links(now, dry_run),
        "login_sessions": _delete_where(
            LoginSession, LoginSession.created_at < now - timedelta(days=get_setting("session_days")),
            dry_run=dry_run),
    }
    if not dry_run:
        record("privacy.purged", None, **counts)
    return counts


def _count_or_purge_links(now, dry_run: bool) -> int:
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(AccountToken).where(AccountToken.expires_at < now))
    return tokens.purge(now)


def _delete_where(model, *criteria, dry_run: bool) -> int:
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(model).where(*criteria))
    return db.session.execute(delete(model).where(*criteria)).rowcount


def _purge_closed_accounts(cutoff, dry_run: bool) -> int:
    """Closed long enough ago: drop the consent records and re-pseudonymise anything left."""
    has_consents = exists().where(Consent.user_id == User.id)
    expired = select(User).where(User.status == AccountStatus.CLOSED, User.closed_at < cutoff,
                                 or_(has_consents, User.email.not_like("closed-%@invalid")))
    users = list(db.session.scalars(expired))
    if not dry_run:
        for user in users:
            db.session.execute(delete(Consent).where(Consent.user_id == user.id))
            if not _is_pseudonymised(user):
                erase_account(user, actor=None)
    return len(users)


def _purge_rejected_applications(cutoff, dry_run: bool) -> int:
    users = list(db.session.scalars(
        select(User).where(User.status == AccountStatus.REJECTED, User.updated_at < cutoff)))
    if not dry_run:
        for user in users:
            erase_account(user, actor=None)
    return len(users)


def _purge_abandoned_projects(cutoff, dry_run: bool) -> int:
    """Drafts never submitted and withdrawn projects nobody touched within the retention period."""
    never_submitted = (Project.status == Status.DRAFT) & Project.submitted_at.is_(None)
    abandoned = select(Project.id).where(
        Project.updated_at < cutoff, or_(never_submitted, Project.status == Status.WITHDRAWN))
    ids = list(db.session.scalars(abandoned))
    return len(ids) if dry_run else delete_projects(ids)
