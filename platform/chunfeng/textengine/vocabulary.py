"""The matching index's vocabulary: terms, their BM25 IDF weights, documents as BM25 rows split into clauses,
queries as the set of their terms (with lay-word expansions at a lower weight)."""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .config import EngineConfig
from .engine import VectorizerConfig
from .terms import lay_expansions
from .text import Analyzer


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
    def fit(
        cls, texts: Sequence[str], config: EngineConfig, parts: Sequence[int] | None = None
    ) -> tuple[Vocabulary, list[Rows]]:
        """Fit terms and weights on the texts; their BM25 rows and clause rows, one block per part (the sizes
        of consecutive runs of ``texts``, e.g. one per side; default: one block). The blocks share the counting
        buffers: no second copy of the rows is made."""
        analyzer = Analyzer(config.ngram_max, VectorizerConfig().stop_terms)
        ids: dict[str, int] = {}
        counted = _count_clauses(analyzer, texts, lambda t: ids.setdefault(t, len(ids)))
        terms = list(ids)
        n = len(texts)
        df = counted.doc.column_counts(len(terms))
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
        column = np.full(len(terms), -1, dtype=np.int32)
        column[kept] = np.arange(len(kept), dtype=np.int32)
        counted.doc.renumber(column)
        counted.clause.renumber(column)
        bounds = np.concatenate([[0], np.cumsum(list(parts) if parts is not None else [n])]).astype(np.int64)
        spans = zip(bounds[:-1], bounds[1:], strict=True)
        return vocab, [vocab._weigh(counted.part(a, b), lengths[a:b]) for a, b in spans]

    def tokens(self, text: str) -> list[str]:
        return self.analyzer(text)

    def _counts(self, text: str) -> tuple[dict[int, int], int]:
        tokens = self.analyzer(text)
        return Counter(self.index[t] for t in tokens if t in self.index), len(tokens)

    def _weigh(self, counted: _Counted, lengths: np.ndarray) -> Rows:
        n = len(lengths)
        width = len(self.terms)
        docs = counted.doc.matrix(width, np.float32)
        k1, b = self.config.bm25_k1, self.config.bm25_b
        norm = (k1 * (1.0 - b + b * lengths / self.avg_len)).astype(np.float32)
        # in place, a run of rows at a time: the temporaries stay small whatever the number of documents
        for a in range(0, n, 8192):
            lo, hi = int(docs.indptr[a]), int(docs.indptr[min(a + 8192, n)])
            tf = docs.data[lo:hi]
            row_of = np.repeat(np.arange(a, min(a + 8192, n), dtype=np.int32), np.diff(docs.indptr[a : a + 8193]))
            tf *= np.float32(k1 + 1.0) / (tf + norm[row_of])
            tf *= self.idf[docs.indices[lo:hi]]
        return Rows(docs, counted.clause.term_sets(width), counted.per_doc(n))

    def transform(self, texts: Sequence[str]) -> Rows:
        """Documents as BM25 rows (the stored side of every comparison) and their clauses' term sets."""
        counted = _count_clauses(self.analyzer, texts, lambda t: self.index.get(t, -1))
        return self._weigh(counted, counted.doc_lengths(len(texts)))

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


#: Clause boundaries: a query term found in several clauses of one description is coherent coverage; a document
#: stitched from clauses of unrelated descriptions matches in one clause only. (N-grams never cross these.)
_CLAUSE_RE = re.compile(r"[,;。、，；:：!?！？\n\r]+")


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_RE.split(text) if c.strip()]


@dataclass
class Rows:
    """Documents' BM25 rows, their clauses' term sets (clauses of a document consecutive) and the number of
    clauses of each document."""

    docs: sp.csr_matrix
    clauses: TermSets
    per_doc: np.ndarray


class TermSets:
    """Rows of term ids without weights (clauses' term sets), stored compactly: 16-bit ids when the vocabulary
    allows (a third of a boolean CSR matrix's bytes), read back as CSR a few rows at a time."""

    def __init__(self, indices: np.ndarray, indptr: np.ndarray, width: int) -> None:
        self.width = width
        self.indices = np.asarray(indices, dtype=np.uint16 if width <= 2**16 else np.int32)
        indptr = np.asarray(indptr)
        self.indptr = indptr.astype(np.int32 if not len(indptr) or indptr[-1] < 2**31 else np.int64, copy=False)

    @classmethod
    def empty(cls, width: int) -> TermSets:
        return cls(np.zeros(0, np.int32), np.zeros(1, np.int64), width)

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def rows(self, ids: np.ndarray) -> sp.csr_matrix:
        """Some rows, in the order given, as a boolean CSR matrix."""
        ids = np.asarray(ids, dtype=np.int64)
        starts = self.indptr[ids].astype(np.int64)
        lengths = self.indptr[ids + 1] - starts
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        at = np.repeat(starts - indptr[:-1], lengths) + np.arange(int(indptr[-1]))
        indices = self.indices[at].astype(np.int32)
        return sp.csr_matrix((np.ones(len(indices), bool), indices, indptr), shape=(len(ids), self.width))

    def extend(self, other: TermSets) -> TermSets:
        """These rows followed by another's (a new object; neither is changed)."""
        indptr = np.concatenate([self.indptr.astype(np.int64), other.indptr[1:].astype(np.int64) + self.indptr[-1]])
        return TermSets(np.concatenate([self.indices, other.indices]), indptr, self.width)


class _Buffers:
    """Rows of term ids (and counts, unless the rows are sets) growing in compact buffers, without a Python
    object per entry."""

    def __init__(self, counted: bool = True) -> None:
        self.indices: array | np.ndarray = array("i")
        self.counts: array | np.ndarray | None = array("f") if counted else None
        self.indptr: array | np.ndarray = array("q", [0])

    def add(self, counts: dict[int, int]) -> None:
        self.indices.extend(counts.keys())  # type: ignore[union-attr]
        if self.counts is not None:
            self.counts.extend(counts.values())  # type: ignore[union-attr]
        self.indptr.append(len(self.indices))  # type: ignore[union-attr]

    def renumber(self, column: np.ndarray, chunk: int = 1 << 20) -> None:
        """Map term ids to new columns (-1: dropped) in place, a chunk at a time: no copy of the buffers."""
        indices = np.frombuffer(self.indices, dtype=np.int32) if len(self.indices) else np.zeros(0, np.int32)
        counts = None
        if self.counts is not None:
            counts = np.frombuffer(self.counts, dtype=np.float32) if len(self.counts) else np.zeros(0, np.float32)
        indptr = np.asarray(self.indptr, dtype=np.int64)
        new_indptr = np.zeros_like(indptr)
        kept = 0
        for start in range(0, len(indices), chunk):
            mapped = column[indices[start : start + chunk]]
            keep = mapped >= 0
            # rows starting inside this chunk start after the entries kept before them
            inside = slice(*np.searchsorted(indptr, [start, start + len(mapped)]))
            before = np.concatenate([[0], np.cumsum(keep)])
            new_indptr[inside] = kept + before[indptr[inside] - start]
            n = int(before[-1])
            if counts is not None:
                counts[kept : kept + n] = counts[start : start + chunk][keep]
            indices[kept : kept + n] = mapped[keep]
            kept += n
        new_indptr[indptr >= len(indices)] = kept
        self.indptr = new_indptr
        self.indices = indices[:kept]
        self.counts = None if counts is None else counts[:kept]

    def column_counts(self, width: int, chunk: int = 1 << 20) -> np.ndarray:
        """How many rows name each term (a chunk at a time: bincount would copy the ids as int64)."""
        indices = np.asarray(self.indices, dtype=np.int32)
        out = np.zeros(width, dtype=np.int64)
        for start in range(0, len(indices), chunk):
            out += np.bincount(indices[start : start + chunk], minlength=width)
        return out

    def part(self, a: int, b: int) -> _Buffers:
        """Rows a..b (views of these buffers)."""
        out = _Buffers(counted=self.counts is not None)
        indptr = np.asarray(self.indptr, dtype=np.int64)
        lo, hi = int(indptr[a]), int(indptr[b])
        out.indices = _view(np.asarray(self.indices, dtype=np.int32)[lo:hi])
        out.counts = None if self.counts is None else _view(np.asarray(self.counts, dtype=np.float32)[lo:hi])
        out.indptr = indptr[a : b + 1] - lo
        return out

    def term_sets(self, width: int) -> TermSets:
        """The rows as term sets, without their counts."""
        indices = np.asarray(self.indices, dtype=np.int32) if len(self.indices) else np.zeros(0, np.int32)
        return TermSets(indices, np.asarray(self.indptr, dtype=np.int64), width)

    def matrix(self, width: int, dtype: type) -> sp.csr_matrix:
        """The rows as CSR (sorted indices)."""
        n = len(self.indptr) - 1
        indices = np.asarray(self.indices, dtype=np.int32) if len(self.indices) else np.zeros(0, np.int32)
        if self.counts is None:
            data = np.ones(len(indices), dtype=bool)
        else:
            data = np.asarray(self.counts, dtype=np.float32) if len(self.counts) else np.zeros(0, np.float32)
        # int32 row pointers where they fit: with int64 ones scipy would copy the ids as int64 as well
        indptr = np.asarray(self.indptr, dtype=np.int32 if len(indices) < 2**31 else np.int64)
        m = sp.csr_matrix((data, indices, indptr), shape=(n, width), copy=False)
        m.has_canonical_format = False
        m.sort_indices()
        return m


def _view(part: np.ndarray) -> np.ndarray:
    """A view of part of a buffer whose base is that part alone: scipy copies a matrix's arrays when they are
    views of less than half of their base (it takes them for over-allocated buffers)."""
    return np.frombuffer(memoryview(part), dtype=part.dtype) if part.size else part


@dataclass
class _Counted:
    """Each clause's set of terms and each document's term counts, counted in one pass: what fitting and
    transforming share."""

    clause: _Buffers
    doc: _Buffers
    clause_doc: array | np.ndarray
    clause_len: array | np.ndarray

    def part(self, a: int, b: int) -> _Counted:
        """Documents a..b and their clauses."""
        first = np.concatenate([[0], np.cumsum(self.per_doc(max(b, len(self.doc.indptr) - 1)))]).astype(np.int64)
        ca, cb = int(first[a]), int(first[b])
        clause_doc = np.asarray(self.clause_doc, dtype=np.int32)[ca:cb] - np.int32(a)
        return _Counted(self.clause.part(ca, cb), self.doc.part(a, b), clause_doc, self.clause_len[ca:cb])

    def doc_lengths(self, n_docs: int) -> np.ndarray:
        return np.bincount(
            np.asarray(self.clause_doc, dtype=np.int64), weights=np.asarray(self.clause_len, float), minlength=n_docs
        ).astype(np.float32)

    def per_doc(self, n_docs: int) -> np.ndarray:
        return np.bincount(np.asarray(self.clause_doc, dtype=np.int64), minlength=n_docs).astype(np.int64)


def _count_clauses(analyzer: Analyzer, texts: Sequence[str], lookup: Callable[[str], int]) -> _Counted:
    out = _Counted(_Buffers(counted=False), _Buffers(), array("i"), array("i"))
    for d, text in enumerate(texts):
        in_doc: Counter[int] = Counter()
        for clause in clauses(text):
            tokens = analyzer(clause)
            if not tokens:
                continue
            counts = Counter(lookup(t) for t in tokens)
            counts.pop(-1, None)
            in_doc.update(counts)
            out.clause.add(counts)
            out.clause_doc.append(d)
            out.clause_len.append(len(tokens))
        out.doc.add(in_doc)
    return out
