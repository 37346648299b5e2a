"""Refreshing the stored matches.

Pages only read `MatchResult`; the TF-IDF index is fitted in `refresh_matches`, which runs on
`flask refresh-matches`, and automatically inside the commit that changes a matchable project's public text or
status, or an organisation's profile (see freshness.py). At demo scale (tens of profiles and projects) a
refresh takes well under a second; rankings are always recomputed over everything (one shared IDF), while the
explanations, the costly part, are recomputed only for pairs whose texts changed. For tens of thousands of
projects set MATCH_AUTO_REFRESH = False and run the CLI command on a schedule instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..db import db, utcnow
from ..submissions.models import Project
from ..textengine import engine
from .common import matchable_clause
from .models import MatchResult, OrgProfile, ProfileStatus

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
