"""TF-IDF matching engine: projects <-> enterprise/investor profiles, near duplicates, expert affinity.

Plain Python + scikit-learn + scipy + numpy + sparse_dot_topn (no Flask), so that scripts/match_eval.py and
scripts/bench_match.py run exactly the code the web app runs.

Typical use::

    profiles, projects = TextIndex.pair(profile_docs, project_docs)   # one IDF over both sides
    profiles.query(["新想法的文字"], k=10)                              # one new project -> profiles
    profiles.top_k(projects, k=10)                                     # every project -> its top 10 profiles
    projects.top_k(profiles, k=10)                                     # every profile -> its top 10 projects
    rerank(matches, project_attrs, profile_attrs_by_id)                # structured bonuses and filters

Matching only recommends (PIPL Art. 24): every Match carries the shared terms that explain it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple, TypedDict

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from sparse_dot_topn import sp_matmul_topn

from .text import GENERIC_TERMS, Analyzer, normalize, shared_segments, terms

Id = Hashable


# ---------------------------------------------------------------------------------------------------------
# Vectorizer


@dataclass(frozen=True)
class VectorizerConfig:
    """The one vectorizer configuration shared by the app, the evaluation and the benchmark.

    Measured with scripts/match_eval.py (dev queries, plus 1000/3000 synthetic look-alike profiles):
    ``idf_power=0.5`` (square-root IDF on each side, so a shared term counts with its IDF once, as in
    BM25) beat standard IDF by ~0.04-0.08 MRR with distractors, where IDF squared lets one rare shared
    character outweigh the device concept. Char 1-2 grams beat 1-3 grams (longer n-grams over-reward a
    shared stock phrase); unigrams alone were within noise of 1-2, and bigrams make the reasons readable.
    Single characters stay because many device concepts are one character (栓, 瓣, 镜, 肺).
    sublinear_tf damps profiles that repeat a word; L2 norm makes the dot product a cosine.
    """

    ngram_max: int = 2
    idf_power: float = 0.5
    stop_terms: frozenset[str] = GENERIC_TERMS
    sublinear_tf: bool = True
    min_df: int = 1
    max_df: float = 1.0


def fit_vectorizer(texts: Sequence[str], config: VectorizerConfig = VectorizerConfig()) -> TfidfVectorizer:
    """Fit the shared vectorizer; fit it on the texts of *both* sides so they share vocabulary and IDF."""
    return _fit_transform(texts, config)[0]


def _fit_transform(texts: Sequence[str], config: VectorizerConfig) -> tuple[TfidfVectorizer, sp.csr_matrix]:
    vec = TfidfVectorizer(
        analyzer=Analyzer(config.ngram_max, config.stop_terms),
        sublinear_tf=config.sublinear_tf,
        norm="l2",
        min_df=config.min_df,
        max_df=config.max_df,
        dtype=np.float32,
    )
    matrix = vec.fit_transform(texts).tocsr()
    if config.idf_power != 1.0:
        # Re-weight the columns and re-normalise the rows: the same as fitting with IDF ** idf_power.
        idf = vec.idf_
        vec.idf_ = idf**config.idf_power  # later transform() calls use the same weights
        matrix = l2_normalize(matrix @ sp.diags((idf ** (config.idf_power - 1.0)).astype(np.float32))).tocsr()
    return vec, matrix


# ---------------------------------------------------------------------------------------------------------
# Top-k kernels


class TopK(NamedTuple):
    """Row-wise top-k of a similarity product: indices (-1 = none) and scores, best first."""

    indices: np.ndarray  # (n_rows, k) int64
    scores: np.ndarray  # (n_rows, k) float32


def sparse_top_k(
    queries: sp.csr_matrix, targets_t: sp.csr_matrix, k: int, n_threads: int = 2, threshold: float = 0.0
) -> TopK:
    """queries (n x V) times targets_t (V x m), keeping the k best per row in one pass (sparse_dot_topn).

    Only scores strictly above ``threshold`` are kept, so rows may have fewer than k results.
    """
    product = sp_matmul_topn(
        queries, targets_t, top_n=k, threshold=threshold, sort=True, n_threads=n_threads or None
    )
    return _csr_to_top_k(product.tocsr(), k)


def dense_chunked_top_k(
    queries: sp.csr_matrix, targets_t: sp.csr_matrix, k: int, chunk: int = 512, threshold: float = 0.0
) -> TopK:
    """Baseline: dense blocks of the product and argpartition. Same contract as sparse_top_k."""
    n = queries.shape[0]
    indices = np.full((n, k), -1, dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        block = (queries[start : start + chunk] @ targets_t).toarray().astype(np.float32, copy=False)
        idx, val = _dense_rows_top_k(block, k, threshold)
        indices[start : start + chunk], scores[start : start + chunk] = idx, val
    return TopK(indices, scores)


def _dense_rows_top_k(block: np.ndarray, k: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Top k per row of a dense block: argpartition, then sort the k by score (ties by column)."""
    kk = min(k, block.shape[1])
    part = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
    vals = np.take_along_axis(block, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)
    part, vals = np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)
    indices = np.full((block.shape[0], k), -1, dtype=np.int64)
    scores = np.zeros((block.shape[0], k), dtype=np.float32)
    keep = vals > threshold
    indices[:, :kk] = np.where(keep, part, -1)
    scores[:, :kk] = np.where(keep, vals, 0.0)
    return indices, scores


def _csr_to_top_k(product: sp.csr_matrix, k: int) -> TopK:
    n = product.shape[0]
    lengths = np.diff(product.indptr)
    rows = np.repeat(np.arange(n), lengths)
    # rows come sorted best first from the kernel; rows with ties are sorted again (ties by target index)
    same_row = rows[1:] == rows[:-1]
    steps = np.diff(product.data)
    if np.any(same_row & (steps > 0)):
        order = np.lexsort((product.indices, -product.data, rows))
    else:
        order = np.arange(len(rows))
        tied = np.zeros(n, dtype=bool)
        tied[rows[1:][same_row & (steps == 0)]] = True
        if tied.any():
            sub = np.flatnonzero(tied[rows])
            order[sub] = sub[np.lexsort((product.indices[sub], -product.data[sub], rows[sub]))]
    cols = product.indices[order]
    vals = product.data[order]
    pos = np.arange(len(order)) - np.repeat(product.indptr[:-1], lengths)
    indices = np.full((n, k), -1, dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float32)
    indices[rows, pos], scores[rows, pos] = cols, vals
    return TopK(indices, scores)


# ---------------------------------------------------------------------------------------------------------
# Index


@dataclass(frozen=True)
class Match:
    target_id: Id
    score: float
    reasons: tuple[str, ...] = ()


class TextIndex:
    """Documents (id, text) vectorised with one fitted vectorizer; the targets of query() and top_k().

    Build with ``TextIndex(docs)`` (fits the vectorizer on docs), ``TextIndex(docs, vectorizer=v)`` (reuse
    a vectorizer, e.g. the other side's) or ``TextIndex.pair(left, right)`` (one IDF over both sides).
    """

    def __init__(
        self,
        docs: Sequence[tuple[Id, str]],
        vectorizer: TfidfVectorizer | None = None,
        config: VectorizerConfig = VectorizerConfig(),
        matrix: sp.csr_matrix | None = None,
    ) -> None:
        self.ids: list[Id] = [doc_id for doc_id, _ in docs]
        self.texts: list[str] = [text for _, text in docs]
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("document ids must be unique")
        if vectorizer is None:
            vectorizer, matrix = _fit_transform(self.texts, config)
        self.vectorizer = vectorizer
        if matrix is None:
            matrix = vectorizer.transform(self.texts)
        self.matrix: sp.csr_matrix = matrix.tocsr()
        self._matrix_t: sp.csr_matrix | None = None
        self._position = {doc_id: i for i, doc_id in enumerate(self.ids)}

    @classmethod
    def pair(
        cls,
        left: Sequence[tuple[Id, str]],
        right: Sequence[tuple[Id, str]],
        config: VectorizerConfig = VectorizerConfig(),
    ) -> tuple[TextIndex, TextIndex]:
        """Two indexes sharing one vectorizer fitted on the union of both sides (one pass over the texts)."""
        vec, both = _fit_transform([t for _, t in left] + [t for _, t in right], config)
        return (
            cls(left, vectorizer=vec, matrix=both[: len(left)]),
            cls(right, vectorizer=vec, matrix=both[len(left) :]),
        )

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def matrix_t(self) -> sp.csr_matrix:
        """Transposed (term x document) CSR: makes one query cost the postings of its terms, not the index."""
        if self._matrix_t is None:
            self._matrix_t = self.matrix.T.tocsr()
        return self._matrix_t

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.vectorizer.transform(texts).tocsr()

    def query(
        self,
        texts: Sequence[str],
        k: int = 10,
        exclude_ids: Collection[Id] | None = None,
        min_score: float = 0.0,
        n_reasons: int = 3,
    ) -> list[list[Match]]:
        """Best k documents for each new text (e.g. a project just submitted), best first.

        Only scores strictly above ``min_score`` are returned. ``exclude_ids`` are never returned (e.g. the
        project itself, or profiles already contacted); unknown ids are ignored.
        """
        if k < 1 or not texts or not self.ids:
            return [[] for _ in texts]
        queries = self.transform(texts)
        excluded = [self._position[i] for i in exclude_ids or () if i in self._position]
        out: list[list[Match]] = []
        for start in range(0, len(texts), 64):  # bounded dense blocks: 64 x len(index) floats
            block = (queries[start : start + 64] @ self.matrix_t).toarray()
            block[:, excluded] = -np.inf
            idx, val = _dense_rows_top_k(block, k, min_score)
            out.extend(self._matches(queries, texts, start, idx, val, n_reasons))
        return out

    def top_k(
        self,
        other: TextIndex | sp.csr_matrix,
        k: int = 10,
        exclude_self: bool = False,
        n_threads: int = 2,
        n_reasons: int = 0,
    ) -> list[list[Match]]:
        """All pairs in one sparse pass: for each document of ``other``, its best k documents here.

        ``other`` must be vectorised with this index's vectorizer (``TextIndex.pair`` or ``vectorizer=``).
        ``exclude_self`` drops the same position (for ``index.top_k(index, exclude_self=True)``).
        Reasons cost ~0.3 ms per match, so they are off by default for this batch call.
        """
        queries = other.matrix if isinstance(other, TextIndex) else other.tocsr()
        if queries.shape[1] != self.matrix.shape[1]:
            raise ValueError("other was not vectorised with this index's vectorizer")
        if k < 1 or not self.ids:
            return [[] for _ in range(queries.shape[0])]
        idx, val = sparse_top_k(queries, self.matrix_t, k + int(exclude_self), n_threads=n_threads)
        if exclude_self:
            idx, val = _drop_diagonal(idx, val, k)
        texts = other.texts if isinstance(other, TextIndex) and n_reasons else None
        return list(self._matches(queries, texts, 0, idx, val, n_reasons))

    def near_duplicates(self, threshold: float = 0.8, k: int = 5) -> list[tuple[Id, Id, float]]:
        """Pairs of documents in this index with cosine >= threshold (each pair once, highest first)."""
        pairs: dict[tuple[int, int], float] = {}
        idx, val = sparse_top_k(self.matrix, self.matrix_t, k + 1, threshold=threshold - 1e-6)
        for i, (row_idx, row_val) in enumerate(zip(idx, val, strict=True)):
            for j, score in zip(row_idx, row_val, strict=True):
                if j >= 0 and j != i:
                    pairs[(min(i, j), max(i, j))] = float(score)
        ranked = sorted(pairs.items(), key=lambda item: -item[1])
        return [(self.ids[a], self.ids[b], score) for (a, b), score in ranked]

    def explain(self, query_text: str, target_id: Id, n: int = 5) -> tuple[str, ...]:
        """Shared terms between a text and one indexed document, most contributing first."""
        pos = self._position[target_id]
        query_row = self.transform([query_text])
        return _explain_rows(query_text, self.texts[pos], query_row, self.matrix[pos], self.vectorizer, n)

    def _matches(
        self,
        queries: sp.csr_matrix,
        texts: Sequence[str] | None,
        start: int,
        idx: np.ndarray,
        val: np.ndarray,
        n_reasons: int,
    ) -> Iterator[list[Match]]:
        for r, (row_idx, row_val) in enumerate(zip(idx, val, strict=True)):
            row = []
            for j, score in zip(row_idx, row_val, strict=True):
                if j < 0:
                    break
                reasons: tuple[str, ...] = ()
                if n_reasons and texts is not None:
                    q = start + r
                    reasons = _explain_rows(
                        texts[q], self.texts[j], queries[q], self.matrix[j], self.vectorizer, n_reasons
                    )
                row.append(Match(self.ids[j], round(float(score), 6), reasons))
            yield row


def _drop_diagonal(idx: np.ndarray, val: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Remove each row's own position from a (k+1)-wide top-k, keeping the best k others in order."""
    is_self = idx == np.arange(idx.shape[0])[:, None]
    order = np.argsort(is_self, axis=1, kind="stable")[:, :k]  # self (at most one) moves past the end
    return np.take_along_axis(idx, order, axis=1), np.take_along_axis(val, order, axis=1)


# ---------------------------------------------------------------------------------------------------------
# Explanations

_LATIN_RE = re.compile(r"[A-Za-z0-9]+")


def explain(
    query_text: str, target_text: str, n: int = 5, vectorizer: TfidfVectorizer | None = None
) -> tuple[str, ...]:
    """Shared terms that contribute most to the cosine of two texts (product of their tf-idf weights).

    Adjacent shared n-grams are merged into the longest substring both texts contain ('取栓支架', not
    '取栓', '栓支', '支架'); single characters only appear when nothing longer is shared. Without a fitted
    ``vectorizer`` (e.g. an index's), IDF comes from the two texts alone, so prefer ``TextIndex.explain``.
    """
    if vectorizer is None:
        vectorizer = fit_vectorizer([query_text, target_text])
    rows = vectorizer.transform([query_text, target_text]).tocsr()
    return _explain_rows(query_text, target_text, rows[0], rows[1], vectorizer, n)


def _explain_rows(
    query_text: str,
    target_text: str,
    query_row: sp.csr_matrix,
    target_row: sp.csr_matrix,
    vectorizer: TfidfVectorizer,
    n: int,
) -> tuple[str, ...]:
    analyzer: Analyzer = vectorizer.analyzer
    vocab = vectorizer.vocabulary_
    qw = dict(zip(query_row.indices.tolist(), query_row.data.tolist(), strict=True))
    tw = dict(zip(target_row.indices.tolist(), target_row.data.tolist(), strict=True))
    scored: list[tuple[float, str]] = []
    for seg in shared_segments(normalize(query_text), normalize(target_text), analyzer.stop):
        ids = {vocab.get(t) for t in terms(seg, analyzer.ngram_max, analyzer.stop)}
        weight = sum(qw.get(i, 0.0) * tw.get(i, 0.0) for i in ids if i is not None)
        if weight > 0:
            scored.append((weight, seg))
    if any(len(seg) > 1 for _, seg in scored):
        scored = [(w, seg) for w, seg in scored if len(seg) > 1]
    scored.sort(key=lambda item: (-item[0], item[1]))
    display = {w.lower(): w for w in _LATIN_RE.findall(unicodedata.normalize("NFKC", query_text))}
    return tuple(display.get(seg, seg) for _, seg in scored[:n])


# ---------------------------------------------------------------------------------------------------------
# Structured re-ranking

STAGES = ("idea", "design", "prototype", "animal", "clinical")
DEVICE_CLASSES = ("I", "II", "III")
COOPERATION_MODES = ("transfer", "licensing", "codev", "funding")


class ProjectAttrs(TypedDict, total=False):
    device_class: str  # 'I' | 'II' | 'III'
    stage: str  # one of STAGES
    region: str  # province, e.g. '广东省'
    cooperation: Collection[str]  # modes the clinician is open to (COOPERATION_MODES)


class ProfileAttrs(TypedDict, total=False):
    kind: str  # 'enterprise' | 'investor'
    region: str
    cooperation: Collection[str]  # modes the enterprise/investor offers
    stages: Collection[str]  # project stages an enterprise prefers (bonus only)
    investor_stages: Collection[str]  # stages an investor funds (mismatch filters the match out)
    registration_classes: Collection[str]  # device classes the enterprise has registered before


@dataclass(frozen=True)
class RerankWeights:
    """Relative bonuses: final = text score * (1 + sum of bonuses), the sum capped at ``max_bonus``.

    Multiplicative and capped so that text similarity stays dominant: with the defaults a match needs
    at least 1/1.2 of another's text score to overtake it on structure alone.
    """

    stage: float = 0.06
    region: float = 0.05
    device_class: float = 0.06
    cooperation: float = 0.05
    max_bonus: float = 0.2
    filter_investor_stage: bool = True


_Bonus = tuple[float, tuple[str, ...]]


def pair_bonus(
    project: ProjectAttrs, profile: ProfileAttrs, weights: RerankWeights = RerankWeights()
) -> _Bonus | None:
    """Bonus and readable reasons for one project/profile pair, or None when the pair is filtered out."""
    stage = project.get("stage")
    investor_stages = profile.get("investor_stages")
    if weights.filter_investor_stage and stage and investor_stages and stage not in investor_stages:
        return None
    bonus, reasons = 0.0, []
    if stage and stage in (investor_stages or profile.get("stages") or ()):
        bonus += weights.stage
        reasons.append(f"stage:{stage}")
    region = project.get("region")
    if region and region == profile.get("region"):
        bonus += weights.region
        reasons.append(f"region:{region}")
    device_class = project.get("device_class")
    if device_class and device_class in (profile.get("registration_classes") or ()):
        bonus += weights.device_class
        reasons.append(f"class:{device_class}")
    shared_modes = sorted(set(project.get("cooperation") or ()) & set(profile.get("cooperation") or ()))
    if shared_modes:
        bonus += weights.cooperation
        reasons.append("cooperation:" + ",".join(shared_modes))
    return min(bonus, weights.max_bonus), tuple(reasons)


def rerank(
    matches: Sequence[Match],
    project_attrs: ProjectAttrs,
    profile_attrs: Mapping[Id, ProfileAttrs],
    weights: RerankWeights = RerankWeights(),
) -> list[Match]:
    """Re-order one project's profile matches with structured signals (pure: returns new Matches)."""
    return _rerank(matches, lambda m: pair_bonus(project_attrs, profile_attrs.get(m.target_id, {}), weights))


def rerank_projects(
    matches: Sequence[Match],
    profile: ProfileAttrs,
    project_attrs: Mapping[Id, ProjectAttrs],
    weights: RerankWeights = RerankWeights(),
) -> list[Match]:
    """The other direction: re-order one enterprise/investor's project matches."""
    return _rerank(matches, lambda m: pair_bonus(project_attrs.get(m.target_id, {}), profile, weights))


def _rerank(matches: Sequence[Match], bonus_of: Callable[[Match], _Bonus | None]) -> list[Match]:
    out: list[Match] = []
    for m in matches:
        result = bonus_of(m)
        if result is None:
            continue
        bonus, reasons = result
        out.append(replace(m, score=round(m.score * (1.0 + bonus), 6), reasons=m.reasons + reasons))
    out.sort(key=lambda m: -m.score)
    return out


__all__ = [
    "COOPERATION_MODES",
    "DEVICE_CLASSES",
    "STAGES",
    "Match",
    "ProfileAttrs",
    "ProjectAttrs",
    "RerankWeights",
    "TextIndex",
    "TopK",
    "VectorizerConfig",
    "dense_chunked_top_k",
    "explain",
    "fit_vectorizer",
    "pair_bonus",
    "rerank",
    "rerank_projects",
    "sparse_top_k",
]
