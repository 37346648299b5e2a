"""Ranking one side's owners for a query: BM25 scores of the documents, the lexical candidates scaled by their
coherent coverage, a soft max by owner (best document plus a share of the second best), the semantic stage's best
cosine per owner, and both stages z-scored and mixed."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .config import EngineConfig
from .documents import DocumentSide, Id


@dataclass
class OwnerScores:
    """The candidate owners of one side for a query, in owner-code order."""

    doc_scores: np.ndarray  # every document's lexical score (the candidates' scaled by their coverage)
    codes: np.ndarray  # owner codes
    best_doc: np.ndarray  # each owner's best candidate document
    lexical: np.ndarray
    semantic: np.ndarray | None  # each owner's best candidate cosine; None without the semantic stage
    combined: np.ndarray


def score_owners(
    s: DocumentSide,
    query: sp.csr_matrix,
    query_emb: np.ndarray | None,
    exclude: Collection[Id],
    config: EngineConfig,
    idf: np.ndarray,
) -> OwnerScores | None:
    """Both stages for one query row against a side (None: no document shares a term with the query)."""
    doc_scores = s.scores(query)[0]
    for owner in exclude:
        doc_scores[s.by_owner.get(owner, [])] = 0.0
    n_cand = min(config.n_candidates, len(doc_scores))
    top = np.argpartition(-doc_scores, n_cand - 1)[:n_cand]
    top = top[doc_scores[top] > 0]
    if not len(top):
        return None
    if config.coverage_floor < 1.0:
        doc_scores[top] *= coverage(s, top, query, config, idf)
    # soft max by organisation over the candidate documents, vectorised: best plus a share of second best
    top = top[np.argsort(-doc_scores[top], kind="stable")]
    top_codes = s.owner_code[top]
    codes, first, inverse = np.unique(top_codes, return_index=True, return_inverse=True)
    lexical = doc_scores[top[first]].astype(np.float32)
    rest = np.ones(len(top), dtype=bool)
    rest[first] = False
    sec_codes, sec_first = np.unique(top_codes[rest], return_index=True)
    lexical[np.searchsorted(codes, sec_codes)] += config.second_weight * doc_scores[top[rest][sec_first]]
    semantic = None
    combined = zscore(lexical)
    if query_emb is not None and s.emb is not None:
        # an organisation's semantic score: its best candidate document's cosine with the query
        cos = s.embeddings(top) @ np.asarray(query_emb, dtype=np.float32)
        semantic = np.full(len(codes), -np.inf, dtype=np.float32)
        np.maximum.at(semantic, inverse.ravel(), cos.astype(np.float32))
        w = config.semantic_weight
        combined = (1.0 - w) * combined + w * zscore(semantic)
    return OwnerScores(doc_scores, codes, top[first], lexical, semantic, combined)


def coverage(
    s: DocumentSide, positions: np.ndarray, query: sp.csr_matrix, config: EngineConfig, idf: np.ndarray
) -> np.ndarray:
    """floor + (1 - floor) x the share of each document's clauses that name a rare query term (or several)."""
    floor = config.coverage_floor
    rows, local = s.clause_rows(positions)
    q = sp.csr_matrix(query[0], dtype=np.float32)
    q.data = idf[q.indices]
    if not rows.shape[0] or not len(idf):
        return np.full(len(positions), floor, dtype=np.float32)
    hit = (rows @ q.T).toarray().ravel() >= config.coverage_idf_share * float(idf.max())
    share = np.bincount(local[hit], minlength=len(positions)) / np.maximum(s.cl_count[positions], 1)
    return (floor + (1.0 - floor) * share).astype(np.float32)


def owners_coverage(
    s: DocumentSide, positions: np.ndarray, queries: sp.csr_matrix, config: EngineConfig, idf: np.ndarray
) -> np.ndarray:
    """:func:`coverage` of some documents for many query rows at once: (queries, documents)."""
    floor = config.coverage_floor
    rows, local = s.clause_rows(positions)
    if not rows.shape[0] or not len(idf):
        return np.full((queries.shape[0], len(positions)), floor, dtype=np.float32)
    q = sp.csr_matrix(queries, dtype=np.float32, copy=True)
    q.data = idf[q.indices].astype(np.float32)
    hit = (q @ rows.T).toarray() >= config.coverage_idf_share * float(idf.max())  # (queries, clauses)
    per_doc = sp.csr_matrix((np.ones(len(local), np.float32), (np.arange(len(local)), local)),
                            shape=(len(local), len(positions)))
    share = (per_doc.T @ hit.T.astype(np.float32)).T / np.maximum(s.cl_count[positions], 1)
    return (floor + (1.0 - floor) * share).astype(np.float32)


def zscore(x: np.ndarray) -> np.ndarray:
    sd = float(np.std(x))
    return (x - float(np.mean(x))) / sd if sd > 1e-9 and math.isfinite(sd) else np.zeros_like(x)
