"""Platform-wide administration, testable without HTTP: settings, account decisions, organisations, audit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..accounts import services as accounts
from ..accounts.models import AccountStatus, Organization, OrgKind, Role, User
from ..accounts.services import AccountEvent, account_lifecycle
from ..core.models import AuditEntry
from ..core.services import record
from ..db import db
from .models import PlatformSetting
from .rows import referencing_columns


class AdminError(ValueError):
    """A refusal shown to the administrator, already translated."""


# --- settings --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingSpec:
    label: Any
    help: Any
    minimum: int
    maximum: int
    config_key: str = ""
    default: int = 0

    def fallback(self) -> int:
        return int(current_app.config.get(self.config_key, self.default)) if self.config_key else self.default


SETTINGS: dict[str, SettingSpec] = {
    "retention_days": SettingSpec(
        _l("Retention period (days)"),
        _l("After this many days the purge erases what remains of closed accounts and rejected applications, "
           "read notifications, and drafts or withdrawn projects nobody touched."),
        minimum=30, maximum=3650, config_key="RETENTION_DAYS"),
    "session_days": SettingSpec(
        _l("Maximum session age (days)"),
        _l("Log-in sessions older than this are ended by the purge; the person has to log in again."),
        minimum=1, maximum=365, default=30),
}


def get_setting(key: str) -> int:
    stored = db.session.get(PlatformSetting, key)
    return stored.value if stored is not None else SETTINGS[key].fallback()


def set_setting(key: str, value: int, admin: User) -> None:
    spec = SETTINGS[key]
    if not spec.minimum <= value <= spec.maximum:
        raise AdminError(_("%(label)s must be between %(min)d and %(max)d.", label=spec.label,
                           min=spec.minimum, max=spec.maximum))
    old = get_setting(key)
    if old == value:
        return
    stored = db.session.get(PlatformSetting, key) or PlatformSetting(key=key)
    stored.value, stored.updated_by_id = value, admin.id
    db.session.add(stored)
    record("settings.changed", None, actor=admin, key=key, old=old, new=value)


# --- accounts --------------------------------------------------------------------------------------------

@dataclass
class AccountFilter:
    status: str = ""
    role: str = ""
    organization_id: int | None = None
    q: str = ""


def accounts_query(filters: AccountFilter) -> Select:
    query = select(User).outerjoin(User.organization)
    if filters.status:
        query = query.where(User.status == AccountStatus(filters.status))
    if filters.role:
        query = query.where(User.role == Role(filters.role))
    if filters.organization_id:
        query = query.where(User.organization_id == filters.organization_id)
    if text := filters.q.strip():
        searched = (User.name, User.email, Organization.name)
        query = query.where(or_(*(_contains(column, text) for column in searched)))
    # The queue first: pending applications, oldest first, then everyone else, newest first.
    pending = User.status == AccountStatus.PENDING
    return query.order_by(~pending, case((pending, User.id), else_=-User.id))


def _contains(column, text: str):
    """Case-insensitive substring match with LIKE wildcards in the text taken literally."""
    return func.lower(column).contains(text.lower(), autoescape=True)


def pending_count() -> int:
    return db.session.scalar(_PENDING)


_PENDING = select(func.count(User.id)).where(User.status == AccountStatus.PENDING)  # built once: the workspace


def _require(user: User, event: AccountEvent) -> None:
    if not account_lifecycle.allowed(user.status, event):
        raise AdminError(_("This account is no longer in a state that allows this action. "
                           "Please reload the page."))


def approve(user: User, admin: User) -> None:
    _require(user, AccountEvent.APPROVED)
    accounts.decide_approval(user, True, admin)


def reject(user: User, admin: User) -> None:
    _require(user, AccountEvent.REJECTED)
    accounts.decide_approval(user, False, admin)


def suspend(user: User, admin: User) -> None:
    _require(user, AccountEvent.SUSPENDED)
    if user.id == admin.id:
        raise AdminError(_("You cannot suspend your own account."))
    accounts.set_suspended(user, True, admin)


def reinstate(user: User, admin: User) -> None:
    _require(user, AccountEvent.REINSTATED)
    accounts.set_suspended(user, False, admin)


DECISIONS = {"approve": approve, "reject": reject, "suspend": suspend, "reinstate": reinstate}


def user_activity(user: User, limit: int = 20) -> list[AuditEntry]:
    """What the person did and what was done to their account, newest first."""
    return list(db.session.scalars(
        select(AuditEntry).where(or_(AuditEntry.actor_id == user.id,
                                     (AuditEntry.object_type == "users") & (AuditEntry.object_id == user.id)))
        .order_by(AuditEntry.id.desc()).limit(limit)))


# --- organisations ---------------------------------------------------------------------------------------

def organizations_with_counts(q: str = "", kind: str = "") -> Select:
    """(Organization, member count) rows, largest first, counted in one GROUP BY."""
    members = func.count(User.id).label("members")
    query = (select(Organization, members).outerjoin(User, User.organization_id == Organization.id)
             .group_by(Organization.id).order_by(members.desc(), Organization.name))
    if text := q.strip():
        query = query.where(_contains(Organization.name, text))
    if kind:
        query = query.where(Organization.kind == OrgKind(kind))
    return query


def update_organization(org: Organization, admin: User, **fields: Any) -> None:
    changed = {key: [str(getattr(org, key)), str(value)] for key, value in fields.items()
               if getattr(org, key) != value}
    if "name" in changed and db.session.scalar(
            select(Organization.id).where(Organization.name == fields["name"], Organization.id != org.id)):
        raise AdminError(_("Another organisation already has this name; merge the two instead."))
    for key, value in fields.items():
        setattr(org, key, value)
    if changed:
        record("organization.updated", org, actor=admin, changes=changed)


def merge_organizations(duplicate: Organization, keep: Organization, admin: User) -> int:
    """Point every reference to `duplicate` at `keep`, then delete the duplicate; returns the rows moved."""
    if duplicate.id == keep.id:
        raise AdminError(_("Choose a different organisation to merge into."))
    moved = 0
    try:
        with db.session.begin_nested():
            for column in referencing_columns("organizations"):
                result = db.session.execute(
                    update(column.table).where(column == duplicate.id).values({column.name: keep.id}))
                moved += result.rowcount or 0
            db.session.flush()
            db.session.expire_all()
            db.session.delete(db.session.get(Organization, duplicate.id))
    except IntegrityError:
        raise AdminError(_("These organisations cannot be merged automatically: both have records that must "
                           "stay unique (for example two company profiles).")) from None
    record("organization.merged", keep, actor=admin, merged_id=duplicate.id, merged_name=duplicate.name,
           moved=moved)
    return moved


# --- audit log -------------------------------------------------------------------------------------------

@dataclass
class AuditFilter:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def local_day_start(day: date) -> datetime:
    """The UTC instant (naive, as stored) at which `day` begins in the platform's time zone."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def audit_query(filters: AuditFilter) -> Select:
    actor = aliased(User)
    query = select(AuditEntry, actor).outerjoin(actor, AuditEntry.actor_id == actor.id)
    if filters.action.strip():
        query = query.where(AuditEntry.action.startswith(filters.action.strip(), autoescape=True))
    if text := filters.actor.strip():
        if text.isdigit():
            query = query.where(AuditEntry.actor_id == int(text))
        else:
            query = query.where(or_(_contains(actor.email, text), _contains(actor.name, text)))
    if filters.object_type.strip():
        query = query.where(AuditEntry.object_type == filters.object_type.strip())
    if filters.object_id is not None:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.date_from:
        query = query.where(AuditEntry.at >= local_day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < local_day_start(filters.date_to + timedelta(days=1)))
    return query.order_by(AuditEntry.id.desc())


def audit_object_types() -> list[str]:
    return list(db.session.scalars(
        select(AuditEntry.object_type).where(AuditEntry.object_type != "").distinct().order_by(
            AuditEntry.object_type)))


AUDIT_CSV_HEADER = ("id", "time (UTC)", "action", "actor id", "actor", "object type", "object id", "detail")


def audit_csv_rows(filters: AuditFilter, limit: int = 100_000) -> Iterator[tuple]:
    import json

    for entry, actor in db.session.execute(audit_query(filters).limit(limit)):
        yield (entry.id, entry.at.isoformat(sep=" ", timespec="seconds"), entry.action, entry.actor_id or "",
               actor.name if actor else "", entry.object_type, entry.object_id or "",
               json.dumps(entry.detail, ensure_ascii=False, sort_keys=True))


def recent_audit(limit: int = 8) -> list[tuple[AuditEntry, User | None]]:
    return list(db.session.execute(_recent_query(limit)))


@cache
def _recent_query(limit: int) -> Select:
    """Built once per process (the administrator's workspace and dashboard run it on every visit)."""
    return audit_query(AuditFilter()).limit(limit)



# --- pagination ------------------------------------------------------------------------------------------

@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: Select, number: int, per_page: int = 50) -> Page:
    """One page of `query`'s rows (tuples when it selects several entities, else objects)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = min(max(number, 1), max(1, -(-total // per_page)))
    result = db.session.execute(query.limit(per_page).offset((number - 1) * per_page))
    items = list(result) if len(query.column_descriptions) > 1 else list(result.scalars())
    return Page(items, number, per_page, total)
