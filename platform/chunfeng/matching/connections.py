"""Connections (对接): a company asks, the clinician accepts (with a share grant) or declines, both sides keep a
shared timeline. Status changes go through `lifecycles.connection_lifecycle`; the database holds at most one open
connection per project and organisation, however many requests arrive at once."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.services import N_, notify, person, record
from ..core.web import path_for
from ..db import db, utcnow
from ..submissions.models import Project
from .common import (
    MatchingError,
    add_unless_taken,
    is_company_user,
    is_matchable,
    matchable_clause,
    notify_members,
    profile_approved,
)
from .grants import active_grant, grant_access
from .lifecycles import ConnectionStep, connection_lifecycle, timeline_entry
from .models import (
    OPEN_CONNECTION,
    STAGE_ORDER,
    Connection,
    ConnectionEvent,
    ConnectionStage,
    ConnectionStatus,
    ShareGrant,
)

REASON_MIN_LENGTH = 10
EVENT_KINDS = ("meeting", "nda_signed", "agreement", "incubation", "note")  # added by either side
SYSTEM_EVENTS = ("requested", "accepted", "declined", "withdrawn", "grant_revoked", "regranted", "closed")
EVENT_STAGE = {
    "meeting": ConnectionStage.MEETING,
    "nda_signed": ConnectionStage.NDA,
    "agreement": ConnectionStage.AGREEMENT,
    "incubation": ConnectionStage.INCUBATION,
}


def _link(connection: Connection) -> str:
    return path_for("matching.connection", connection_id=connection.id)


def open_connection(project_id: int, organization_id: int) -> Connection | None:
    return db.session.scalar(
        select(Connection).where(
            Connection.project_id == project_id,
            Connection.organization_id == organization_id,
            Connection.status.in_(OPEN_CONNECTION),
        )
    )


def latest_connection(project_id: int, organization_id: int) -> Connection | None:
    return db.session.scalar(
        select(Connection)
        .where(Connection.project_id == project_id, Connection.organization_id == organization_id)
        .order_by(Connection.id.desc())
        .limit(1)
    )


def request_connection(project: Project, user, reason: str) -> Connection:
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise MatchingError(
            _("Please explain your interest in at least %(num)d characters.", num=REASON_MIN_LENGTH)
        )
    if not is_matchable(project) or not profile_approved(user.organization_id):
        raise MatchingError(_("This project is not open for connection requests."))
    already = _("Your organisation already has a connection with this project.")
    if open_connection(project.id, user.organization_id) is not None:
        raise MatchingError(already)
    connection = connection_lifecycle.begin(Connection(
        project=project, organization_id=user.organization_id, requested_by_id=user.id, reason=reason))
    timeline_entry(connection, "requested", user, reason)
    if not add_unless_taken(connection):  # a colleague's request, sent at the same moment, was stored first
        raise MatchingError(already)
    record("connection.requested", connection, actor=user, project_id=project.id)
    notify(
        project.owner,
        N_("%(org)s asks to connect about your project “%(project)s”."),
        _link(connection),
        org=user.org_name,
        project=project.title,
    )
    return connection


def _step(connection: Connection, step: ConnectionStep, actor, refusal: str, note: str = "") -> None:
    if not connection_lifecycle.allowed(connection.status, step):
        raise MatchingError(refusal)
    connection_lifecycle.apply(connection, step, actor, note, project_id=connection.project_id)


def decide_connection(connection: Connection, clinician, accept: bool, note: str = "") -> None:
    note = note.strip()
    _step(connection, ConnectionStep.ACCEPT if accept else ConnectionStep.DECLINE, clinician,
          _("This request has already been answered or withdrawn."), note)
    connection.decided_at, connection.decision_note = utcnow(), note
    if accept:
        grant_access(connection, clinician)
    message = (
        N_("%(name)s accepted your connection request for “%(project)s”.")
        if accept
        else N_("%(name)s declined your connection request for “%(project)s”.")
    )
    notify_members(connection.organization_id, message, _link(connection), name=person(clinician),
                   project=connection.project.title)


def regrant(connection: Connection, clinician) -> ShareGrant:
    """Share the details again after a withdrawal (a new, separate consent)."""
    if connection.status != ConnectionStatus.ACCEPTED:
        raise MatchingError(_("Details can only be shared within an accepted connection."))
    if active_grant(connection.project_id, connection.organization_id) is not None:
        raise MatchingError(_("This company already has access."))
    grant = grant_access(connection, clinician)
    timeline_entry(connection, "regranted", clinician)
    notify_members(connection.organization_id, N_("%(name)s shared the details of “%(project)s” with you."),
                   path_for("matching.project", project_id=connection.project_id), name=person(clinician),
                   project=connection.project.title)
    return grant


def withdraw_connection(connection: Connection, user) -> None:
    _step(connection, ConnectionStep.WITHDRAW, user, _("Only a request that has not been answered can be withdrawn."))
    connection.closed_at = utcnow()


def close_connection(connection: Connection, user, note: str = "") -> None:
    _step(connection, ConnectionStep.CLOSE, user, _("Only an accepted connection can be closed."), note.strip())
    connection.closed_at = utcnow()
    _notify_other_side(connection, user, N_("The connection about “%(project)s” was closed."))


def add_event(connection: Connection, user, kind: str, happened_on: date, text: str) -> ConnectionEvent:
    """A timeline entry by either side; meetings, NDA, agreement and incubation move the stage forward."""
    if connection.status != ConnectionStatus.ACCEPTED:
        raise MatchingError(_("Entries can be added only while the connection is active."))
    if kind not in EVENT_KINDS:
        raise MatchingError(_("Please choose what happened."))
    entry = ConnectionEvent(kind=kind, happened_on=happened_on, text=text.strip(), author_id=user.id)
    connection.events.append(entry)
    if kind in EVENT_STAGE and STAGE_ORDER.index(EVENT_STAGE[kind]) > STAGE_ORDER.index(connection.stage):
        connection.stage = EVENT_STAGE[kind]
    db.session.flush()
    record("connection.event", connection, actor=user, kind=kind)
    _notify_other_side(connection, user, N_("New entry on the connection timeline for “%(project)s”."))
    return entry


def _notify_other_side(connection: Connection, user, message: str) -> None:
    if user.id == connection.project.owner_id:
        notify_members(connection.organization_id, message, _link(connection), project=connection.project.title)
    else:
        notify(connection.project.owner, message, _link(connection), project=connection.project.title)


def is_party(user, connection: Connection) -> bool:
    return user.id == connection.project.owner_id or (
        is_company_user(user) and user.organization_id == connection.organization_id
    )


def connections_for_org(organization_id: int) -> list[Connection]:
    return list(
        db.session.scalars(
            select(Connection)
            .where(Connection.organization_id == organization_id)
            .options(joinedload(Connection.project))
            .order_by(Connection.id.desc())
        )
    )


def connections_for_owner(user) -> list[Connection]:
    return list(
        db.session.scalars(
            select(Connection)
            .join(Project, Project.id == Connection.project_id)
            .where(Project.owner_id == user.id)
            .options(joinedload(Connection.project), joinedload(Connection.organization))
            .order_by((Connection.status == ConnectionStatus.REQUESTED).desc(), Connection.id.desc())
        )
    )


def matchable_projects_of(user) -> list[Project]:
    """The clinician's projects that companies can see, i.e. that have suggestions."""
    return list(
        db.session.scalars(
            select(Project).where(Project.owner_id == user.id, matchable_clause()).order_by(Project.id.desc())
        )
    )


def pending_requests(user) -> list[Connection]:
    return [c for c in connections_for_owner(user) if c.status == ConnectionStatus.REQUESTED]


def all_connections(status: str = "", stage: str = "") -> list[Connection]:
    query = select(Connection).options(joinedload(Connection.project), joinedload(Connection.organization))
    if status:
        query = query.where(Connection.status == status)
    if stage:
        query = query.where(Connection.stage == stage)
    return list(db.session.scalars(query.order_by(Connection.id.desc())))


def connection_counts() -> dict[str, dict[str, int]]:
    """{"status": {status: n}, "stage": {stage: n (accepted or closed connections)}}."""
    by_status = dict(
        db.session.execute(select(Connection.status, func.count()).group_by(Connection.status)).all()
    )
    by_stage = dict(
        db.session.execute(
            select(Connection.stage, func.count())
            .where(Connection.status.in_((ConnectionStatus.ACCEPTED, ConnectionStatus.CLOSED)))
            .group_by(Connection.stage)
        ).all()
    )
    return {
        "status": {str(k): v for k, v in by_status.items()},
        "stage": {str(k): v for k, v in by_stage.items()},
    }


def org_connection_stages(organization_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Connection.status, Connection.stage, func.count())
        .where(Connection.organization_id == organization_id)
        .group_by(Connection.status, Connection.stage)
    )
    counts: dict[str, int] = {}
    for status, stage, n in rows:
        key = str(stage) if status == ConnectionStatus.ACCEPTED else str(status)
        counts[key] = counts.get(key, 0) + n
    return counts
