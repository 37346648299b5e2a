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
