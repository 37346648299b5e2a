"""How close an expert's expertise is to a project, and in which words: the evidence behind a proposal.

Expertise is read from the expert's profile (declared specialties, keywords, department, biography) and from the
projects the expert reviewed before (submitted reviews), each kept as its own document of the text engine's
matching index, so that a reason says where it was found. Affinity ranks in two stages, as the matcher does:

1. lexical: the index's score of the project's text against the expert's documents (best document plus a small
   share of the second best); the experts sharing a term with the project are the candidates;
2. semantic: the candidates' z-scored lexical scores are mixed with the z-scored cosines of sentence embeddings
   (the project's stored sections against the expert's closest document) with the engine's ``semantic_weight``,
   and the mix is put linearly on the range of the lexical shares (the closest expert 1; without a model, the
   affinity is exactly the lexical score divided by the best).

The embeddings come through `hooks.expertise_embeddings` (matching keeps them with its documents: an expert's
document is embedded when its text changes, never twice, and in a request only with MATCH_EMBED_IN_REQUESTS; a
text still waiting ranks by its words). Without a model the lexical stage ranks alone and the log says so once.
Reasons are always lexical: whole terms shared by the two sides, never a lone character nor a generic word (导致,
判断, 内科, 患者), each labelled with its source. Affinities are relative to the project: 1 is the closest expert of
the pool, 0 shares nothing with it (whatever the scale of the engine's scores, the solver weighs every project
alike).

Specialty is a separate, stronger signal than words: an expert is *inside* a project's specialty when the
specialty is among the ones they declare (their profile's specialties, or their department). The solver fills a
place with someone outside only when no one inside is free, and the proposal is then flagged.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core import hooks
from ..submissions.models import Project
from ..textengine.index import Doc, EngineConfig, MatchIndex
from ..textengine.scoring import zscore
from .models import ExpertProfile

log = logging.getLogger(__name__)

# Where a reason was found (stored with the proposal; templates/reviews/_reasons.html names them)
SPECIALTY, KEYWORDS, DEPARTMENT, BIO, REVIEWED = "specialty", "keywords", "department", "bio", "reviewed"
PROFILE_SOURCES = (SPECIALTY, KEYWORDS, DEPARTMENT, BIO)
REVIEWED_PER_EXPERT = 20  # the latest reviews count; older ones add little and cost time
REASONS = 4
# every expert document is a candidate of the lexical stage (the index's default keeps the best 300 only)
_CONFIG = EngineConfig(n_candidates=1_000_000)
# Branches of medicine named bare: every clinician's department contains one, so sharing it says nothing
# ('内科' in 心血管内科 and 神经内科). The text engine's vocabulary lists them as clinical terms.
BARE_BRANCHES = frozenset({"内科", "外科", "专科", "科室", "临床", "医学", "医疗", "诊疗", "治疗"})
_SEPARATORS = re.compile(r"[,，、;；/|\n]+")
_SUFFIXES = "科部室"


# --- specialties ---------------------------------------------------------------------------------------------

def declared_specialties(profile: ExpertProfile) -> list[str]:
    """The specialties an expert declares: their profile's list, then their department if not already in it."""
    names = [s.strip() for s in _SEPARATORS.split(profile.specialties or "") if s.strip()]
    department = _department(profile)
    if department and not any(same_specialty(department, name) for name in names):
        names.append(department)
    return names


def _folded(name: str) -> str:
    name = unicodedata.normalize("NFKC", name or "").strip().lower()
    trimmed = name.rstrip(_SUFFIXES)
    return trimmed if len(trimmed) >= 2 else name


def same_specialty(a: str, b: str) -> bool:
    """'神经介入科' is '神经介入', '眼科' is within '眼科影像', '呼吸' within '呼吸与危重症医学科'; '内科' is not
    '心血管内科' (the suffix is folded before comparing); empty never matches."""
    x, y = _folded(a), _folded(b)
    if not x or not y:
        return False
    short, long_ = sorted((x, y), key=len)
    return short == long_ or (len(short) >= 2 and short in long_)


def matching_specialty(project_specialty: str, declared: Iterable[str]) -> str | None:
    """The expert's declared specialty that covers the project's, or None (outside)."""
    return next((name for name in declared if same_specialty(project_specialty, name)), None)


# --- affinity and reasons ------------------------------------------------------------------------------------

@dataclass
class Expertise:
    """Affinity of (project, expert) pairs, specialty fit, and the labelled reasons of a pair on demand."""

    scores: dict[tuple[int, int], float]
    index: MatchIndex | None
    project_texts: dict[int, str]
    project_specialties: dict[int, str] = field(default_factory=dict)
    declared: dict[int, list[str]] = field(default_factory=dict)

    def of(self, project_id: int, expert_id: int) -> float:
        return self.scores.get((project_id, expert_id), 0.0)

    def specialty_match(self, project_id: int, expert_id: int) -> str | None:
        return matching_specialty(self.project_specialties.get(project_id, ""), self.declared.get(expert_id, []))

    def inside(self, project_id: int, expert_id: int) -> bool:
        """Inside the project's specialty (a project without one has no outside)."""
        return not self.project_specialties.get(project_id) or self.specialty_match(project_id, expert_id) is not None

    def reasons(self, project_id: int, expert_id: int, n: int = REASONS) -> list[dict]:
        """What the proposal stores and shows: the specialty that fits, or a flag when the expert is outside it,
        then up to n shared terms, each with where it was found."""
        out: list[dict] = []
        specialty = self.project_specialties.get(project_id, "")
        if specialty:
            fit = self.specialty_match(project_id, expert_id)
            out.append({"term": fit, "where": SPECIALTY} if fit else {"outside": specialty})
        if self.index is not None and self.of(project_id, expert_id) > 0:
            found = self.index.reasons(self.project_texts[project_id], "profiles", expert_id, n=n + len(BARE_BRANCHES))
            for reason in found:
                if reason.term not in BARE_BRANCHES and not any(reason.term == r.get("term") for r in out):
                    out.append({"term": reason.term, "where": reason.field})
        return out[:n + 1]


def expertise(projects: Sequence[Project], profiles: Mapping[int, ExpertProfile],
              reviewed: Mapping[int, Sequence[str]] | None = None) -> Expertise:
    """Score every (project, expert) pair. `profiles`: expert id -> profile (its user loaded); `reviewed`: expert
    id -> texts of projects they reviewed before (latest first)."""
    reviewed = reviewed or {}
    project_texts = {p.id: p.full_text() for p in projects}
    declared = {expert_id: declared_specialties(profile) for expert_id, profile in profiles.items()}
    result = Expertise({}, None, project_texts, {p.id: (p.specialty or "").strip() for p in projects}, declared)
    by_expert = {expert_id: _expert_docs(expert_id, profile, reviewed.get(expert_id, ()))
                 for expert_id, profile in profiles.items()}
    docs = [doc for found in by_expert.values() for doc in found]
    if not projects or not docs:
        return result
    try:
        index = MatchIndex.build(docs, [Doc(pid, "project", text) for pid, text in project_texts.items()],
                                 config=_CONFIG, embedder=None)
    except ValueError:  # no usable term on either side (empty profiles and texts)
        return result
    result.index = index
    semantic = _semantic_stage(projects, by_expert)
    for project_id, text in project_texts.items():
        matches = index.match(text, "profiles", k=len(profiles), n_reasons=0)
        lexical = {m.target_id: m.lexical for m in matches if m.lexical > 0}
        similar = semantic.similarity(project_id) if semantic is not None else {}
        for expert_id, score in _reranked(lexical, similar).items():
            result.scores[(project_id, expert_id)] = score
    return result


def _reranked(lexical: Mapping[int, float], similar: Mapping[int, float]) -> dict[int, float]:
    """expert id -> affinity (0..1] of the lexical candidates: the lexical score divided by the best, or, with a
    cosine for some of them, both stages mixed as the matcher mixes them (z-scores, the engine's semantic weight; an
    expert without a cosine counts as average) and put linearly on the same range (the closest expert 1, the
    farthest candidate the lowest lexical share), so that the semantic stage also separates lexical ties."""
    if not lexical:
        return {}
    experts = list(lexical)
    lex = np.array([lexical[e] for e in experts], dtype=np.float64)
    share = lex / lex.max()
    if not any(e in similar for e in experts):
        return {e: round(float(v), 4) for e, v in zip(experts, share, strict=True)}
    sem = np.array([similar.get(e, np.nan) for e in experts], dtype=np.float64)
    sem[np.isnan(sem)] = np.nanmean(sem)
    w = _CONFIG.semantic_weight
    combined = (1.0 - w) * zscore(lex) + w * zscore(sem)
    low, spread = float(combined.min()), float(combined.max() - combined.min())
    floor = float(share.min())
    mixed = floor + (1.0 - floor) * (combined - low) / spread if spread > 1e-9 else np.ones_like(share)
    return {e: round(float(v), 4) for e, v in zip(experts, mixed, strict=True)}


# --- the semantic stage --------------------------------------------------------------------------------------

@dataclass
class _Semantic:
    """The projects' vectors and every expert document's that has one (rows of `vectors`, owner by owner)."""

    projects: dict[int, np.ndarray]
    experts: list[int]
    owner: np.ndarray  # each row's position in `experts`
    vectors: np.ndarray

    def similarity(self, project_id: int) -> dict[int, float]:
        """expert id -> the cosine of the project with the expert's closest document ({} without a vector)."""
        query = self.projects.get(project_id)
        if query is None or not len(self.experts):
            return {}
        best = np.full(len(self.experts), -np.inf, dtype=np.float32)
        np.maximum.at(best, self.owner, self.vectors @ np.asarray(query, dtype=np.float32))
        return {expert_id: float(best[i]) for i, expert_id in enumerate(self.experts)}


_said_lexical = False


def _semantic_stage(projects: Sequence[Project], by_expert: Mapping[int, Sequence[Doc]]) -> _Semantic | None:
    """Ask for the stored embeddings of the experts' documents and of the projects (None without a model)."""
    global _said_lexical
    kept = {expert_id: _kept(docs) for expert_id, docs in by_expert.items()}
    found = next(iter(hooks.collect(hooks.expertise_embeddings, experts=kept, projects=list(projects))), None)
    if found is None:
        if not _said_lexical:
            _said_lexical = True
            log.warning("expert affinity: no embedding model; experts are ranked by the lexical stage only")
        return None
    experts, owner, rows = [], [], []
    for expert_id, docs in by_expert.items():
        vectors = [found.passages[doc.text] for doc in docs if doc.text in found.passages]
        if vectors:
            owner += [len(experts)] * len(vectors)
            experts.append(expert_id)
            rows += vectors
    return _Semantic(dict(found.projects), experts, np.asarray(owner, dtype=np.intp),
                     np.stack(rows).astype(np.float32) if rows else np.zeros((0, 1), dtype=np.float32))


def _kept(docs: Sequence[Doc]) -> list[tuple[str, str]]:
    """An expert's documents as they are kept with their embeddings, (key, text): each profile field, empty when
    the expert emptied it (the kept copy goes too), and each reviewed project under its text's digest (the latest
    reviews change as the expert reviews more, and a round leaves its own projects out: each text keeps its
    embedding)."""
    fields = {doc.field: doc.text for doc in docs if doc.field != REVIEWED}
    return [(source, fields.get(source, "")) for source in PROFILE_SOURCES] + [
        (f"{REVIEWED}:{hashlib.sha256(doc.text.encode('utf-8')).hexdigest()[:16]}", doc.text)
        for doc in docs if doc.field == REVIEWED]


def expertise_documents() -> dict[int, list[tuple[str, str]]]:
    """Every active expert's documents as they are kept with their embeddings: `flask refresh-matches` embeds those
    changed since (a profile edited after the last proposal, a review submitted)."""
    from .assignment import expert_pool, profiles_by_expert, reviewed_texts  # assignment builds on this module

    experts = expert_pool()
    profiles = profiles_by_expert(experts)
    reviewed = reviewed_texts([e.id for e in experts], exclude=set())
    return {e.id: _kept(_expert_docs(e.id, profiles[e.id], reviewed.get(e.id, ()))) for e in experts}


def _expert_docs(expert_id: int, profile: ExpertProfile, reviewed: Sequence[str]) -> list[Doc]:
    parts = [(SPECIALTY, profile.specialties), (KEYWORDS, profile.keywords),
             (DEPARTMENT, _department(profile)), (BIO, profile.bio)]
    parts += [(REVIEWED, text) for text in reviewed[:REVIEWED_PER_EXPERT]]
    return [Doc(expert_id, source, text) for source, text in parts if text and text.strip()]


def _department(profile: ExpertProfile) -> str:
    return ((profile.user.department if profile.user is not None else "") or "").strip()
