"""Matching on the web side: profiles, the stored matches and their refresh, browsing, connections and grants.

Pages only read `MatchResult`; the TF-IDF index is fitted in `refresh_matches`, which runs on
`flask refresh-matches`, and automatically inside the commit that changes a matchable project's public text or
status, or an organisation's profile (see `_collect_changes`). At demo scale (tens of profiles and projects) a
refresh takes well under a second; rankings are always recomputed over everything (one shared IDF), while the
explanations, the costly part, are recomputed only for pairs whose texts changed. For tens of thousands of
projects set MATCH_AUTO_REFRESH = False and run the CLI command on a schedule instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import AccountStatus, Consent, Organization, OrgKind, Role, User
from ..accounts.services import active_admins
from ..core.services import N_, notify, record
from ..db import db, utcnow
from ..submissions.models import Project
from ..submissions.status import SELECTED_STATES, VISIBLE_TO_COMPANIES, Status
from ..textengine import engine
from .models import (
    STAGE_ORDER,
    Connection,
    ConnectionEvent,
    ConnectionStage,
    ConnectionStatus,
    MatchResult,
    OrgProfile,
    ProfileKind,
    ProfileStatus,
    SavedProject,
    ShareGrant,
)


class MatchingError(ValueError):
    """A user-facing refusal, already translated into the request's language."""


# --- who is who ----------------------------------------------------------------------------------------

ORG_PROFILE_KIND = {OrgKind.ENTERPRISE: ProfileKind.ENTERPRISE, OrgKind.INVESTOR: ProfileKind.INVESTOR}
ROLE_PROFILE_KIND = {Role.ENTERPRISE: ProfileKind.ENTERPRISE, Role.INVESTOR: ProfileKind.INVESTOR}


def is_company_user(user) -> bool:
    """An approved enterprise or investor account that belongs to an organisation."""
    return bool(user.has_role(Role.ENTERPRISE, Role.INVESTOR) and user.organization_id)


def profile_of(organization_id: int | None) -> OrgProfile | None:
    if organization_id is None:
        return None
    return db.session.scalar(select(OrgProfile).where(OrgProfile.organization_id == organization_id))


def profile_approved(organization_id: int | None) -> bool:
    profile = profile_of(organization_id)
    return profile is not None and profile.is_approved


def org_members(organization_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.organization_id == organization_id,
                User.status == AccountStatus.ACTIVE,
                User.role.in_(tuple(ROLE_PROFILE_KIND)),
            )
        )
    )


# --- profiles ------------------------------------------------------------------------------------------

ENTERPRISE_FIELDS = (
    "business_scope",
    "product_lines",
    "registered_products",
    "rd_capability",
    "manufacturing_capability",
    "registration_experience",
    "region",
    "cooperation_modes",
    "stages",
)
INVESTOR_FIELDS = ("focus_areas", "stages", "ticket_min", "ticket_max", "region", "cooperation_modes")


def profile_fields(kind: ProfileKind) -> tuple[str, ...]:
    return INVESTOR_FIELDS if kind == ProfileKind.INVESTOR else ENTERPRISE_FIELDS


def new_profile(user) -> OrgProfile:
    """An unsaved profile for the user's organisation, pre-filled with what registration already knows."""
    org = user.organization
    kind = ORG_PROFILE_KIND.get(org.kind) or ROLE_PROFILE_KIND[user.role]
    return OrgProfile(
        organization=org,
        organization_id=org.id,
        kind=kind,
        region=org.province,
        registration_experience=[],
        cooperation_modes=[],
        stages=[],
    )


def save_profile(profile: OrgProfile, data: dict, user) -> OrgProfile:
    """Store an edit by a member of the organisation. A new or rejected profile goes (back) to the
    administrators' queue; an approved one stays approved and its matches are refreshed at commit."""
    for name in profile_fields(profile.kind):
        if name in data:
            setattr(profile, name, data[name])
    profile.updated_by_id = user.id
    first_time = profile.id is None
    if first_time or profile.status == ProfileStatus.REJECTED:
        profile.status = ProfileStatus.PENDING
        profile.review_note = ""
        for admin in active_admins():
            notify(
                admin,
                N_("Organisation profile awaiting approval: %(org)s"),
                "/matching/admin/profiles",
                org=profile.organization.name,
            )
    db.session.add(profile)
    db.session.flush()
    record(
        "profile.created" if first_time else "profile.updated",
        profile,
        actor=user,
        organization=profile.organization.name,
    )
    return profile


def decide_profile(profile: OrgProfile, approve: bool, admin, note: str = "") -> None:
    if not approve and not note.strip():
        raise MatchingError(_("Please tell the organisation what to change."))
    profile.status = ProfileStatus.APPROVED if approve else ProfileStatus.REJECTED
    profile.review_note = "" if approve else note.strip()
    profile.approved_by_id = admin.id if approve else None
    profile.approved_at = utcnow() if approve else None
    record(
        "profile.approved" if approve else "profile.rejected", profile, actor=admin, note=profile.review_note
    )
    message = (
        N_("Your organisation profile has been approved: matched projects are now available.")
        if approve
        else N_("Your organisation profile was returned: %(note)s")
    )
    for member in org_members(profile.organization_id):
        notify(member, message, "/matching/profile", note=profile.review_note)


def profiles_for_review(status: ProfileStatus | None = None) -> list[OrgProfile]:
    query = (
        select(OrgProfile)
        .options(joinedload(OrgProfile.organization))
        .order_by((OrgProfile.status == ProfileStatus.PENDING).desc(), OrgProfile.updated_at.desc())
    )
    if status is not None:
        query = query.where(OrgProfile.status == status)
    return list(db.session.scalars(query))


def profile_counts() -> dict[str, int]:
    rows = db.session.execute(select(OrgProfile.status, func.count()).group_by(OrgProfile.status))
    return {str(status): count for status, count in rows}


# --- which projects companies may see ------------------------------------------------------------------


def matchable_clause():
    """Released for matching (or later), or selected with published results."""
    return or_(
        Project.status.in_(tuple(VISIBLE_TO_COMPANIES)),
        and_(Project.status.in_(tuple(SELECTED_STATES)), Project.published_at.is_not(None)),
    )


def is_matchable(project: Project) -> bool:
    status = Status(project.status)
    return status in VISIBLE_TO_COMPANIES or (status in SELECTED_STATES and project.published_at is not None)


# --- refreshing the stored matches ---------------------------------------------------------------------


# Session keys of the changes that make stored matches stale (see freshness.py).
DIRTY_PROJECTS, DIRTY_ORGS, REFRESHING = "matching.dirty_projects", "matching.dirty_orgs", "matching.refreshing"


@dataclass
class RefreshCounts:
    projects: int = 0
    profiles: int = 0
    rows: int = 0
    explained: int = 0


def _project_attrs(project: Project) -> engine.ProjectAttrs:
    attrs: engine.ProjectAttrs = {
        "stage": str(project.stage),
        "region": project.province,
        "cooperation": list(project.cooperation or ()),
    }
    if project.device_class in engine.DEVICE_CLASSES:
        attrs["device_class"] = str(project.device_class)
    return attrs


def _profile_attrs(profile: OrgProfile) -> engine.ProfileAttrs:
    attrs: engine.ProfileAttrs = {
        "kind": str(profile.kind),
        "region": profile.region,
        "cooperation": list(profile.cooperation_modes or ()),
        "registration_classes": list(profile.registration_experience or ()),
    }
    attrs["investor_stages" if profile.is_investor else "stages"] = list(profile.stages or ())
    return attrs


DEFAULT_MIN_SCORE = 0.03


@dataclass
class _Pair:
    score: float
    signals: tuple[str, ...]
    rank_for_project: int | None = None
    rank_for_org: int | None = None


class _ProfileIndex(engine.TextIndex):
    """Remembers the vector of the last single text it transformed: explaining one project against many
    profiles in a row then vectorises the project's text once (about 3x faster at thousands of profiles)."""

    _last: tuple[str, object] | None = None

    def transform(self, texts):
        if len(texts) == 1 and self._last is not None and self._last[0] == texts[0]:
            return self._last[1]
        rows = super().transform(texts)
        if len(texts) == 1:
            self._last = (texts[0], rows)
        return rows


def _ranked_pairs(
    projects: list[Project], profiles: list[OrgProfile], k: int, min_score: float
) -> tuple[dict[tuple[int, int], _Pair], engine.TextIndex]:
    """Top k both ways, re-ranked with the structured signals, keyed by (project id, organisation id).

    Pairs scoring below `min_score` are dropped: they share a stray character or two, nothing a person would
    call a reason (on the demo data the median stored score is about 0.06; below 0.03 the reasons are single
    characters such as 导 or 性)."""
    profile_index, project_index = _ProfileIndex.pair(
        [(p.organization_id, p.match_text()) for p in profiles], [(p.id, p.full_text()) for p in projects]
    )
    project_attrs = {p.id: _project_attrs(p) for p in projects}
    profile_attrs = {p.organization_id: _profile_attrs(p) for p in profiles}
    fetch = 2 * k  # room for the investors the stage filter removes
    pairs: dict[tuple[int, int], _Pair] = {}
    def kept(matches: list[engine.Match]) -> list[engine.Match]:
        return [m for m in matches if m.score >= min_score][:k]

    for project, found in zip(projects, profile_index.top_k(project_index, k=fetch), strict=True):
        for rank, match in enumerate(kept(engine.rerank(found, project_attrs[project.id], profile_attrs)), 1):
            pairs[(project.id, match.target_id)] = _Pair(match.score, match.reasons, rank_for_project=rank)
    for profile, found in zip(profiles, project_index.top_k(profile_index, k=fetch), strict=True):
        org_id = profile.organization_id
        for rank, match in enumerate(kept(engine.rerank_projects(found, profile_attrs[org_id], project_attrs)), 1):
            pair = pairs.setdefault((match.target_id, org_id), _Pair(match.score, match.reasons))
            pair.rank_for_org = rank
    return pairs, profile_index


def _matchable_projects() -> list[Project]:
    return list(db.session.scalars(
        select(Project).where(matchable_clause())
        .options(joinedload(Project.owner).joinedload(User.organization)).order_by(Project.id)))


def _approved_profiles() -> list[OrgProfile]:
    return list(db.session.scalars(
        select(OrgProfile).where(OrgProfile.status == ProfileStatus.APPROVED)
        .options(joinedload(OrgProfile.organization)).order_by(OrgProfile.organization_id)))


def refresh_matches(project_ids: Iterable[int] | None = None, org_ids: Iterable[int] | None = None) -> RefreshCounts:
    """Recompute and store the top-k matches (per project and per organisation) in the current transaction.

    Rankings are recomputed over every approved profile and matchable project. `project_ids` / `org_ids` name
    whose texts changed: only pairs involving them (or new pairs) get fresh explanations. With neither given,
    everything is recomputed.
    """
    full = project_ids is None and org_ids is None
    changed_projects, changed_orgs = set(project_ids or ()), set(org_ids or ())
    projects, profiles = _matchable_projects(), _approved_profiles()
    counts = RefreshCounts(projects=len(projects), profiles=len(profiles))
    if full:  # everything is recomputed: pending change marks are satisfied
        db.session.info.pop(DIRTY_PROJECTS, None)
        db.session.info.pop(DIRTY_ORGS, None)
    if not projects or not profiles:
        db.session.execute(delete(MatchResult))
        return counts

    config = current_app.config
    pairs, profile_index = _ranked_pairs(
        projects, profiles, config["MATCH_TOP_K"], config.get("MATCH_MIN_SCORE", DEFAULT_MIN_SCORE))
    existing = {(r.project_id, r.organization_id): r for r in db.session.execute(select(
        MatchResult.id, MatchResult.project_id, MatchResult.organization_id, MatchResult.score,
        MatchResult.rank_for_project, MatchResult.rank_for_org))}
    project_text = {p.id: p.full_text() for p in projects}
    now = utcnow()
    updates, inserts = [], []
    for (project_id, org_id), pair in sorted(pairs.items()):  # grouped by project: see _ProfileIndex
        old = existing.pop((project_id, org_id), None)
        values = {"score": pair.score, "rank_for_project": pair.rank_for_project, "rank_for_org": pair.rank_for_org,
                  "computed_at": now}
        if old is not None and not (full or project_id in changed_projects or org_id in changed_orgs):
            if _ranking_differs(old, values):  # texts unchanged: reasons stay, only a rank or score may move
                updates.append({"id": old.id, **values})
            continue
        values["reasons"] = {"terms": list(profile_index.explain(project_text[project_id], org_id, n=5)),
                             "signals": list(pair.signals)}
        counts.explained += 1
        if old is None:
            inserts.append({"project_id": project_id, "organization_id": org_id, **values})
        else:
            updates.append({"id": old.id, **values})
    _write(inserts, updates, [row.id for row in existing.values()])
    counts.rows = len(pairs)
    return counts


def _ranking_differs(old, values: dict) -> bool:
    return (abs(old.score - values["score"]) > 1e-6 or old.rank_for_project != values["rank_for_project"]
            or old.rank_for_org != values["rank_for_org"])


def _write(inserts: list[dict], updates: list[dict], gone: list[int]) -> None:
    for start in range(0, len(gone), 500):
        db.session.execute(delete(MatchResult).where(MatchResult.id.in_(gone[start : start + 500])))
    if updates:
        db.session.execute(update(MatchResult), updates)
    if inserts:
        db.session.execute(insert(MatchResult), inserts)


# --- reading the stored matches ------------------------------------------------------------------------

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
    query = (
        select(Project, MatchResult, SavedProject.id)
        .outerjoin(MatchResult, match_join)
        .outerjoin(SavedProject, saved_join)
        .where(matchable_clause())
    )
    if filters.scope == "matched":
        query = query.where(MatchResult.id.is_not(None))
    elif filters.scope == "saved":
        query = query.where(SavedProject.id.is_not(None))
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
    specialties = db.session.scalars(
        select(Project.specialty)
        .where(matchable_clause(), Project.specialty != "")
        .distinct()
        .order_by(Project.specialty)
    )
    regions = db.session.scalars(
        select(Organization.province)
        .join(User, User.organization_id == Organization.id)
        .join(Project, Project.owner_id == User.id)
        .where(matchable_clause(), Organization.province != "")
        .distinct()
        .order_by(Organization.province)
    )
    return {"specialties": list(specialties), "regions": list(regions)}


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
    return list(
        db.session.scalars(
            select(MatchResult)
            .join(Project, Project.id == MatchResult.project_id)
            .where(MatchResult.organization_id == organization_id, matchable_clause())
            .options(joinedload(MatchResult.project))
            .order_by(MatchResult.score.desc())
            .limit(limit)
        )
    )


# --- saved projects ------------------------------------------------------------------------------------


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
        db.session.add(
            SavedProject(organization_id=user.organization_id, project_id=project.id, saved_by_id=user.id)
        )
    elif not saved:
        db.session.execute(
            delete(SavedProject).where(
                SavedProject.organization_id == user.organization_id, SavedProject.project_id == project.id
            )
        )


# --- share grants (the consent gate) -------------------------------------------------------------------

SHARED_ITEMS = ("confidential_details", "attachments", "name", "hospital", "phone", "email")


def active_grant(project_id: int, organization_id: int | None) -> ShareGrant | None:
    if organization_id is None:
        return None
    return db.session.scalar(
        select(ShareGrant).where(
            ShareGrant.project_id == project_id,
            ShareGrant.organization_id == organization_id,
            ShareGrant.revoked_at.is_(None),
        )
    )


def has_confidential_access(user, project) -> bool:
    """True when the user's organisation holds the clinician's active grant for this project."""
    return is_company_user(user) and active_grant(project.id, user.organization_id) is not None


def consent_text(project: Project, organization: Organization) -> str:
    return _(
        "I agree that %(company)s may see the confidential details and attachments of my project "
        "“%(project)s”, and my name, hospital, phone number and e-mail address, so that we can discuss "
        "cooperation. I can withdraw this consent at any time; the company then loses access at once.",
        company=organization.name,
        project=project.title,
    )


def grant_access(connection: Connection, doctor) -> ShareGrant:
    """Record the clinician's separate consent naming the company (PIPL Art. 23) and open the gate."""
    project, org = connection.project, connection.organization
    consent = Consent(
        user_id=doctor.id,
        kind="share_grant",
        version="1",
        text=consent_text(project, org),
        detail={
            "project_id": project.id,
            "project": project.title,
            "organization_id": org.id,
            "organization": org.name,
            "shared": list(SHARED_ITEMS),
        },
    )
    db.session.add(consent)
    db.session.flush()
    grant = ShareGrant(
        project_id=project.id,
        organization_id=org.id,
        connection_id=connection.id,
        consent_id=consent.id,
        granted_by_id=doctor.id,
    )
    db.session.add(grant)
    db.session.flush()
    record("grant.created", grant, actor=doctor, project_id=project.id, organization=org.name)
    return grant


def revoke_grant(grant: ShareGrant, doctor) -> None:
    if not grant.is_active:
        raise MatchingError(_("This access has already been withdrawn."))
    grant.revoked_at = utcnow()
    if grant.consent is not None:
        grant.consent.revoked_at = grant.revoked_at
    record(
        "grant.revoked",
        grant,
        actor=doctor,
        project_id=grant.project_id,
        organization=grant.organization.name,
    )
    connection = db.session.get(Connection, grant.connection_id) if grant.connection_id else None
    if connection is not None:
        _system_event(connection, "grant_revoked", doctor)
    for member in org_members(grant.organization_id):
        notify(
            member,
            N_("The clinician withdrew your access to the details of “%(project)s”."),
            f"/matching/projects/{grant.project_id}",
            project=grant.project.title,
        )


def record_grant_view(user, project: Project, what: str = "details", **detail) -> None:
    """Every view of granted material goes to the audit log."""
    record("grant.view", project, actor=user, organization_id=user.organization_id, what=what, **detail)


def grants_for_connection(connection: Connection) -> list[ShareGrant]:
    return list(
        db.session.scalars(
            select(ShareGrant)
            .where(
                ShareGrant.project_id == connection.project_id,
                ShareGrant.organization_id == connection.organization_id,
            )
            .order_by(ShareGrant.id.desc())
        )
    )


# --- connections (对接) ---------------------------------------------------------------------------------

REASON_MIN_LENGTH = 10
EVENT_KINDS = ("meeting", "nda_signed", "agreement", "incubation", "note")  # added by either side
SYSTEM_EVENTS = ("requested", "accepted", "declined", "withdrawn", "grant_revoked", "regranted", "closed")
EVENT_STAGE = {
    "meeting": ConnectionStage.MEETING,
    "nda_signed": ConnectionStage.NDA,
    "agreement": ConnectionStage.AGREEMENT,
    "incubation": ConnectionStage.INCUBATION,
}


def open_connection(project_id: int, organization_id: int) -> Connection | None:
    return db.session.scalar(
        select(Connection).where(
            Connection.project_id == project_id,
            Connection.organization_id == organization_id,
            Connection.status.in_((ConnectionStatus.REQUESTED, ConnectionStatus.ACCEPTED)),
        )
    )


def latest_connection(project_id: int, organization_id: int) -> Connection | None:
    return db.session.scalar(
        select(Connection)
        .where(Connection.project_id == project_id, Connection.organization_id == organization_id)
        .order_by(Connection.id.desc())
        .limit(1)
    )


def _system_event(connection: Connection, kind: str, actor, text: str = "") -> None:
    connection.events.append(
        ConnectionEvent(kind=kind, happened_on=date.today(), text=text, author_id=actor.id)
    )


def request_connection(project: Project, user, reason: str) -> Connection:
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise MatchingError(
            _("Please explain your interest in at least %(num)d characters.", num=REASON_MIN_LENGTH)
        )
    if not is_matchable(project) or not profile_approved(user.organization_id):
        raise MatchingError(_("This project is not open for connection requests."))
    if open_connection(project.id, user.organization_id) is not None:
        raise MatchingError(_("Your organisation already has a connection with this project."))
    connection = Connection(
        project=project,
        organization_id=user.organization_id,
        requested_by_id=user.id,
        reason=reason,
        status=ConnectionStatus.REQUESTED,
    )
    db.session.add(connection)
    _system_event(connection, "requested", user, reason)
    db.session.flush()
    record("connection.requested", connection, actor=user, project_id=project.id)
    notify(
        project.owner,
        N_("%(org)s asks to connect about your project “%(project)s”."),
        f"/matching/connections/{connection.id}",
        org=user.org_name,
        project=project.title,
    )
    return connection


def decide_connection(connection: Connection, doctor, accept: bool, note: str = "") -> None:
    if connection.status != ConnectionStatus.REQUESTED:
        raise MatchingError(_("This request has already been answered or withdrawn."))
    connection.status = ConnectionStatus.ACCEPTED if accept else ConnectionStatus.DECLINED
    connection.decided_at = utcnow()
    connection.decision_note = note.strip()
    _system_event(connection, "accepted" if accept else "declined", doctor, connection.decision_note)
    if accept:
        grant_access(connection, doctor)
    record(f"connection.{connection.status}", connection, actor=doctor, project_id=connection.project_id)
    message = (
        N_("%(name)s accepted your connection request for “%(project)s”.")
        if accept
        else N_("%(name)s declined your connection request for “%(project)s”.")
    )
    for member in org_members(connection.organization_id):
        notify(
            member,
            message,
            f"/matching/connections/{connection.id}",
            name=doctor.name,
            project=connection.project.title,
        )


def regrant(connection: Connection, doctor) -> ShareGrant:
    """Share the details again after a withdrawal (a new, separate consent)."""
    if connection.status != ConnectionStatus.ACCEPTED:
        raise MatchingError(_("Details can only be shared within an accepted connection."))
    if active_grant(connection.project_id, connection.organization_id) is not None:
        raise MatchingError(_("This company already has access."))
    grant = grant_access(connection, doctor)
    _system_event(connection, "regranted", doctor)
    for member in org_members(connection.organization_id):
        notify(
            member,
            N_("%(name)s shared the details of “%(project)s” with you."),
            f"/matching/projects/{connection.project_id}",
            name=doctor.name,
            project=connection.project.title,
        )
    return grant


def withdraw_connection(connection: Connection, user) -> None:
    if connection.status != ConnectionStatus.REQUESTED:
        raise MatchingError(_("Only a request that has not been answered can be withdrawn."))
    connection.status = ConnectionStatus.WITHDRAWN
    connection.closed_at = utcnow()
    _system_event(connection, "withdrawn", user)
    record("connection.withdrawn", connection, actor=user, project_id=connection.project_id)


def close_connection(connection: Connection, user, note: str = "") -> None:
    if connection.status != ConnectionStatus.ACCEPTED:
        raise MatchingError(_("Only an accepted connection can be closed."))
    connection.status = ConnectionStatus.CLOSED
    connection.closed_at = utcnow()
    _system_event(connection, "closed", user, note.strip())
    record("connection.closed", connection, actor=user, project_id=connection.project_id)
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
    link = f"/matching/connections/{connection.id}"
    if user.id == connection.project.owner_id:
        recipients = org_members(connection.organization_id)
    else:
        recipients = [connection.project.owner]
    for person in recipients:
        notify(person, message, link, project=connection.project.title)


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


def withdraw_grants_of_closed_account(_sender, user) -> None:
    """Answers `hooks.personal_data_erase`: a clinician who closes the account takes back every company's access
    to the project details."""
    grants = db.session.scalars(
        select(ShareGrant).join(Project, Project.id == ShareGrant.project_id)
        .where(Project.owner_id == user.id, ShareGrant.revoked_at.is_(None)))
    for grant in grants.all():
        revoke_grant(grant, user)
