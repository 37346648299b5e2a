"""Moderation: anyone approved reports a need, challenge or comment; administrators hide or show it again and
dismiss reports. Hidden content disappears for everyone but administrators and its author."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import active_admins
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from ..policy import can
from .comments import may_see_comment
from .lifecycles import ReportEvent, report_lifecycle
from .links import target_link
from .models import Challenge, ClinicalNeed, Comment, Report, ReportReason, ReportStatus, ReportTarget

TARGET_MODELS = {ReportTarget.NEED: ClinicalNeed, ReportTarget.CHALLENGE: Challenge, ReportTarget.COMMENT: Comment}


def target_kind(obj) -> ReportTarget:
    return next(kind for kind, model in TARGET_MODELS.items() if isinstance(obj, model))


def load_target(kind: str, target_id: int):
    try:
        model = TARGET_MODELS[ReportTarget(kind)]
    except ValueError:
        return None
    return db.session.get(model, target_id)


def can_view_target(user, obj) -> bool:
    if isinstance(obj, Comment):
        return may_see_comment(user, obj) and can_view_target(user, obj.target)
    action = "community.view_need" if isinstance(obj, ClinicalNeed) else "community.view_challenge"
    return can(user, action, obj)


def visible_target(user, kind: str, target_id: int):
    """The need, challenge or comment named by a report link, if the person may see it (else None)."""
    obj = load_target(kind, target_id)
    return obj if obj is not None and can_view_target(user, obj) else None


def report(reporter, obj, reason_kind: str, reason: str = "") -> Report:
    """File (or update) the reporter's open report about a piece of content and tell the administrators."""
    kind = target_kind(obj)
    existing = db.session.scalar(select(Report).where(
        Report.reporter_id == reporter.id, Report.target_type == kind, Report.target_id == obj.id,
        Report.status == ReportStatus.OPEN))
    entry = existing or report_lifecycle.begin(Report(reporter_id=reporter.id, target_type=kind, target_id=obj.id))
    entry.reason_kind, entry.reason = ReportReason(reason_kind), reason.strip()
    db.session.add(entry)
    db.session.flush()
    record("community.reported", entry, actor=reporter, target=f"{kind.value}:{obj.id}")
    if existing is None:
        for admin in active_admins():
            notify(admin, N_("New community report awaiting moderation."), path_for("community.moderation"))
    return entry


def set_hidden(obj, hidden: bool, admin) -> None:
    """Hide or show again; hiding settles the open reports about it and tells its author."""
    obj.hidden, obj.hidden_at, obj.hidden_by_id = hidden, utcnow() if hidden else None, admin.id if hidden else None
    kind = target_kind(obj)
    record("community.hidden" if hidden else "community.unhidden", obj, actor=admin)
    if not hidden:
        return
    for entry in open_reports_about(kind, obj.id):
        _resolve(entry, ReportEvent.ACTIONED, admin)
    if obj.author_id:
        notify(db.session.get(User, obj.author_id),
               N_("A moderator hid one of your community posts. Only you and the administrators can see it now."),
               target_link(obj))


def open_reports_about(kind: ReportTarget, target_id: int) -> list[Report]:
    return list(db.session.scalars(select(Report).where(
        Report.target_type == kind, Report.target_id == target_id, Report.status == ReportStatus.OPEN)))


def _resolve(entry: Report, event: ReportEvent, admin) -> None:
    entry.resolved_by_id, entry.resolved_at = admin.id, utcnow()
    report_lifecycle.apply(entry, event, admin)


def dismiss_report(entry: Report, admin) -> bool:
    """Dismiss an open report; False when it was settled already."""
    if not report_lifecycle.allowed(entry.status, ReportEvent.DISMISSED):
        return False
    _resolve(entry, ReportEvent.DISMISSED, admin)
    return True


def report_queue(status: str = "open") -> list[tuple[Report, object]]:
    stmt = select(Report).order_by(Report.id)
    if status in {s.value for s in ReportStatus}:
        stmt = stmt.where(Report.status == status)
    return [(entry, load_target(entry.target_type, entry.target_id)) for entry in db.session.scalars(stmt)]


def hidden_content() -> list[object]:
    found: list[object] = []
    for model in TARGET_MODELS.values():
        found.extend(db.session.scalars(select(model).where(model.hidden.is_(True)).order_by(model.id)))
    return found
