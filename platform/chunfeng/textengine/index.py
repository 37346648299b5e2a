"""The matching index: documents where meaning lives, organisations scored by their best documents, a semantic
second stage, labelled reasons, incremental updates and a serialisable, versioned form.

Each side (``"profiles"``: enterprises and investors; ``"projects"``: clinicians' ideas) holds *documents*: one
per product line, registered product or capability field of a profile, one per section of a project, each
labelled with its field (``Doc(owner, "产品线", text)``). Ranking runs in two stages:

1. lexical: char 1-2 gram BM25 (saturating tf, mild length normalisation ``b``: a document that covers more of
   the query's terms beats a short one that repeats a single clause of it). The query side is the set of its
   terms plus, at a lower weight, the clinical terms its lay words stand for (``data/lay_terms.txt``: 中风 ->
   卒中, 拍片 -> 影像 X线). An organisation scores by its best document plus a small share of its second best
   (a soft max: a company with many product lines is not diluted, nor does breadth alone win);
2. semantic: the lexical candidate documents (the best ``n_candidates``) get the cosine of sentence embeddings
   (stored per document, computed only when a document's text changes); both scores are z-scored over all the
   candidate organisations and mixed. Without a model the first stage ranks alone (see :mod:`.embedding`).

Typical use::

    index = MatchIndex.build(profile_docs, project_docs)        # fit once (offline job), then
    blob = index.to_bytes(); index = MatchIndex.from_bytes(blob)  # stored where every worker reads it
    index.update("projects", 42, [Doc(42, "临床问题", "..."), Doc(42, "解决方案", "...")])
    index.near_duplicates("projects", 42)                       # -> [(other_project, score, field)]
    index.match_owner("projects", 42, "profiles", k=10)         # -> [OrgMatch] with labelled reasons
    index.match("新想法的文字", "profiles", k=10)                # a text not stored (e.g. a draft)
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import time
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

from .embedding import Embedder, default_embedder
from .engine import TopK, VectorizerConfig, sparse_top_k
from .terms import Reason, labelled_reasons, lay_expansions
from .text import Analyzer, normalize

Id = Hashable
FORMAT_VERSION = 2
SideName = Literal["profiles", "projects"]
SIDES: tuple[SideName, SideName] = ("profiles", "projects")


@dataclass(frozen=True)
class Doc:
    """One document of an organisation or project: its field label and text."""

    owner: Id
    field: str
    text: str


@dataclass(frozen=True)
class EngineConfig:
    """Chosen on the tune queries (scripts/eval/queries-tune.tsv) with both distractor sets; the semantic weight by
    5-fold cross-validation of the MRR over 0..0.6 (every fold chose 0.3)."""

    ngram_max: int = 2
    #: single characters found in more than this share of documents carry no signal: dropped at fit
    prune_char_df: float = 0.5
    #: BM25 term-frequency saturation and length normalisation (0: none, 1: full)
    bm25_k1: float = 1.2
    bm25_b: float = 0.3
    #: weight of a clinical term that the query only names through a lay word (a term it names itself: 1)
    expansion_weight: float = 0.5
    #: soft max: an organisation's score is its best document's plus this share of its second best
    second_weight: float = 0.15
    #: lexical candidates (documents) that the semantic stage scores and the ranking considers
    n_candidates: int = 300
    #: weight of the z-scored semantic similarity against the z-scored lexical score (over the candidates)
    semantic_weight: float = 0.3
    #: coherent coverage: a candidate document's lexical score is multiplied by floor + (1 - floor) x the share
    #: of its clauses that name a query term of IDF >= coverage_idf_share x the largest IDF (a rare term, or
    #: several); a description stitched from unrelated clauses matches in one of them only. 1.0 = off
    coverage_floor: float = 0.4
    coverage_idf_share: float = 0.7
    #: all pairs: candidates come from the rarer terms (in at most this share of the target documents), then
    #: every candidate is scored exactly with all the terms; exact product below ``all_pairs_exact_below`` docs
    all_pairs_common_df: float = 0.05
    all_pairs_candidates: int = 50
    all_pairs_exact_below: int = 2000


@dataclass(frozen=True)
class OrgMatch:
    """One ranked organisation (or project): combined score, the two stages' scores, labelled reasons."""

    target_id: Id
    score: float
    lexical: float
    semantic: float | None = None
    best_field: str = ""
    reasons: tuple[Reason, ...] = ()

    @property
    def reason_terms(self) -> tuple[str, ...]:
        return tuple(r.term for r in self.reasons)


@dataclass
class UpdateResult:
    added: int  # documents (re)vectorised
    removed: int
    embedded: int  # documents whose embedding was computed (their text changed)
    embed_ms: float


# ---------------------------------------------------------------------------------------------------------
# Vocabulary


class Vocabulary:
    """Terms, their BM25 IDF weights and the mean document length; documents become BM25 rows, queries the
    set of their terms (with the lay-word expansions at a lower weight)."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray, config: EngineConfig, avg_len: float = 1.0) -> None:
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.config = config
        self.avg_len = float(avg_len) or 1.0
        self.index = {t: i for i, t in enumerate(self.terms)}
        self.analyzer = Analyzer(config.ngram_max, VectorizerConfig().stop_terms)
        self._idf_fallback = float(self.idf.max()) if len(self.idf) else 1.0

    @classmethod
    def fit(cls, texts: Sequence[str], config: EngineConfig) -> tuple[Vocabulary, Rows]:
        """Fit terms and weights on the texts; their BM25 rows and clause rows."""
        analyzer = Analyzer(config.ngram_max, VectorizerConfig().stop_terms)
        ids: dict[str, int] = {}
        counted = _count_clauses(analyzer, texts, lambda t: ids.setdefault(t, len(ids)))
        terms = list(ids)
        n = len(texts)
        width = len(terms)
        docs = counted.doc_counts(width)
        df = np.bincount(docs.indices, minlength=width)
        keep = df > 0
        if config.prune_char_df and n:
            single = np.array([len(t) == 1 for t in terms], dtype=bool)
            keep &= ~(single & (df / n > config.prune_char_df))
        kept = np.flatnonzero(keep)
        # columns in term order, so the vocabulary (and the fingerprint) does not depend on document order
        kept = kept[np.argsort([terms[i] for i in kept], kind="stable")]
        idf = np.log1p((n - df[kept] + 0.5) / (df[kept] + 0.5)).astype(np.float32)
        lengths = counted.doc_lengths(n)
        vocab = cls([terms[i] for i in kept], idf, config, float(np.mean(lengths)) if n else 1.0)
        clause_counts = counted.clause_counts(width)[:, kept].tocsr()
        return vocab, vocab._weigh(counted, clause_counts, lengths)

    def tokens(self, text: str) -> list[str]:
        return self.analyzer(text)

    def _counts(self, text: str) -> tuple[dict[int, int], int]:
        tokens = self.analyzer(text)
        return Counter(self.index[t] for t in tokens if t in self.index), len(tokens)

    def _weigh(self, counted: _Counted, clause_counts: sp.csr_matrix, lengths: np.ndarray) -> Rows:
        n = len(lengths)
        docs = sp.csr_matrix(counted.aggregate(n) @ clause_counts, dtype=np.float32)
        docs.sum_duplicates()
        docs.sort_indices()
        k1, b = self.config.bm25_k1, self.config.bm25_b
        row_of = np.repeat(np.arange(n), np.diff(docs.indptr))
        norm = k1 * (1.0 - b + b * lengths / self.avg_len)
        docs.data = (docs.data * (k1 + 1.0) / (docs.data + norm[row_of]) * self.idf[docs.indices]).astype(np.float32)
        clauses = sp.csr_matrix(clause_counts, dtype=np.float32)
        clauses.sort_indices()
        clauses.data = np.ones_like(clauses.data)
        return Rows(docs, clauses, counted.per_doc(n))

    def transform(self, texts: Sequence[str]) -> Rows:
        """Documents as BM25 rows (the stored side of every comparison) and their clauses' term sets."""
        counted = _count_clauses(self.analyzer, texts, lambda t: self.index.get(t, -1))
        return self._weigh(counted, counted.clause_counts(len(self.terms)), counted.doc_lengths(len(texts)))

    def query(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Queries: weight 1 for each term a text names, ``expansion_weight`` for a term only its lay words
        stand for (see :func:`.terms.lay_expansions`)."""
        indptr, indices, data = [0], [], []
        for text in texts:
            weights = dict.fromkeys(self._counts(text)[0], 1.0)
            extra = lay_expansions(text)
            if extra and self.config.expansion_weight:
                for i in self._counts(" ".join(extra))[0]:
                    weights.setdefault(i, self.config.expansion_weight)
            ids = np.fromiter(sorted(weights), dtype=np.int32, count=len(weights))
            indices.append(ids)
            data.append(np.fromiter((weights[i] for i in ids.tolist()), dtype=np.float32, count=len(ids)))
            indptr.append(indptr[-1] + len(ids))
        return _csr(data, indices, indptr, len(self.terms))

    def idf_of(self, term: str) -> float:
        i = self.index.get(term)
        return float(self.idf[i]) if i is not None else self._idf_fallback


def _csr(data: list[np.ndarray], indices: list[np.ndarray], indptr: list[int], width: int) -> sp.csr_matrix:
    return sp.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0, np.float32),
            np.concatenate(indices) if indices else np.zeros(0, np.int32),
            np.asarray(indptr),
        ),
        shape=(len(indptr) - 1, width),
        dtype=np.float32,
    )


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    out = matrix.copy()
    out.data = np.ones_like(out.data)
    return out


#: Clause boundaries: a query term found in several clauses of one description is coherent coverage; a document
#: stitched from clauses of unrelated descriptions matches in one clause only. (N-grams never cross these.)
_CLAUSE_RE = re.compile(r"[,;。、，；:：!?！？\n\r]+")


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_RE.split(text) if c.strip()]


@dataclass
class Rows:
    """Documents' BM25 rows, their clauses' term sets (binary rows, clauses of a document consecutive) and the
    number of clauses of each document."""

    docs: sp.csr_matrix
    clauses: sp.csr_matrix
    per_doc: np.ndarray


@dataclass
class _Counted:
    """Term counts per clause, in compact buffers: what fitting and transforming share."""

    indices: array
    counts: array
    indptr: list[int]
    clause_doc: list[int]
    clause_len: list[int]

    def clause_counts(self, width: int) -> sp.csr_matrix:
        m = sp.csr_matrix(
            (
                np.frombuffer(self.counts, dtype=np.float32) if len(self.counts) else np.zeros(0, np.float32),
                np.frombuffer(self.indices, dtype=np.int32) if len(self.indices) else np.zeros(0, np.int32),
                np.asarray(self.indptr, dtype=np.int64),
            ),
            shape=(len(self.clause_doc), width),
        )
        return m

    def aggregate(self, n_docs: int) -> sp.csr_matrix:
        rows = np.asarray(self.clause_doc, dtype=np.int64)
        return sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, np.arange(len(rows)))), shape=(n_docs, len(rows))
        )

    def doc_counts(self, width: int) -> sp.csr_matrix:
        out = sp.csr_matrix(self.aggregate(max(self.clause_doc, default=-1) + 1) @ self.clause_counts(width))
        out.sum_duplicates()
        return out

    def doc_lengths(self, n_docs: int) -> np.ndarray:
        return np.bincount(
            np.asarray(self.clause_doc, dtype=np.int64), weights=np.asarray(self.clause_len, float), minlength=n_docs
        ).astype(np.float32)

    def per_doc(self, n_docs: int) -> np.ndarray:
        return np.bincount(np.asarray(self.clause_doc, dtype=np.int64), minlength=n_docs).astype(np.int64)


def _count_clauses(analyzer: Analyzer, texts: Sequence[str], lookup: Callable[[str], int]) -> _Counted:
    out = _Counted(array("i"), array("f"), [0], [], [])
    for d, text in enumerate(texts):
        for clause in clauses(text):
            tokens = analyzer(clause)
            if not tokens:
                continue
            counts = Counter(lookup(t) for t in tokens)
            counts.pop(-1, None)
            out.indices.extend(counts.keys())
            out.counts.extend(counts.values())
            out.indptr.append(len(out.indices))
            out.clause_doc.append(d)
            out.clause_len.append(len(tokens))
    return out


# ---------------------------------------------------------------------------------------------------------
# One side


@dataclass
class _Side:
    """Documents of one side. Rows [0, main_rows) sit in ``main`` (fitted or loaded), later rows in ``delta``."""

    owners: list[Id] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    norms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # L2 norm of each row
    main: sp.csr_matrix | None = None
    delta_rows: list[sp.csr_matrix] = field(default_factory=list)
    emb: np.ndarray | None = None  # (n_docs, dim) float32, L2-normalised rows
    by_owner: dict[Id, list[int]] = field(default_factory=dict)
    owner_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    codes: dict[Id, int] = field(default_factory=dict)
    code_owner: list[Id] = field(default_factory=list)
    # clauses: binary term rows, those of a document consecutive from cl_start[doc], cl_count[doc] of them
    cl_main: sp.csr_matrix | None = None
    cl_delta_rows: list[sp.csr_matrix] = field(default_factory=list)
    cl_start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cl_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _main_t: sp.csr_matrix | None = None
    _delta: sp.csr_matrix | None = None
    _delta_t: sp.csr_matrix | None = None
    _cl_delta: sp.csr_matrix | None = None
    _emb_buf: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.owners)

    @property
    def main_rows(self) -> int:
        return 0 if self.main is None else self.main.shape[0]

    @property
    def main_t(self) -> sp.csr_matrix:
        if self._main_t is None:
            assert self.main is not None
            self._main_t = self.main.T.tocsr()
        return self._main_t

    def delta(self) -> tuple[sp.csr_matrix | None, sp.csr_matrix | None]:
        if self.delta_rows and self._delta is None:
            self._delta = sp.vstack(self.delta_rows, format="csr", dtype=np.float32)
            self._delta_t = self._delta.T.tocsr()
        return self._delta, self._delta_t

    def matrix(self) -> sp.csr_matrix:
        delta, _ = self.delta()
        assert self.main is not None
        return self.main if delta is None else sp.vstack([self.main, delta], format="csr", dtype=np.float32)

    def rows(self, positions: Sequence[int]) -> sp.csr_matrix:
        """Some documents' rows, in the order given, without stacking the whole side."""
        delta, _ = self.delta()
        parts = [
            self.main[[p]] if p < self.main_rows else delta[[p - self.main_rows]]  # type: ignore[index]
            for p in positions
        ]
        return sp.vstack(parts, format="csr", dtype=np.float32)

    def clause_matrix(self) -> sp.csr_matrix:
        assert self.cl_main is not None
        if not self.cl_delta_rows:
            return self.cl_main
        return sp.vstack([self.cl_main, *self.cl_delta_rows], format="csr", dtype=np.float32)

    def clause_rows(self, positions: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """The clause rows of some documents and, for each row, the index of its document in ``positions``."""
        starts, counts = self.cl_start[positions], self.cl_count[positions]
        local = np.repeat(np.arange(len(positions)), counts)
        ids = np.repeat(starts, counts) + (np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts))
        assert self.cl_main is not None
        n_main = self.cl_main.shape[0]
        in_main = ids < n_main
        if in_main.all():
            return self.cl_main[ids], local
        if self._cl_delta is None:
            self._cl_delta = sp.vstack(self.cl_delta_rows, format="csr", dtype=np.float32)
        parts = [self.cl_main[ids[in_main]], self._cl_delta[ids[~in_main] - n_main]]
        return sp.vstack(parts, format="csr", dtype=np.float32), np.concatenate([local[in_main], local[~in_main]])

    def append(self, docs: Sequence[Doc], block: Rows, emb: np.ndarray | None, in_main: bool) -> None:
        rows = block.docs
        n_clauses = 0 if self.cl_main is None else self.cl_main.shape[0]
        n_clauses += sum(m.shape[0] for m in self.cl_delta_rows)
        self.cl_start = np.concatenate([self.cl_start, n_clauses + np.cumsum(block.per_doc) - block.per_doc])
        self.cl_count = np.concatenate([self.cl_count, block.per_doc.astype(np.int64)])
        if in_main:
            assert not self.cl_delta_rows, "compact before appending to the main block"
            old = self.cl_main
            self.cl_main = block.clauses if old is None else sp.vstack([old, block.clauses], format="csr")
        else:
            self.cl_delta_rows.append(block.clauses)
            self._cl_delta = None
        start = len(self.owners)
        for i, doc in enumerate(docs):
            self.owners.append(doc.owner)
            self.fields.append(doc.field)
            self.texts.append(doc.text)
            self.digests.append(_digest(doc.text))
            self.by_owner.setdefault(doc.owner, []).append(start + i)
            if doc.owner not in self.codes:
                self.codes[doc.owner] = len(self.code_owner)
                self.code_owner.append(doc.owner)
        self.alive = np.concatenate([self.alive, np.ones(len(docs), dtype=bool)])
        norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1), dtype=np.float32).ravel())
        self.norms = np.concatenate([self.norms, norms.astype(np.float32)])
        new_codes = np.fromiter((self.codes[d.owner] for d in docs), dtype=np.int64, count=len(docs))
        self.owner_code = np.concatenate([self.owner_code, new_codes])
        if in_main:
            self.main = rows if self.main is None else sp.vstack([self.main, rows], format="csr")
            self._main_t = None
        else:
            self.delta_rows.append(rows)
            self._delta = self._delta_t = None
        if emb is not None:
            self._grow_emb(np.asarray(emb, dtype=np.float32))

    def _grow_emb(self, emb: np.ndarray) -> None:
        """Append embeddings into a buffer with spare room: an update does not copy every stored vector."""
        n_old = 0 if self.emb is None else self.emb.shape[0]
        need = n_old + len(emb)
        if self._emb_buf is None or self._emb_buf.shape[0] < need or self.emb is None:
            cap = need if self.emb is None else need + need // 4 + 16
            buf = np.empty((cap, emb.shape[1]), dtype=np.float32)
            if self.emb is not None:
                buf[:n_old] = self.emb
            self._emb_buf = buf
        self._emb_buf[n_old:need] = emb
        self.emb = self._emb_buf[:need]

    def scores(self, query: sp.csr_matrix) -> np.ndarray:
        """Dot product of each query row with every document (dead documents score 0): (n_queries, n_docs)."""
        out = np.zeros((query.shape[0], len(self)), dtype=np.float32)
        if self.main is not None and self.main_rows:
            out[:, : self.main_rows] = (query @ self.main_t).toarray()
        _, delta_t = self.delta()
        if delta_t is not None:
            out[:, self.main_rows :] = (query @ delta_t).toarray()
        out[:, ~self.alive] = 0.0
        return out


def _digest(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()[:20]


# ---------------------------------------------------------------------------------------------------------
# The index


class MatchIndex:
    """Both sides over one vocabulary, their embeddings, and the model that made them."""

    def __init__(self, vocab: Vocabulary, embedder: Embedder | None, embedder_name: str | None = None) -> None:
        self.vocab = vocab
        self.config = vocab.config
        self.embedder = embedder
        self.embedder_name = embedder_name or (embedder.name if embedder else "")
        self.sides: dict[str, _Side] = {name: _Side() for name in SIDES}
        for side in self.sides.values():
            side.main = sp.csr_matrix((0, len(vocab.terms)), dtype=np.float32)
            side.cl_main = sp.csr_matrix((0, len(vocab.terms)), dtype=np.float32)
        self._update_tokens = 0
        self._new_tokens = 0

    # -- building ------------------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        profiles: Iterable[Doc],
        projects: Iterable[Doc] = (),
        config: EngineConfig = EngineConfig(),
        embedder: Embedder | None | Literal["default"] = "default",
    ) -> MatchIndex:
        """Fit one vocabulary over both sides and embed every document (once; later only changed texts)."""
        if embedder == "default":
            embedder = default_embedder()
        docs = {"profiles": list(profiles), "projects": list(projects)}
        vocab, rows_all = Vocabulary.fit([d.text for name in SIDES for d in docs[name]], config)
        index = cls(vocab, embedder)
        start, clause_start = 0, 0
        for name in SIDES:
            side_docs = docs[name]
            end = start + len(side_docs)
            per_doc = rows_all.per_doc[start:end]
            n_clauses = int(per_doc.sum())
            rows = Rows(
                rows_all.docs[start:end], rows_all.clauses[clause_start : clause_start + n_clauses], per_doc
            )
            start, clause_start = end, clause_start + n_clauses
            emb = embedder.embed_passages([d.text for d in side_docs]) if embedder and side_docs else None
            index.sides[name].append(side_docs, rows, emb, in_main=True)
        return index

    @property
    def has_semantic(self) -> bool:
        return self.embedder is not None and all(s.emb is not None or len(s) == 0 for s in self.sides.values())

    # -- incremental updates -------------------------------------------------------------------------------

    def update(self, side: SideName, owner: Id, docs: Sequence[Doc]) -> UpdateResult:
        """Replace an owner's documents. Unchanged texts keep their rows and embeddings (never re-embedded);
        changed ones are transformed with the stored vocabulary and, with a model, embedded."""
        s = self.sides[side]
        old = {(s.fields[i], s.digests[i]): i for i in s.by_owner.get(owner, []) if s.alive[i]}
        keep: set[int] = set()
        fresh: list[Doc] = []
        for doc in docs:
            if doc.owner != owner:
                raise ValueError("every document must belong to the owner being updated")
            pos = old.get((doc.field, _digest(doc.text)))
            if pos is not None and pos not in keep:
                keep.add(pos)
            else:
                fresh.append(doc)
        removed = [i for i in old.values() if i not in keep]
        s.alive[removed] = False
        s.by_owner[owner] = [i for i in s.by_owner.get(owner, []) if s.alive[i]]
        embed_ms = 0.0
        if fresh:
            for doc in fresh:
                tokens = self.vocab.tokens(doc.text)
                self._update_tokens += len(tokens)
                self._new_tokens += sum(t not in self.vocab.index for t in tokens)
            rows = self.vocab.transform([d.text for d in fresh])
            emb = None
            if self.embedder is not None and s.emb is not None:
                t0 = time.perf_counter()
                emb = self.embedder.embed_passages([d.text for d in fresh])
                embed_ms = (time.perf_counter() - t0) * 1000
            elif s.emb is not None:  # a model went missing: keep the shapes, lose semantic ranking
                emb = np.zeros((len(fresh), s.emb.shape[1]), dtype=np.float32)
            s.append(fresh, rows, emb, in_main=False)
        if len(s.delta_rows) > 64:
            self.compact(side)
        return UpdateResult(len(fresh), len(removed), len(fresh) if embed_ms else 0, embed_ms)

    def remove(self, side: SideName, owner: Id) -> int:
        return self.update(side, owner, []).removed

    def compact(self, side: SideName) -> None:
        """Fold the updated rows into the main block (drops nothing: dead rows stay masked)."""
        s = self.sides[side]
        if s.delta_rows:
            s.main = s.matrix()
            s._main_t = None
            s.delta_rows, s._delta, s._delta_t = [], None, None
        if s.cl_delta_rows:
            s.cl_main = s.clause_matrix()
            s.cl_delta_rows, s._cl_delta = [], None

    def new_term_share(self) -> float:
        """Share of the terms in texts added since the fit that the vocabulary does not know (refit above ~0.1)."""
        return self._new_tokens / self._update_tokens if self._update_tokens else 0.0

    # -- ranking -------------------------------------------------------------------------------------------

    def match(
        self,
        text: str,
        side: SideName = "profiles",
        k: int = 10,
        exclude: Collection[Id] = (),
        n_reasons: int = 3,
        reason_fields: Collection[str] | None = None,
        reason_text: str | None = None,
        query_embedding: np.ndarray | None = None,
    ) -> list[OrgMatch]:
        """Best k owners of ``side`` for a text (a new idea, a draft, an expert's field of expertise).

        ``reason_fields``: the target fields the viewer may see (None = all); reasons never come from others.
        ``reason_text``: the part of the query the viewer may see (default: the whole text).
        ``query_embedding``: pass one you have (e.g. stored); otherwise the text is embedded as a query.
        """
        if query_embedding is None and self.has_semantic:
            query_embedding = self.embedder.embed_queries([text])[0]  # type: ignore[union-attr]
        query = self.vocab.query([text])
        return self._rank(
            query,
            query_embedding,
            text if reason_text is None else reason_text,
            side,
            k,
            set(exclude),
            n_reasons,
            reason_fields,
        )

    def match_owner(
        self,
        from_side: SideName,
        owner: Id,
        side: SideName = "profiles",
        k: int = 10,
        n_reasons: int = 3,
        reason_fields: Collection[str] | None = None,
        query_fields: Collection[str] | None = None,
    ) -> list[OrgMatch]:
        """Best k owners of ``side`` for a stored owner (its documents and stored embeddings: nothing embedded).

        ``query_fields``: the fields of the stored owner the viewer may see, for the reasons (None = all).
        """
        src = self.sides[from_side]
        positions = [i for i in src.by_owner.get(owner, []) if src.alive[i]]
        if not positions:
            return []
        text = "\n".join(src.texts[i] for i in positions)
        visible = "\n".join(src.texts[i] for i in positions if query_fields is None or src.fields[i] in query_fields)
        emb = None
        if self.has_semantic and src.emb is not None:
            emb = src.emb[positions].mean(axis=0)
            emb = emb / (np.linalg.norm(emb) or 1.0)
        exclude = {owner} if from_side == side else set()
        return self._rank(self.vocab.query([text]), emb, visible, side, k, exclude, n_reasons, reason_fields)

    def near_duplicates(
        self, side: SideName, owner: Id, threshold: float = 0.8, k: int = 5
    ) -> list[tuple[Id, float, str]]:
        """Other owners of the same side with a document of cosine (of the BM25 rows) >= threshold to one of
        this owner's documents: (other owner, best cosine, the field of this owner's document), highest first."""
        s = self.sides[side]
        positions = [i for i in s.by_owner.get(owner, []) if s.alive[i]]
        if not positions:
            return []
        rows = s.rows(positions)
        norms = s.norms[positions][:, None] * s.norms[None, :]
        scores = s.scores(rows) / np.where(norms > 0, norms, 1.0)
        scores[:, positions] = 0.0
        best: dict[int, tuple[float, str]] = {}
        for r, pos in enumerate(positions):
            hits = np.flatnonzero(scores[r] >= threshold)
            for j in hits:
                code = int(s.owner_code[j])
                if code not in best or scores[r, j] > best[code][0]:
                    best[code] = (float(scores[r, j]), s.fields[pos])
        ranked = sorted(best.items(), key=lambda item: -item[1][0])[:k]
        return [(s.code_owner[c], round(score, 6), label) for c, (score, label) in ranked]

    def _rank(
        self,
        query: sp.csr_matrix,
        query_emb: np.ndarray | None,
        reason_text: str,
        side: SideName,
        k: int,
        exclude: set[Id],
        n_reasons: int,
        reason_fields: Collection[str] | None,
    ) -> list[OrgMatch]:
        s = self.sides[side]
        if k < 1 or not len(s):
            return []
        doc_scores = s.scores(query)[0]
        for owner in exclude:
            doc_scores[s.by_owner.get(owner, [])] = 0.0
        n_cand = min(self.config.n_candidates, len(doc_scores))
        top = np.argpartition(-doc_scores, n_cand - 1)[:n_cand]
        top = top[doc_scores[top] > 0]
        if not len(top):
            return []
        if self.config.coverage_floor < 1.0:
            doc_scores[top] *= self._coverage(s, top, query)
        # soft max by organisation over the candidate documents, vectorised: best plus a share of second best
        top = top[np.argsort(-doc_scores[top], kind="stable")]
        top_codes = s.owner_code[top]
        codes, first, inverse = np.unique(top_codes, return_index=True, return_inverse=True)
        lexical = doc_scores[top[first]].astype(np.float32)
        rest = np.ones(len(top), dtype=bool)
        rest[first] = False
        sec_codes, sec_first = np.unique(top_codes[rest], return_index=True)
        lexical[np.searchsorted(codes, sec_codes)] += self.config.second_weight * doc_scores[top[rest][sec_first]]
        best_doc = top[first]
        semantic = np.full(len(codes), np.nan, dtype=np.float32)
        use_sem = query_emb is not None and s.emb is not None
        combined = _zscore(lexical)
        if use_sem:
            # an organisation's semantic score: its best candidate document's cosine with the query
            cos = s.emb[top] @ np.asarray(query_emb, dtype=np.float32)  # type: ignore[index]
            semantic = np.full(len(codes), -np.inf, dtype=np.float32)
            np.maximum.at(semantic, inverse.ravel(), cos.astype(np.float32))
            w = self.config.semantic_weight
            combined = (1.0 - w) * combined + w * _zscore(semantic)
        order = np.argsort(-combined, kind="stable")[:k]
        out = []
        for c in order:
            owner = s.code_owner[codes[c]]
            reasons: tuple[Reason, ...] = ()
            if n_reasons:
                reasons = self.reasons(reason_text, side, owner, n_reasons, reason_fields, doc_scores)
            out.append(
                OrgMatch(
                    owner,
                    round(float(combined[c]), 6),
                    round(float(lexical[c]), 6),
                    None if not use_sem else round(float(semantic[c]), 6),
                    s.fields[best_doc[c]],
                    reasons,
                )
            )
        return out

    def _coverage(self, s: _Side, positions: np.ndarray, query: sp.csr_matrix) -> np.ndarray:
        """floor + (1 - floor) x the share of each document's clauses that name a rare query term (or several)."""
        floor = self.config.coverage_floor
        rows, local = s.clause_rows(positions)
        q = sp.csr_matrix(query[0], dtype=np.float32)
        q.data = self.vocab.idf[q.indices]
        if not rows.shape[0] or not len(self.vocab.idf):
            return np.full(len(positions), floor, dtype=np.float32)
        hit = (rows @ q.T).toarray().ravel() >= self.config.coverage_idf_share * float(self.vocab.idf.max())
        share = np.bincount(local[hit], minlength=len(positions)) / np.maximum(s.cl_count[positions], 1)
        return (floor + (1.0 - floor) * share).astype(np.float32)

    def reasons(
        self,
        query_text: str,
        side: SideName,
        owner: Id,
        n: int = 3,
        fields: Collection[str] | None = None,
        doc_scores: np.ndarray | None = None,
    ) -> tuple[Reason, ...]:
        """Labelled shared terms between a (viewer-visible) text and an owner's (viewer-visible) documents."""
        s = self.sides[side]
        positions = [i for i in s.by_owner.get(owner, []) if s.alive[i] and (fields is None or s.fields[i] in fields)]
        if doc_scores is not None:
            positions.sort(key=lambda i: -doc_scores[i])
        return labelled_reasons(query_text, [(s.fields[i], s.texts[i]) for i in positions], n, self.vocab.idf_of)

    # -- all pairs -----------------------------------------------------------------------------------------

    def owner_vectors(self, side: SideName) -> tuple[list[Id], sp.csr_matrix]:
        """One query vector per live owner: the set of terms of its documents (weight 1 each)."""
        s = self.sides[side]
        live = np.flatnonzero(s.alive)
        codes, inverse = np.unique(s.owner_code[live], return_inverse=True)
        agg = sp.csr_matrix(
            (np.ones(len(live), np.float32), (inverse, live)), shape=(len(codes), len(s)), dtype=np.float32
        )
        return [s.code_owner[c] for c in codes], _binary(agg @ s.matrix())

    def all_pairs_arrays(
        self, from_side: SideName, side: SideName = "profiles", k: int = 10, n_threads: int = 2
    ) -> tuple[list[Id], np.ndarray, np.ndarray]:
        """Every owner of ``from_side`` -> its k best owners of ``side``: (owners, owner codes of ``side``
        (n, k), -1 = none; scores (n, k)). Lexical stage: candidates from the rarer terms, exact scores among
        them (see :meth:`_rare_first_top_k`), then the best document per owner. Same side: an owner is never
        its own match."""
        owners, queries = self.owner_vectors(from_side)
        s = self.sides[side]
        self.compact(side)
        width = k * (3 if from_side != side else 4)
        top = self._rare_first_top_k(queries, s, width, n_threads)
        valid = top.indices >= 0
        safe = np.where(valid, top.indices, 0)
        codes = np.where(valid & s.alive[safe], s.owner_code[safe], -1)
        if from_side == side:
            own = np.array([s.codes.get(o, -2) for o in owners])[:, None]
            codes[codes == own] = -1
        # keep each owner's first (best) document per row: sort by code, mark repeats, restore score order
        order = np.argsort(codes, axis=1, kind="stable")
        sorted_codes = np.take_along_axis(codes, order, axis=1)
        repeat = np.zeros_like(sorted_codes, dtype=bool)
        repeat[:, 1:] = sorted_codes[:, 1:] == sorted_codes[:, :-1]
        drop = np.zeros_like(repeat)
        np.put_along_axis(drop, order, repeat, axis=1)
        drop |= codes < 0
        keep_order = np.argsort(drop, axis=1, kind="stable")[:, :k]
        out_codes = np.take_along_axis(np.where(drop, -1, codes), keep_order, axis=1)
        out_scores = np.where(out_codes >= 0, np.take_along_axis(top.scores, keep_order, axis=1), 0.0)
        return owners, out_codes, out_scores

    def _rare_first_top_k(self, queries: sp.csr_matrix, s: _Side, width: int, n_threads: int) -> TopK:
        """Top ``width`` documents per query row, scored exactly, with most of the product's work skipped.

        Terms found in more than ``all_pairs_common_df`` of the documents make most of a full product's work
        (their posting lists are long) but rarely decide which documents are candidates. So: (1) one sparse
        multiply-and-top-k with the rarer terms only gives ``all_pairs_candidates`` candidates per row; (2) each
        candidate gets the weights of the query's common terms added from a dense block of those columns,
        which makes its score exact; (3) rows left with too few candidates are computed in full."""
        cfg = self.config
        m = s.main_rows
        targets_t = s.main_t
        df = np.diff(targets_t.indptr)
        common = df > cfg.all_pairs_common_df * m
        if m < cfg.all_pairs_exact_below or not common.any() or queries.shape[0] == 0:
            return sparse_top_k(queries, targets_t, width, n_threads=n_threads)
        queries = sp.csr_matrix(queries, dtype=np.float32)
        queries.sort_indices()
        in_common = common[queries.indices]
        rare = sp.csr_matrix(
            (np.where(in_common, 0.0, queries.data).astype(np.float32), queries.indices.copy(), queries.indptr.copy()),
            shape=queries.shape,
        )
        rare.eliminate_zeros()
        wide = max(width, cfg.all_pairs_candidates)
        top = sparse_top_k(rare, targets_t, wide, n_threads=n_threads)
        # the common columns as a dense (documents x common terms + 1) block; the last column is zero padding
        cols = np.flatnonzero(common)
        block = np.zeros((m, len(cols) + 1), dtype=np.float32)
        block[:, :-1] = targets_t[cols].toarray().T
        slot = np.full(len(common), len(cols), dtype=np.int32)
        slot[cols] = np.arange(len(cols), dtype=np.int32)
        # each query's common terms (as block columns) and their query weights, padded; rows in order of their
        # number of common terms, so that a chunk pads little
        rows_of = np.repeat(np.arange(queries.shape[0]), np.diff(queries.indptr))[in_common]
        per_row = np.bincount(rows_of, minlength=queries.shape[0])
        width_t = max(int(per_row.max()), 1)
        pos = np.arange(len(rows_of)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        terms = np.full((queries.shape[0], width_t), len(cols), dtype=np.int32)
        weights = np.zeros((queries.shape[0], width_t), dtype=np.float32)
        terms[rows_of, pos] = slot[queries.indices[in_common]]
        weights[rows_of, pos] = queries.data[in_common]
        binary = bool(np.all(queries.data == 1.0))
        scores = top.scores.copy()
        by_count = np.argsort(per_row, kind="stable")
        flat = block.ravel()
        stride = (np.int32 if flat.size < 2**31 else np.int64)(block.shape[1])
        terms = terms.astype(stride.dtype, copy=False)
        step = max(1, 2_000_000 // (wide * width_t))
        for a in range(0, queries.shape[0], step):
            rows = by_count[a : a + step]
            t = max(int(per_row[rows].max()), 1)
            cand = np.maximum(top.indices[rows], 0).astype(stride.dtype)
            gathered = np.take(flat, cand[:, :, None] * stride + terms[rows, None, :t])
            if binary:
                scores[rows] += gathered.sum(axis=2)
            else:
                scores[rows] += np.einsum("qwt,qt->qw", gathered, weights[rows, :t])
        scores[top.indices < 0] = -np.inf
        order = np.argsort(-scores, axis=1, kind="stable")[:, :width]
        indices = np.take_along_axis(top.indices, order, axis=1)
        out = TopK(indices, np.where(indices >= 0, np.take_along_axis(scores, order, axis=1), 0.0).astype(np.float32))
        short = np.flatnonzero((top.indices >= 0).sum(axis=1) < min(width, m))
        if len(short):
            full = sparse_top_k(queries[short], targets_t, width, n_threads=n_threads)
            out.indices[short], out.scores[short] = full.indices, full.scores
        return out

    def all_pairs(
        self, from_side: SideName, side: SideName = "profiles", k: int = 10, n_threads: int = 2
    ) -> dict[Id, list[tuple[Id, float]]]:
        """:meth:`all_pairs_arrays` as {owner: [(other owner, lexical score), ...]}, best first."""
        owners, codes, scores = self.all_pairs_arrays(from_side, side, k, n_threads)
        names = self.sides[side].code_owner
        return {
            owner: [(names[c], round(float(v), 6)) for c, v in zip(row_c, row_v, strict=True) if c >= 0]
            for owner, row_c, row_v in zip(owners, codes.tolist(), scores.tolist(), strict=True)
        }

    # -- persistence ---------------------------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """Changes whenever the vocabulary, its weights, the configuration or the embedding model change."""
        h = hashlib.sha256()
        h.update(json.dumps([FORMAT_VERSION, asdict(self.config), self.embedder_name, self.vocab.avg_len]).encode())
        h.update("\n".join(self.vocab.terms).encode("utf-8"))
        h.update(self.vocab.idf.tobytes())
        return h.hexdigest()[:16]

    def to_bytes(self) -> bytes:
        """The whole index (both sides, vocabulary, embeddings as float16) in one numpy archive: no pickle."""
        arrays: dict[str, np.ndarray] = {
            "terms": np.frombuffer("\n".join(self.vocab.terms).encode("utf-8"), dtype=np.uint8),
            "idf": self.vocab.idf,
        }
        meta = {
            "format": FORMAT_VERSION,
            "config": asdict(self.config),
            "embedder": self.embedder_name,
            "fingerprint": self.fingerprint,
            "avg_len": self.vocab.avg_len,
            "update_tokens": self._update_tokens,
            "new_tokens": self._new_tokens,
            "sides": {},
        }
        for name, s in self.sides.items():
            m = s.matrix() if len(s) else sp.csr_matrix((0, len(self.vocab.terms)), dtype=np.float32)
            meta["sides"][name] = {"owners": s.owners, "fields": s.fields, "texts": s.texts}
            arrays[f"{name}.data"], arrays[f"{name}.indices"] = m.data, m.indices
            arrays[f"{name}.indptr"], arrays[f"{name}.alive"] = m.indptr, s.alive
            c = s.clause_matrix()
            arrays[f"{name}.cl_indices"], arrays[f"{name}.cl_indptr"] = c.indices, c.indptr
            arrays[f"{name}.cl_count"] = s.cl_count
            if s.emb is not None:
                arrays[f"{name}.emb"] = s.emb.astype(np.float16)
        arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes, embedder: Embedder | None | Literal["default"] = "default") -> MatchIndex:
        """Load a stored index. The embedding model must be the one that made it, else the semantic stage is
        off (and the log says so); the lexical stage always works."""
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
            if meta["format"] != FORMAT_VERSION:
                raise ValueError(f"index format {meta['format']} is not {FORMAT_VERSION}: rebuild it")
            terms = z["terms"].tobytes().decode("utf-8").split("\n") if z["terms"].size else []
            vocab = Vocabulary(terms, z["idf"], EngineConfig(**meta["config"]), meta["avg_len"])
            if embedder == "default":
                embedder = default_embedder() if meta["embedder"] else None
            if embedder is not None and embedder.name != meta["embedder"]:
                import logging

                logging.getLogger(__name__).warning(
                    "text engine: index embedded with %r, model is %r; lexical stage only",
                    meta["embedder"],
                    embedder.name,
                )
                embedder = None
            index = cls(vocab, embedder, meta["embedder"])
            index._update_tokens, index._new_tokens = meta["update_tokens"], meta["new_tokens"]
            for name in SIDES:
                info = meta["sides"][name]
                owners = [_owner(o) for o in info["owners"]]
                docs = [Doc(o, f, t) for o, f, t in zip(owners, info["fields"], info["texts"], strict=True)]
                m = sp.csr_matrix(
                    (z[f"{name}.data"], z[f"{name}.indices"], z[f"{name}.indptr"]),
                    shape=(len(docs), len(terms)),
                )
                emb = z[f"{name}.emb"].astype(np.float32) if f"{name}.emb" in z.files and embedder else None
                cl_indices = z[f"{name}.cl_indices"]
                cl = sp.csr_matrix(
                    (np.ones(len(cl_indices), np.float32), cl_indices, z[f"{name}.cl_indptr"]),
                    shape=(len(z[f"{name}.cl_indptr"]) - 1, len(terms)),
                )
                s = index.sides[name]
                if docs:
                    s.append(docs, Rows(m, cl, z[f"{name}.cl_count"].astype(np.int64)), emb, in_main=True)
                    s.alive = z[f"{name}.alive"].copy()
                    s.by_owner = {}
                    for i in np.flatnonzero(s.alive):
                        s.by_owner.setdefault(s.owners[i], []).append(int(i))
        if index.fingerprint != meta["fingerprint"]:
            raise ValueError("stored index does not match its fingerprint")
        return index


def _owner(value: object) -> Id:
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = float(np.std(x))
    return (x - float(np.mean(x))) / sd if sd > 1e-9 and math.isfinite(sd) else np.zeros_like(x)


__all__ = [
    "FORMAT_VERSION",
    "SIDES",
    "Doc",
    "EngineConfig",
    "MatchIndex",
    "OrgMatch",
    "Reason",
    "UpdateResult",
    "Vocabulary",
]
