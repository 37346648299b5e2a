"""What companies and clinicians read: matched projects with filters, a project's suggestions, the saved list."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Select, and_, bindparam, delete, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from ..accounts.models import Organization, User
from ..db import db
from ..submissions.models import Project
from .common import add_unless_taken, matchable_clause
from .models import MatchResult, OrgProfile, ProfileStatus, SavedProject

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


@dataclass
class BrowseRow:
    project: Project
    match: MatchResult | None
    saved: bool


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


def _region_of_project():
    return (
        select(Organization.province)
        .join(User, User.organization_id == Organization.id)
        .where(User.id == Project.owner_id)
        .scalar_subquery()
    )


def browse(organization_id: int, filters: BrowseFilters) -> BrowsePage:
    """Matchable projects for an organisation: its stored matches (best first), all, or its saved ones."""
    match_join = and_(MatchResult.project_id == Project.id, MatchResult.organization_id == organization_id)
    saved_join = and_(SavedProject.project_id == Project.id, SavedProject.organization_id == organization_id)
    # the organisation's own matches (or saved projects) drive the query where the scope asks for them: a few
    # hundred rows by their index, not every matchable project of the platform
    query = select(Project, MatchResult, SavedProject.id)
    if filters.scope == "matched":
        query = query.join(MatchResult, match_join).outerjoin(SavedProject, saved_join)
    elif filters.scope == "saved":
        query = query.join(SavedProject, saved_join).outerjoin(MatchResult, match_join)
    else:
        query = query.outerjoin(MatchResult, match_join).outerjoin(SavedProject, saved_join)
    query = query.where(matchable_clause())
    if q := filters.q.strip():
        query = query.where(
            or_(
                Project.title.ilike(_like(q), escape="\\"),
                Project.public_summary.ilike(_like(q), escape="\\"),
            )
        )
    if filters.specialty:
        query = query.where(Project.specialty == filters.specialty)
    if filters.device_class:
        query = query.where(Project.device_class == filters.device_class)
    if filters.stage:
        query = query.where(Project.stage == filters.stage)
    if filters.region:
        query = query.where(_region_of_project() == filters.region)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = min(max(1, filters.page), max(1, math.ceil(total / PER_PAGE)))
    ordered = query.options(joinedload(Project.owner).joinedload(User.organization)).order_by(
        MatchResult.score.desc().nulls_last(), Project.published_at.desc(), Project.id.desc()
    )
    rows = db.session.execute(ordered.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return BrowsePage([BrowseRow(p, m, saved_id is not None) for p, m, saved_id in rows], total, page)


def filter_options() -> dict[str, list[str]]:
    """Specialties and provinces that occur among matchable projects, for the filter menus."""
    specialties, regions = _filter_queries()
    return {"specialties": list(db.session.scalars(specialties)), "regions": list(db.session.scalars(regions))}


@cache
def _filter_queries() -> tuple[Select, Select]:
    """Built once per process (the matched projects page runs them on every visit)."""
    specialties = (select(Project.specialty).where(matchable_clause(), Project.specialty != "")
                   .distinct().order_by(Project.specialty))
    regions = (select(Organization.province).join(User, User.organization_id == Organization.id)
               .join(Project, Project.owner_id == User.id).where(matchable_clause(), Organization.province != "")
               .distinct().order_by(Organization.province))
    return specialties, regions


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
