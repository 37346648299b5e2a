"""Refreshing the stored matches from the stored index (store.py). Pages only read `MatchResult`.

- Whole refresh (`refresh_matches()`: ``flask refresh-matches``, the demo, the administrators' button): every
  document is stored again, the index is refitted (outside requests only; a request ranks with the stored index)
  and every project's and organisation's top k is recomputed and explained.
- A change (`refresh_matches(project_ids=..., org_ids=...)`, run by freshness.py inside the commit that changes a
  project or a profile): the changed documents are transformed with the stored vocabulary, then only the rankings
  they can move are recomputed: the changed projects' and organisations' own, and the other side's owners that
  had them among their matches or that they now find among their best candidates. Pairs of unchanged texts keep
  their reasons. Outside a request, a change refits first when no index exists yet or when the share of unknown
  terms passed MATCH_REFIT_NEW_TERMS (so that tests, the demo and scripts see a fresh vocabulary).

A pair's score is its lexical cosine (organisation scored by its best documents) put in the semantic stage's
order, times the structured bonus; pairs under MATCH_MIN_SCORE (lexical) are dropped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, has_request_context
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..db import db, utcnow
from ..submissions.models import Project
from ..textengine import engine
from ..textengine.index import MatchIndex, OrgMatch
from . import documents, store
from .common import matchable_clause
from .documents import PROFILES, PROJECTS, PUBLIC_SECTIONS
from .models import MatchDocument, MatchResult, OrgProfile, ProfileStatus

# Session keys of the changes that make stored matches stale (see freshness.py).
DIRTY_PROJECTS, DIRTY_ORGS, REFRESHING = "matching.dirty_projects", "matching.dirty_orgs", "matching.refreshing"

DEFAULT_MIN_SCORE = 0.03
N_REASONS = 5


@dataclass
class RefreshCounts:
    projects: int = 0
    profiles: int = 0
    rows: int = 0
    explained: int = 0
    refitted: bool = False
    ms: float = 0.0


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


@dataclass
class _Pair:
    score: float
    signals: tuple[str, ...]
    rank_for_project: int | None = None
    rank_for_org: int | None = None


@dataclass
class _Scope:
    """What a refresh recomputes: the projects whose own ranking and the organisations whose own ranking."""

    projects: set[int] = field(default_factory=set)
    orgs: set[int] = field(default_factory=set)
    changed_projects: set[int] = field(default_factory=set)
    changed_orgs: set[int] = field(default_factory=set)
    full: bool = False


def _in_lexical_scale(found: list[OrgMatch]) -> list[tuple[int, float, float]]:
    """(target, text score, lexical): the engine's order (semantic stage included) with the lexical scores put back
    in that order, so that scores stay cosines (shown as a bar, thresholded) while the order is the engine's."""
    scale = sorted((m.lexical for m in found), reverse=True)
    return [(m.target_id, scale[i], m.lexical) for i, m in enumerate(found)]


class _Ranker:
    def __init__(self, index: MatchIndex, matchable: set[int], approved: set[int]) -> None:
        config = current_app.config
        self.index, self.matchable, self.approved = index, matchable, approved
        self.k = int(config["MATCH_TOP_K"])
        self.min_score = float(config.get("MATCH_MIN_SCORE", DEFAULT_MIN_SCORE))
        self.projects: dict[int, Project] = {}
        self.profiles: dict[int, OrgProfile] = {}
        indexed = db.session.scalar(select(func.count(func.distinct(MatchDocument.owner_id))).where(
            MatchDocument.side == PROJECTS, MatchDocument.text != "")) or 0
        self.hidden = max(indexed - len(matchable), 0)  # indexed projects not released (near-duplicates only)

    def candidates_for_project(self, project_id: int) -> list[tuple[int, float, float]]:
        found = self.index.match_owner(PROJECTS, project_id, PROFILES, k=2 * self.k, n_reasons=0)
        return _in_lexical_scale([m for m in found if m.target_id in self.approved])

    def candidates_for_org(self, org_id: int) -> list[tuple[int, float, float]]:
        found = self.index.match_owner(PROFILES, org_id, PROJECTS, k=2 * self.k + self.hidden, n_reasons=0)
        return _in_lexical_scale([m for m in found if m.target_id in self.matchable][: 2 * self.k])

    def load(self, project_ids: Iterable[int], org_ids: Iterable[int]) -> None:
        """Load the projects and profiles whose attributes and texts the bonuses and reasons read, in bulk."""
        need = set(project_ids) - set(self.projects)
        for start in range(0, len(need), 500):
            chunk = sorted(need)[start : start + 500]
            for project in db.session.scalars(select(Project).where(Project.id.in_(chunk)).options(
                    joinedload(Project.owner).joinedload(User.organization))):
                self.projects[project.id] = project
        need = set(org_ids) - set(self.profiles)
        for start in range(0, len(need), 500):
            chunk = sorted(need)[start : start + 500]
            for profile in db.session.scalars(select(OrgProfile).where(OrgProfile.organization_id.in_(chunk))
                                              .options(joinedload(OrgProfile.organization))):
                self.profiles[profile.organization_id] = profile

    def ranked(self, candidates: list[tuple[int, float, float]], bonus_of) -> list[tuple[int, float, tuple]]:
        """Structured bonuses and filters (investor stages), the minimum lexical score, the top k."""
        rows = []
        for target, text_score, lexical in candidates:
            if lexical < self.min_score:
                continue
            result = bonus_of(target)
            if result is None:
                continue
            bonus, signals = result
            rows.append((target, round(text_score * (1.0 + bonus), 6), signals))
        rows.sort(key=lambda row: -row[1])
        return rows[: self.k]

    def project_bonus(self, project_id: int):
        attrs = _project_attrs(self.projects[project_id])
        return lambda org_id: engine.pair_bonus(attrs, _profile_attrs(self.profiles[org_id]))

    def org_bonus(self, org_id: int):
        attrs = _profile_attrs(self.profiles[org_id])
        return lambda project_id: engine.pair_bonus(_project_attrs(self.projects[project_id]), attrs)

    def reasons(self, project_id: int, org_id: int, signals: tuple[str, ...]) -> dict:
        """Labelled reasons of a pair: from the project's public summary (what a company sees before consent) and
        from every indexed section (for the clinician, administrators and companies it was shared with)."""
        project = self.projects[project_id]
        public = self.index.reasons(documents.project_text(project, PUBLIC_SECTIONS), PROFILES, org_id, N_REASONS)
        full = self.index.reasons(documents.project_text(project), PROFILES, org_id, N_REASONS)
        return {"terms": [r.term for r in public], "labelled": [[r.term, r.field] for r in public],
                "full": [[r.term, r.field] for r in full], "signals": list(signals)}


def _ids(query) -> set[int]:
    return set(db.session.scalars(query))


def _sync_everything() -> None:
    indexable = db.session.scalars(select(Project).where(Project.status.not_in(documents.NOT_INDEXED)))
    documents.sync_all(PROJECTS, {p.id: docs for p in indexable if (docs := documents.project_docs(p))})
    approved = db.session.scalars(select(OrgProfile).where(OrgProfile.status == ProfileStatus.APPROVED)
                                  .options(joinedload(OrgProfile.organization)))
    documents.sync_all(PROFILES, {p.organization_id: docs for p in approved if (docs := documents.profile_docs(p))})


def _sync_changed(project_ids: set[int], org_ids: set[int]) -> None:
    for project_id in project_ids:
        project = db.session.get(Project, project_id)
        docs = documents.project_docs(project) if project is not None else []
        documents.sync(PROJECTS, project_id, docs)
        store.apply(PROJECTS, project_id, docs)
    for org_id in org_ids:
        profile = db.session.scalar(select(OrgProfile).where(OrgProfile.organization_id == org_id))
        docs = documents.profile_docs(profile) if profile is not None else []
        documents.sync(PROFILES, org_id, docs)
        store.apply(PROFILES, org_id, docs)


def refresh_matches(project_ids: Iterable[int] | None = None, org_ids: Iterable[int] | None = None,
                    refit: bool | None = None) -> RefreshCounts:
    """Recompute and store matches in the current transaction (flushes; the caller commits).

    With neither `project_ids` nor `org_ids`, everything (refitting the index unless in a request or told
    `refit=False`); otherwise what the changes of those projects and organisations can move.
    """
    started = time.perf_counter()
    scope = _Scope(changed_projects=set(project_ids or ()), changed_orgs=set(org_ids or ()))
    scope.full = project_ids is None and org_ids is None
    in_request = has_request_context()
    if scope.full:  # everything is recomputed: pending change marks are satisfied
        db.session.info.pop(DIRTY_PROJECTS, None)
        db.session.info.pop(DIRTY_ORGS, None)
        _sync_everything()
    else:
        _sync_changed(scope.changed_projects, scope.changed_orgs)
    index = store.current()
    refitted = False
    if not in_request and refit is not False and (
            refit or scope.full or index is None or index.new_term_share() > store.refit_threshold()):
        index, refitted, scope.full = store.refit(), True, True
    matchable, approved = _ids(select(Project.id).where(matchable_clause())), _ids(
        select(OrgProfile.organization_id).where(OrgProfile.status == ProfileStatus.APPROVED))
    counts = RefreshCounts(projects=len(matchable), profiles=len(approved), refitted=refitted)
    if index is None:  # nothing fitted yet, and this is a request: `flask refresh-matches` will do it
        return counts
    ranker = _Ranker(index, matchable, approved)
    pairs = _rank(ranker, scope)
    counts.explained = _store(ranker, scope, pairs)
    counts.rows = db.session.scalar(select(func.count()).select_from(MatchResult)) or 0
    counts.ms = (time.perf_counter() - started) * 1000
    return counts


def _rank(ranker: _Ranker, scope: _Scope) -> dict[tuple[int, int], _Pair]:
    """Fill the scope (a change reaches the owners that had, or would now have, the changed one) and rank it."""
    if scope.full:
        scope.projects, scope.orgs = set(ranker.matchable), set(ranker.approved)
    else:
        scope.projects |= scope.changed_projects & ranker.matchable
        scope.orgs |= scope.changed_orgs & ranker.approved
        rows = db.session.execute(select(MatchResult.project_id, MatchResult.organization_id).where(or_(
            MatchResult.project_id.in_(scope.changed_projects), MatchResult.organization_id.in_(scope.changed_orgs))))
        for project_id, org_id in rows:
            scope.orgs.add(org_id) if project_id in scope.changed_projects else scope.projects.add(project_id)
    merged: dict[int, list[tuple[int, float, tuple]]] = {}
    if scope.changed_projects and not scope.changed_orgs and not ranker.index.has_semantic:
        merged = _merge_changed_projects(ranker, scope)
        scope.orgs -= set(merged)
    by_project = {p: ranker.candidates_for_project(p) for p in sorted(scope.projects)}
    by_org = {o: ranker.candidates_for_org(o) for o in sorted(scope.orgs)}
    if not scope.full:  # the other side's owners that now find a changed owner among their best candidates
        for p in scope.changed_projects & set(by_project):
            for o in {t for t, _s, _l in by_project[p]} - set(by_org) - set(merged):
                by_org[o] = ranker.candidates_for_org(o)
        for o in scope.changed_orgs & set(by_org):
            for p in {t for t, _s, _l in by_org[o]} - set(by_project):
                by_project[p] = ranker.candidates_for_project(p)
        scope.projects, scope.orgs = set(by_project), set(by_org) | set(merged)
    ranker.load(set(by_project) | {t for c in by_org.values() for t, _s, _l in c},
                set(by_org) | {t for c in by_project.values() for t, _s, _l in c})
    pairs: dict[tuple[int, int], _Pair] = {}
    for p, found in by_project.items():
        for rank, (o, score, signals) in enumerate(ranker.ranked(found, ranker.project_bonus(p)), 1):
            pairs[(p, o)] = _Pair(score, signals, rank_for_project=rank)
    ranked_by_org = {o: ranker.ranked(found, ranker.org_bonus(o)) for o, found in by_org.items()} | merged
    for o, ranked in ranked_by_org.items():
        for rank, (p, score, signals) in enumerate(ranked, 1):
            pairs.setdefault((p, o), _Pair(score, signals)).rank_for_org = rank
    return pairs


def _merge_changed_projects(ranker: _Ranker, scope: _Scope) -> dict[int, list[tuple[int, float, tuple]]]:
    """The organisations' rankings that changed projects can move, without ranking them again: each changed
    project is scored against every organisation in one pass (`MatchIndex.scored_by_owners`) and merged into the
    organisations' stored lists (the others in a list keep their places; their scores are taken the same way).
    An organisation is left in `scope.orgs`, to be ranked in full, when a changed project drops out of its full
    list (another project it never stored may now come in). Lexical stage only: with the semantic stage an
    organisation's order depends on all its candidates."""
    changed = scope.changed_projects
    lexical = {p: ranker.index.scored_by_owners(PROJECTS, p, PROFILES) for p in changed & ranker.matchable}
    reachable = {o for scores in lexical.values() for o, v in scores.items() if v >= ranker.min_score}
    orgs = (reachable | _ids(select(MatchResult.organization_id).where(
        MatchResult.project_id.in_(changed), MatchResult.rank_for_org.is_not(None)))) & ranker.approved
    stored: dict[int, dict[int, int]] = {}
    for start in range(0, len(orgs), 500):
        chunk = sorted(orgs)[start : start + 500]
        for project_id, org_id, rank in db.session.execute(select(
                MatchResult.project_id, MatchResult.organization_id, MatchResult.rank_for_org).where(
                MatchResult.rank_for_org.is_not(None), MatchResult.organization_id.in_(chunk))):
            stored.setdefault(org_id, {})[project_id] = rank
    ranker.load(set(lexical) | {p for lst in stored.values() for p in lst}, orgs)
    others = {p for o in orgs for p in stored.get(o, {}) if p not in changed and p in ranker.matchable}
    for p in others - set(lexical):
        lexical[p] = ranker.index.scored_by_owners(PROJECTS, p, PROFILES)
    merged: dict[int, list[tuple[int, float, tuple]]] = {}
    for o in sorted(orgs):
        had = stored.get(o, {})
        members = {p for p in had if p not in changed} | (changed & set(lexical))
        found = sorted(((p, lexical[p].get(o, 0.0), lexical[p].get(o, 0.0)) for p in members if p in lexical),
                       key=lambda c: -c[1])
        ranked = ranker.ranked(found, ranker.org_bonus(o))
        kept = {p for p, _s, _g in ranked}
        if len(had) >= ranker.k and any(p in had and p not in kept for p in changed):
            scope.orgs.add(o)  # a changed project dropped out of a full list: rank this organisation in full
            continue
        merged[o] = ranked
    return merged


def _store(ranker: _Ranker, scope: _Scope, pairs: dict[tuple[int, int], _Pair]) -> int:
    """Merge the new rankings into the stored rows of the scope; explain new pairs and pairs of changed texts."""
    query = select(MatchResult.id, MatchResult.project_id, MatchResult.organization_id, MatchResult.score,
                   MatchResult.rank_for_project, MatchResult.rank_for_org, MatchResult.reasons)
    if not scope.full:
        query = query.where(or_(MatchResult.project_id.in_(scope.projects | scope.changed_projects),
                                MatchResult.organization_id.in_(scope.orgs | scope.changed_orgs)))
    existing = {(r.project_id, r.organization_id): r for r in db.session.execute(query)}
    now, explained = utcnow(), 0
    updates, inserts, gone = [], [], []
    for key in sorted(set(existing) | set(pairs)):
        project_id, org_id = key
        old, new = existing.get(key), pairs.get(key)
        if project_id not in ranker.matchable or org_id not in ranker.approved:
            new = None
            values = {"rank_for_project": None, "rank_for_org": None}
        else:
            values = {
                "rank_for_project": new.rank_for_project if new else None,
                "rank_for_org": new.rank_for_org if new else None,
            }
            if old is not None and project_id not in scope.projects:
                values["rank_for_project"] = old.rank_for_project
            if old is not None and org_id not in scope.orgs:
                values["rank_for_org"] = old.rank_for_org
        if values["rank_for_project"] is None and values["rank_for_org"] is None:
            if old is not None:
                gone.append(old.id)
            continue
        values["score"] = new.score if new else old.score
        changed_text = scope.full or project_id in scope.changed_projects or org_id in scope.changed_orgs
        if old is None or changed_text:
            signals = new.signals if new else tuple(old.reasons.get("signals", ()))
            ranker.load([project_id], [org_id])
            values["reasons"] = ranker.reasons(project_id, org_id, signals)
            explained += 1
        elif not _ranking_differs(old, values):
            continue
        values["computed_at"] = now
        if old is None:
            inserts.append({"project_id": project_id, "organization_id": org_id, **values})
        else:
            updates.append({"id": old.id, **values})
    _write(inserts, updates, gone)
    return explained


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
