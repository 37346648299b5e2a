"""What companies and clinicians read: matched projects with filters, a project's suggestions, the saved list."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import (
    Float,
    Integer,
    Row,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import contains_eager, joinedload

from ..accounts.models import Organization, User
from ..core.recent import Recent
from ..core.web import once_per_page
from ..db import db
from ..submissions.models import Project
from ..submissions.workspace import ProjectLine, project_lines
from .common import add_unless_taken, is_matchable, matchable_clause
from .models import Connection, ConnectionStatus, MatchResult, OrgProfile, ProfileStatus, SavedProject

PER_PAGE = 20


@dataclass
class BrowseFilters:
    scope: str = "matched"  # matched | all | saved
    q: str = ""
    specialty: str = ""
    device_class: str = ""
    stage: str = ""
    region: str = ""
    page: int = 1


class MatchShown:
    """What the list shows of a stored match: its score and its reasons, read as `MatchResult` reads them (the
    `why` macro takes either). The reasons come as their stored text, decoded only when a card is drawn (a card
    kept from an earlier page is keyed by the text)."""

    __slots__ = ("score", "stored", "_reasons")
    terms = MatchResult.terms
    labelled = MatchResult.labelled
    signals = MatchResult.signals

    def __init__(self, score: float, stored: str | None):
        self.score = score
        self.stored = stored or ""
        self._reasons: dict | None = None

    @property
    def reasons(self) -> dict:
        if self._reasons is None:
            self._reasons = json.loads(self.stored) if self.stored else {}
        return self._reasons


@dataclass(frozen=True, slots=True)
class BrowseRow:
    project: Row  # the columns the list shows: id, title, public_summary, specialty, device_class, stage,
    #               cooperation and province (of the owner's organisation)
    match: MatchShown | None
    saved: bool

    @property
    def shown(self) -> tuple:
        """Every value the card shows of the project and its match (the project's columns up to the province)."""
        return (*self.project[:8], self.match and self.match.score, self.match and self.match.stored)


@dataclass
class BrowsePage:
    rows: list[BrowseRow] = field(default_factory=list)
    total: int = 0
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def browse(organization_id: int, filters: BrowseFilters) -> BrowsePage:
    """Matchable projects for an organisation: its stored matches (best first), all, or its saved ones. One
    statement reads the page's rows with the number of projects found (a second one only for a page past the
    last, to count them and show the last page instead)."""
    q = filters.q.strip()
    wanted = (q, filters.specialty, filters.device_class, filters.stage, filters.region)
    query = _browse_query(filters.scope, *(bool(value) for value in wanted))
    params = {"organization_id": organization_id, "q": _like(q), "specialty": filters.specialty,
              "device_class": filters.device_class, "stage": filters.stage, "region": filters.region,
              "limit": PER_PAGE}
    page = max(1, filters.page)
    rows = db.session.execute(query, {**params, "offset": (page - 1) * PER_PAGE}).all()
    if rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:  # past the last page: count what the filters find, then show the last page
        first = db.session.execute(query, {**params, "limit": 1, "offset": 0}).first()
        total = first.total if first else 0
        page = max(1, math.ceil(total / PER_PAGE))
        rows = db.session.execute(query, {**params, "offset": (page - 1) * PER_PAGE}).all() if total else []
    return BrowsePage([BrowseRow(row, None if row.score is None else MatchShown(row.score, row.reasons),
                                 row.saved_id is not None) for row in rows], total, page)


@cache
def _browse_query(scope: str, q: bool, specialty: bool, device_class: bool, stage: bool, region: bool) -> Select:
    """Built once per process for each scope and set of filters in use, with bound parameters (organization_id,
    the filters' values, limit and offset): the page's columns only, the total beside each row."""
    match_join = and_(MatchResult.project_id == Project.id,
                      MatchResult.organization_id == bindparam("organization_id"))
    saved_join = and_(SavedProject.project_id == Project.id,
                      SavedProject.organization_id == bindparam("organization_id"))
    query = select(
        Project.id, Project.title, Project.public_summary, Project.specialty, Project.device_class, Project.stage,
        Project.cooperation, func.coalesce(Organization.province, "").label("province"), MatchResult.score,
        cast(MatchResult.reasons, Text).label("reasons"), SavedProject.id.label("saved_id"),
        func.count().over().label("total"),
    )
    # the organisation's own matches (or saved projects) drive the query where the scope asks for them: a few
    # hundred rows by their index, not every matchable project of the platform
    if scope == "matched":
        query = query.join(MatchResult, match_join).outerjoin(SavedProject, saved_join)
    elif scope == "saved":
        query = query.join(SavedProject, saved_join).outerjoin(MatchResult, match_join)
    else:
        query = query.outerjoin(MatchResult, match_join).outerjoin(SavedProject, saved_join)
    query = (query.join(User, User.id == Project.owner_id)
             .outerjoin(Organization, Organization.id == User.organization_id).where(matchable_clause()))
    if q:
        query = query.where(or_(Project.title.ilike(bindparam("q"), escape="\\"),
                                Project.public_summary.ilike(bindparam("q"), escape="\\")))
    if specialty:
        query = query.where(Project.specialty == bindparam("specialty"))
    if device_class:
        query = query.where(Project.device_class == bindparam("device_class"))
    if stage:
        query = query.where(Project.stage == bindparam("stage"))
    if region:
        query = query.where(Organization.province == bindparam("region"))
    return (query.order_by(MatchResult.score.desc().nulls_last(), Project.published_at.desc(), Project.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))


MENUS: Recent[dict[str, list[str]]] = Recent("matching.filter_menus", size=1)


def filter_options() -> dict[str, list[str]]:
    """Specialties and provinces that occur among matchable projects, for the filter menus: counted again at most
    once a minute (at once after a write of this process), not on every visit."""
    return MENUS.get("menus", _menus)


def _menus() -> dict[str, list[str]]:
    specialties, regions = _filter_queries()
    return {"specialties": list(db.session.scalars(specialties)), "regions": list(db.session.scalars(regions))}


@cache
def _filter_queries() -> tuple[Select, Select]:
    """Built once per process."""
    specialties = (select(Project.specialty).where(matchable_clause(), Project.specialty != "")
                   .distinct().order_by(Project.specialty))
    regions = (select(Organization.province).join(User, User.organization_id == Organization.id)
               .join(Project, Project.owner_id == User.id).where(matchable_clause(), Organization.province != "")
               .distinct().order_by(Organization.province))
    return specialties, regions


_PROFILE_STATUS = select(OrgProfile.status).where(OrgProfile.organization_id == bindparam("organization_id"))


def profile_status(organization_id: int | None) -> ProfileStatus | None:
    """The organisation's profile status (None without a profile): all the matched projects page reads of it."""
    if organization_id is None:
        return None
    return db.session.scalar(_PROFILE_STATUS, {"organization_id": organization_id})


def match_for(project_id: int, organization_id: int) -> MatchResult | None:
    return db.session.scalar(
        select(MatchResult).where(
            MatchResult.project_id == project_id, MatchResult.organization_id == organization_id
        )
    )


def suggestions_for(project: Project) -> list[tuple[MatchResult, OrgProfile]]:
    """The project's own top k enterprises and investors, best first, with their profiles."""
    rows = db.session.execute(
        select(MatchResult, OrgProfile)
        .join(OrgProfile, OrgProfile.organization_id == MatchResult.organization_id)
        .where(MatchResult.project_id == project.id, MatchResult.rank_for_project.is_not(None),
               OrgProfile.status == ProfileStatus.APPROVED)
        .options(joinedload(MatchResult.organization))
        .order_by(MatchResult.rank_for_project)
    )
    return [(match, profile) for match, profile in rows]


def top_matches(organization_id: int, limit: int = 5) -> list[MatchResult]:
    return list(db.session.scalars(_top_query(limit), {"organization_id": organization_id}))


@cache
def _top_query(limit: int) -> Select:
    """Built once per process (every company's workspace runs it)."""
    return (select(MatchResult).join(Project, Project.id == MatchResult.project_id)
            .where(MatchResult.organization_id == bindparam("organization_id"), matchable_clause())
            .options(contains_eager(MatchResult.project)).order_by(MatchResult.score.desc()).limit(limit))


# --- the workspace panels: each reads what it shows in one statement, as plain rows ------------------------


@dataclass(frozen=True, slots=True)
class CompanyPanel:
    status: ProfileStatus | None  # of the organisation's profile; None without one
    top: list[Row]  # the best matched projects: project_id, title, score
    stages: dict[str, int]  # the organisation's connections: accepted ones by stage, the others by status
    invitations: int  # clinicians' invitations awaiting the organisation's answer


def company_panel(organization_id: int) -> CompanyPanel:
    status, top, stages, invitations = None, [], {}, 0
    for row in db.session.execute(_company_panel_query(), {"organization_id": organization_id}):
        if row.part == "profile":
            status = ProfileStatus(row.key)
        elif row.part == "top":
            top.append(row)
        elif row.part == "stage":
            stages[row.key] = stages.get(row.key, 0) + row.n
        else:
            invitations = row.n
    return CompanyPanel(status, sorted(top, key=lambda r: r.score, reverse=True), stages, invitations)


@cache
def _company_panel_query() -> Select:
    """Built once per process: the profile's status, the five best matches, the connections counted by stage or
    status, the invitations awaiting an answer, as parts of one union (part, key, project_id, title, score, n)."""
    org = bindparam("organization_id")

    def part(name: str, key=None, project_id=None, title=None, score=None, n=None) -> list:
        return [literal_column(f"'{name}'", String).label("part"), _or_null(key, String).label("key"),
                _or_null(project_id, Integer).label("project_id"), _or_null(title, String).label("title"),
                _or_null(score, Float).label("score"), _or_null(n, Integer).label("n")]

    top = (select(MatchResult.project_id, Project.title, MatchResult.score)
           .join(Project, Project.id == MatchResult.project_id)
           .where(MatchResult.organization_id == org, matchable_clause())
           .order_by(MatchResult.score.desc()).limit(5).subquery())
    stage_or_status = case((Connection.status == ConnectionStatus.ACCEPTED, Connection.stage),
                           else_=Connection.status)
    return union_all(
        select(*part("profile", key=OrgProfile.status)).where(OrgProfile.organization_id == org),
        select(*part("top", project_id=top.c.project_id, title=top.c.title, score=top.c.score)),
        select(*part("stage", key=stage_or_status, n=func.count())).where(Connection.organization_id == org)
        .group_by(Connection.status, Connection.stage),
        select(*part("invitations", n=func.count())).select_from(Connection)
        .where(Connection.organization_id == org, Connection.status == ConnectionStatus.REQUESTED,
               Connection.invited.is_(True)),
    )


def _or_null(column, type_):
    """The column read as `type_` (the union's rows are read by its first part's types), or a NULL of that type."""
    return null().cast(type_) if column is None else type_coerce(column, type_)


@once_per_page
def owner_connections(user) -> list[Row]:
    """The clinician's connections awaiting an answer or under way, newest first: id, status, invited, the
    organisation's name and the project's title (the workspace panel and the clinician's to-do list share them)."""
    return list(db.session.execute(_owner_connections_query(), {"owner_id": user.id}))


@cache
def _owner_connections_query() -> Select:
    """Built once per process."""
    return (select(Connection.id, Connection.status, Connection.invited, Organization.name.label("organization"),
                   Project.title)
            .join(Project, Project.id == Connection.project_id)
            .join(Organization, Organization.id == Connection.organization_id)
            .where(Project.owner_id == bindparam("owner_id"),
                   Connection.status.in_((ConnectionStatus.REQUESTED, ConnectionStatus.ACCEPTED)))
            .order_by(Connection.id.desc()))


def requests_awaiting(user) -> list[Row]:
    """Companies' requests awaiting the clinician's answer (not the clinician's own invitations), newest first."""
    return [c for c in owner_connections(user) if c.status == ConnectionStatus.REQUESTED and not c.invited]


def matchable_lines(user) -> list[ProjectLine]:
    """The clinician's projects companies can see (those with suggestions), newest first: from the projects the
    intake's panel reads once per page, without a read of their own."""
    return sorted((p for p in project_lines(user) if is_matchable(p)), key=lambda p: p.id, reverse=True)


def admin_counts() -> dict[str, int]:
    """Profiles awaiting approval; connections awaiting the clinician, awaiting a company (invitations), active."""
    return dict(db.session.execute(_ADMIN_COUNTS).one()._mapping)


def _count(model, *where):
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


_ADMIN_COUNTS = select(
    _count(OrgProfile, OrgProfile.status == ProfileStatus.PENDING).label("profiles_pending"),
    _count(Connection, Connection.status == ConnectionStatus.REQUESTED, Connection.invited.is_(False))
    .label("requested"),
    _count(Connection, Connection.status == ConnectionStatus.REQUESTED, Connection.invited.is_(True))
    .label("invited"),
    _count(Connection, Connection.status == ConnectionStatus.ACCEPTED).label("accepted"),
)


# --- saved projects (an organisation's shortlist) ----------------------------------------------------------


def is_saved(organization_id: int, project_id: int) -> bool:
    return (
        db.session.scalar(
            select(SavedProject.id).where(
                SavedProject.organization_id == organization_id, SavedProject.project_id == project_id
            )
        )
        is not None
    )


def set_saved(user, project: Project, saved: bool) -> None:
    if saved and not is_saved(user.organization_id, project.id):
        # a colleague saving it at the same moment is just as good
        add_unless_taken(SavedProject(organization_id=user.organization_id, project_id=project.id,
                                      saved_by_id=user.id))
    elif not saved:
        db.session.execute(
            delete(SavedProject).where(
                SavedProject.organization_id == user.organization_id, SavedProject.project_id == project.id
            )
        )
