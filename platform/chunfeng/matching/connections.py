"""Connections (对接): a company asks, the clinician accepts (with a share grant) or declines; or the clinician
invites a suggested company (consenting to share at once) and the company accepts or declines. Both sides keep a
shared timeline. Status changes go through `lifecycles.connection_lifecycle`; the database holds at most one open
connection per project and organisation, however many requests and invitations arrive at once."""

from __future__ import annotations

from datetime import date
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Organization
from ..core import mail
from ..core.services import N_, notify, person, record
from ..core.web import once_per_page, path_for
from ..db import db, utcnow
from ..submissions.models import Project
from ..submissions.services import projects_of
from .common import (
    MatchingError,
    add_unless_taken,
    is_company_user,
    is_matchable,
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
    ConnectionSide,
    ConnectionStage,
    ConnectionStatus,
    ShareGrant,
)
from .telling import tell

REASON_MIN_LENGTH = 10
EVENT_KINDS = ("meeting", "nda_signed", "agreement", "incubation", "note")  # added by either side
SYSTEM_EVENTS = ("requested", "invited", "accepted", "declined", "withdrawn", "grant_revoked", "regranted", "closed")
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


#: the note of the timeline's matching stage while a connection is open
UNDER_WAY = _l("Connection open")  # 对接中


def stages_under_way(_sender, project: Project) -> list[tuple[str, object]]:
    """The timeline's matching stage is under way while a company's connection (对接) with the project is open:
    requested, invited or accepted, not yet closed."""
    found = db.session.scalar(select(Connection.id).where(
        Connection.project_id == project.id, Connection.status.in_(OPEN_CONNECTION)).limit(1))
    return [("matching", UNDER_WAY)] if found is not None else []


def latest_connection(project_id: int, organization_id: int) -> Connection | None:
    return db.session.scalar(
        select(Connection)
        .where(Connection.project_id == project_id, Connection.organization_id == organization_id)
        .order_by(Connection.id.desc())
        .limit(1)
    )


def _checked_reason(text: str) -> str:
    text = text.strip()
    if len(text) < REASON_MIN_LENGTH:
        raise MatchingError(
            _("Please explain your interest in at least %(num)d characters.", num=REASON_MIN_LENGTH)
        )
    return text


def request_connection(project: Project, user, reason: str) -> Connection:
    reason = _checked_reason(reason)
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
    tell(connection, to_company=False, message=N_("%(org)s asks to connect about your project “%(project)s”."),
         kind=mail.CONNECTION_REQUEST, subject=N_("%(org)s asks to connect about “%(project)s”"), quote=reason,
         org=user.org_name, project=project.title)
    return connection


def _already_open(connection: Connection | None, organization: Organization) -> str:
    """Why the clinician cannot invite: the pair's open connection, as the clinician knows it."""
    if connection is None or connection.status == ConnectionStatus.ACCEPTED:
        return _("You are already connected with %(org)s about this project.", org=organization.name)
    if connection.invited:
        return _("You have already invited %(org)s to connect about this project.", org=organization.name)
    return _("%(org)s has already asked to connect about this project: please answer its request.",
             org=organization.name)


def invite_company(project: Project, organization: Organization, clinician, message: str) -> Connection:
    """The clinician invites a company to connect, consenting in advance: if the company accepts, it sees the
    confidential details and contact as after the clinician's acceptance of a request (`grants.grant_access`)."""
    message = _checked_reason(message)
    if project.owner_id != clinician.id or not is_matchable(project) or not profile_approved(organization.id):
        raise MatchingError(_("Companies can be invited once your project is released for matching."))
    if (found := open_connection(project.id, organization.id)) is not None:
        raise MatchingError(_already_open(found, organization))
    connection = connection_lifecycle.begin(Connection(
        project=project, organization_id=organization.id, requested_by_id=clinician.id, reason=message,
        invited=True))
    timeline_entry(connection, "invited", clinician, message)
    if not add_unless_taken(connection):  # an invitation or a request of the same moment was stored first
        raise MatchingError(_already_open(open_connection(project.id, organization.id), organization))
    record("connection.invited", connection, actor=clinician, project_id=project.id, organization=organization.name,
           consent=True)
    # The company does not learn the clinician's name before it accepts.
    tell(connection, to_company=True,
         message=N_("The clinician of “%(project)s” invites your organisation to connect."),
         kind=mail.CONNECTION_REQUEST, subject=N_("Invitation to connect about “%(project)s”"), quote=message,
         project=project.title)
    return connection


def _step(connection: Connection, step: ConnectionStep, actor, refusal: str, note: str = "") -> None:
    if not connection_lifecycle.allowed(connection.status, step):
        raise MatchingError(refusal)
    connection_lifecycle.apply(connection, step, actor, note, project_id=connection.project_id)


def decide_connection(connection: Connection, user, accept: bool, note: str = "") -> None:
    """The side that was asked answers: the clinician a company's request, a member of the company the clinician's
    invitation. Accepting opens the details to the company with the clinician's consent (given with the acceptance,
    or with the invitation)."""
    note = note.strip()
    refusal = (_("This invitation has already been answered or withdrawn.") if connection.invited
               else _("This request has already been answered or withdrawn."))
    _step(connection, ConnectionStep.ACCEPT if accept else ConnectionStep.DECLINE, user, refusal, note)
    connection.decided_at, connection.decision_note, connection.answered_by_id = utcnow(), note, user.id
    if accept:
        grant_access(connection, connection.project.owner)
    project = connection.project.title
    if connection.invited:
        message = (N_("%(org)s accepted your invitation to connect about “%(project)s”.") if accept
                   else N_("%(org)s declined your invitation to connect about “%(project)s”."))
        tell(connection, to_company=False, message=message, kind=mail.CONNECTION_ANSWER,
             subject=N_("%(org)s answered your invitation about “%(project)s”"), quote=note,
             org=connection.organization.name, project=project)
    elif accept:
        tell(connection, to_company=True, message=N_("%(name)s accepted your connection request for “%(project)s”."),
             kind=mail.CONNECTION_ANSWER, subject=N_("Answer to your connection request about “%(project)s”"),
             quote=note, people={"name": user}, project=project)
    else:  # a declined company does not learn the clinician's name
        tell(connection, to_company=True,
             message=N_("The clinician declined your connection request for “%(project)s”."),
             kind=mail.CONNECTION_ANSWER, subject=N_("Answer to your connection request about “%(project)s”"),
             quote=note, project=project)


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
    """The side that asked takes back its request or invitation while it is unanswered."""
    refusal = (_("Only an invitation that has not been answered can be withdrawn.") if connection.invited
               else _("Only a request that has not been answered can be withdrawn."))
    _step(connection, ConnectionStep.WITHDRAW, user, refusal)
    connection.closed_at = utcnow()
    if connection.invited:
        notify_members(connection.organization_id, N_("The invitation to connect about “%(project)s” was withdrawn."),
                       _link(connection), project=connection.project.title)


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
    return side_of(user, connection) is not None


def side_of(user, connection: Connection) -> ConnectionSide | None:
    """The user's side of the connection: the project's clinician, a member of the organisation, or neither."""
    if user.id == connection.project.owner_id:
        return ConnectionSide.CLINICIAN
    if is_company_user(user) and user.organization_id == connection.organization_id:
        return ConnectionSide.COMPANY
    return None


def is_asking_side(user, connection: Connection) -> bool:
    return side_of(user, connection) == connection.asking_side


def is_answering_side(user, connection: Connection) -> bool:
    side = side_of(user, connection)
    return side is not None and side != connection.asking_side


@once_per_page
def connections_for_org(organization_id: int) -> list[Connection]:
    return list(db.session.scalars(_org_connections_query(), {"organization_id": organization_id}))


@cache
def _org_connections_query() -> Select:
    """Built once per process (every company's workspace runs it)."""
    return (select(Connection).where(Connection.organization_id == bindparam("organization_id"))
            .options(joinedload(Connection.project)).order_by(Connection.id.desc()))


@once_per_page
def connections_for_owner(user) -> list[Connection]:
    return list(db.session.scalars(_owner_connections_query(), {"owner_id": user.id}))


@cache
def _owner_connections_query() -> Select:
    """Built once per process (every clinician's workspace runs it)."""
    return (select(Connection).join(Project, Project.id == Connection.project_id)
            .where(Project.owner_id == bindparam("owner_id"))
            .options(joinedload(Connection.project), joinedload(Connection.organization))
            .order_by((Connection.status == ConnectionStatus.REQUESTED).desc(), Connection.id.desc()))


def matchable_projects_of(user) -> list[Project]:
    """The clinician's projects that companies can see, i.e. that have suggestions: among the projects the
    intake reads once per page (the workspace's panels share them)."""
    return sorted((p for p in projects_of(user) if is_matchable(p)), key=lambda p: p.id, reverse=True)


def connections_by_org(project: Project) -> dict[int, Connection]:
    """The latest connection of each organisation with the project."""
    rows = db.session.scalars(select(Connection).where(Connection.project_id == project.id).order_by(Connection.id))
    return {connection.organization_id: connection for connection in rows}


def all_connections(status: str = "", stage: str = "") -> list[Connection]:
    query = select(Connection).options(joinedload(Connection.project), joinedload(Connection.organization))
    if status:
        query = query.where(Connection.status == status)
    if stage:
        query = query.where(Connection.stage == stage)
    return list(db.session.scalars(query.order_by(Connection.id.desc())))


def connection_counts() -> dict:
    """{"status": {status: n}, "stage": {stage: n (accepted or closed connections)}, "invited": n (invitations
    awaiting a company's answer, counted among the requested too)}."""
    by_status: dict[str, int] = {}
    by_stage: dict[str, int] = {}
    invited = 0
    for status, stage, was_invited, n in db.session.execute(_counts_query()):  # one statement, three counts
        by_status[status] = by_status.get(status, 0) + n
        if status in (ConnectionStatus.ACCEPTED, ConnectionStatus.CLOSED):
            by_stage[stage] = by_stage.get(stage, 0) + n
        if status == ConnectionStatus.REQUESTED and was_invited:
            invited += n
    return {
        "status": {str(k): v for k, v in by_status.items()},
        "stage": {str(k): v for k, v in by_stage.items()},
        "invited": invited,
    }


@cache
def _counts_query() -> Select:
    """Built once per process (the administrator's workspace runs it on every visit)."""
    return (select(Connection.status, Connection.stage, Connection.invited, func.count())
            .group_by(Connection.status, Connection.stage, Connection.invited))
