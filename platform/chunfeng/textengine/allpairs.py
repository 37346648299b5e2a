"""All pairs: every owner of one side against every owner of another (or the same) side, lexical stage only.

Each owner becomes one query vector (the set of its documents' terms); candidates come from the rarer terms and
are then scored exactly (see :func:`rare_first_top_k`); each owner keeps its best document per match."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from .config import EngineConfig
from .documents import DocumentSide, Id
from .engine import TopK, sparse_top_k

#: the common terms' block stays in float32 up to this size (about 25k documents at the usual 600 common terms)
EXACT_BLOCK_BYTES = 64 << 20
#: owners ranked a run at a time: ``RUN_ROWS``, or ``LARGE_RUN_ROWS`` against a side of more than ``LARGE_SIDE``
#: documents (each run's temporaries grow with the side)
RUN_ROWS, LARGE_RUN_ROWS, LARGE_SIDE = 32768, 8192, 50_000


def run_rows(target: DocumentSide) -> int:
    return LARGE_RUN_ROWS if len(target) > LARGE_SIDE else RUN_ROWS


def vectors_by_owner(s: DocumentSide) -> tuple[list[Id], sp.csr_matrix]:
    """One query vector per live owner: the set of terms of its documents (weight 1 each)."""
    owners, chunks = owner_vector_chunks(s)
    parts = list(chunks)
    return owners, sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, s.main_t.shape[0]), dtype=np.float32)


def owner_vector_chunks(s: DocumentSide, rows: int = 8192) -> tuple[list[Id], Iterator[sp.csr_matrix]]:
    """:func:`vectors_by_owner` made ``rows`` owners at a time from their documents' columns of the transposed
    block: never a copy of the side's rows. The side must be compacted (no updated rows outside the block)."""
    assert not s.delta_rows, "compact the side first"
    live = np.flatnonzero(s.alive)
    codes, inverse = np.unique(s.owner_code[live], return_inverse=True)
    by_owner = np.argsort(inverse, kind="stable")
    live, inverse = live[by_owner], inverse[by_owner]

    def chunks() -> Iterator[sp.csr_matrix]:
        for a in range(0, len(codes), rows):
            lo, hi = np.searchsorted(inverse, [a, a + rows])
            n = min(rows, len(codes) - a)
            agg = sp.csr_matrix((np.ones(hi - lo, np.float32), (np.arange(hi - lo), inverse[lo:hi] - a)),
                                shape=(hi - lo, n))
            vectors = (s.main_t[:, live[lo:hi]] @ agg).T.tocsr()  # terms x documents -> owners x terms
            vectors.data[:] = 1.0
            yield vectors

    return [s.code_owner[c] for c in codes], chunks()


def best_owners(
    owners: list[Id],
    queries: Iterable[sp.csr_matrix],
    s: DocumentSide,
    k: int,
    same_side: bool,
    config: EngineConfig,
    n_threads: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each query row's k best owners of ``s`` (the queries: runs of rows, one row per owner): owner codes (n, k),
    -1 = none, and scores (n, k). Exact scores among the rare-term candidates, then the best document per owner.
    ``same_side``: ``owners`` are owners of ``s``, and an owner is never its own match."""
    width = k * (4 if same_side else 3)
    own = np.array([s.codes.get(o, -2) for o in owners], dtype=np.int64) if same_side else None
    codes, scores, done = [], [], 0
    for top in _top_k_by_runs(queries, s, width, config, n_threads):
        run_own = None if own is None else own[done : done + len(top.indices)]
        run_codes, run_scores = _best_document_per_owner(top, s, k, run_own)
        codes.append(run_codes)
        scores.append(run_scores)
        done += len(top.indices)
    if not codes:
        return np.full((0, k), -1, dtype=np.int64), np.zeros((0, k), dtype=np.float32)
    return np.concatenate(codes), np.concatenate(scores)


def _best_document_per_owner(
    top: TopK, s: DocumentSide, k: int, own: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    valid = top.indices >= 0
    safe = np.where(valid, top.indices, 0)
    codes = np.where(valid & s.alive[safe], s.owner_code[safe], -1)
    if own is not None:
        codes[codes == own[:, None]] = -1
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
    return out_codes, out_scores.astype(np.float32)


def rare_first_top_k(
    queries: sp.csr_matrix, s: DocumentSide, width: int, config: EngineConfig, n_threads: int, rows: int = 16384
) -> TopK:
    """Top ``width`` documents per query row, scored exactly, with most of the product's work skipped.

    Terms found in more than ``all_pairs_common_df`` of the documents make most of a full product's work
    (their posting lists are long) but rarely decide which documents are candidates. So: (1) one sparse
    multiply-and-top-k with the rarer terms only gives ``all_pairs_candidates`` candidates per row; (2) each
    candidate gets the weights of the query's common terms added from a dense block of those columns (see
    :func:`_common_block`); (3) rows left with too few
    candidates are computed in full. Queries go ``rows`` at a time, so that memory beyond the index does not
    grow with their number."""
    parts = list(_top_k_by_runs((queries[a : a + rows] for a in range(0, queries.shape[0], rows)), s, width, config,
                                n_threads))
    if not parts:
        return TopK(np.full((0, width), -1, dtype=np.int64), np.zeros((0, width), dtype=np.float32))
    return TopK(np.concatenate([p.indices for p in parts]), np.concatenate([p.scores for p in parts]))


def _top_k_by_runs(runs: Iterable[sp.csr_matrix], s: DocumentSide, width: int, config: EngineConfig,
                   n_threads: int) -> Iterator[TopK]:
    """:func:`rare_first_top_k` of queries given as runs of rows, a result per run (each run is let go once it
    is done)."""
    targets_t = s.main_t
    rare_first = s.main_rows >= config.all_pairs_exact_below
    slot, block = common_terms(s, config) if rare_first else (None, None)
    common = None if slot is None else slot < block.shape[1] - 1
    for queries in runs:
        if queries.shape[0] == 0:
            continue
        if common is None or not common.any():
            yield sparse_top_k(queries, targets_t, width, n_threads=n_threads)
            continue
        queries = sp.csr_matrix(queries, dtype=np.float32)  # (unsorted ids are fine: nothing below reads their order)
        yield _rare_first_rows(queries, targets_t, common, block, slot, width, config, n_threads)


def common_terms(s: DocumentSide, config: EngineConfig) -> tuple[np.ndarray, np.ndarray]:
    """The terms in more than ``all_pairs_common_df`` of the side's documents: each term's column in the dense
    block (the others: the padding column) and the block (documents x common terms + 1), kept with the side's
    index like its transposed index."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        targets_t = s.main_t
        df = np.diff(targets_t.indptr)
        cols = np.flatnonzero(df > config.all_pairs_common_df * s.main_rows)
        slot = np.full(len(df), len(cols), dtype=np.int32)
        slot[cols] = np.arange(len(cols), dtype=np.int32)
        return slot, _common_block(targets_t, cols)

    return s.derived(f"common-terms:{config.all_pairs_common_df}", build)


def _common_block(targets_t: sp.csr_matrix, cols: np.ndarray, budget: int = 1 << 24) -> np.ndarray:
    """The documents' weights of the common terms as a dense (documents x common terms + 1) block; the last column
    is zero padding. In float32 (exact) up to ``EXACT_BLOCK_BYTES``, in float16 beyond (half the memory, scores
    exact to about three significant digits). Filled from dense runs of at most ``budget`` bytes of columns: never
    a second copy of the whole block."""
    m = targets_t.shape[1]
    exact = m * (len(cols) + 1) * 4 <= EXACT_BLOCK_BYTES
    block = np.zeros((m, len(cols) + 1), dtype=np.float32 if exact else np.float16)
    per = max(8, budget // (4 * max(m, 1)))
    for j in range(0, len(cols), per):
        part = cols[j : j + per]
        block[:, j : j + len(part)] = targets_t[part].toarray().T
    return block


def _rare_first_rows(
    queries: sp.csr_matrix,
    targets_t: sp.csr_matrix,
    common: np.ndarray,
    block: np.ndarray,
    slot: np.ndarray,
    width: int,
    config: EngineConfig,
    n_threads: int,
) -> TopK:
    m = block.shape[0]
    in_common = common[queries.indices]
    rare = sp.csr_matrix(
        (np.where(in_common, 0.0, queries.data).astype(np.float32), queries.indices.copy(), queries.indptr.copy()),
        shape=queries.shape,
    )
    rare.eliminate_zeros()
    wide = max(width, config.all_pairs_candidates)
    top = sparse_top_k(rare, targets_t, wide, n_threads=n_threads)
    del rare
    # each query's common terms (as block columns) and their query weights, padded; rows in order of their
    # number of common terms, so that a chunk pads little
    rows_of = np.repeat(np.arange(queries.shape[0]), np.diff(queries.indptr))[in_common]
    per_row = np.bincount(rows_of, minlength=queries.shape[0])
    width_t = max(int(per_row.max()), 1)
    pos = np.arange(len(rows_of)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    pad = block.shape[1] - 1
    terms = np.full((queries.shape[0], width_t), pad, dtype=np.int32)
    weights = np.zeros((queries.shape[0], width_t), dtype=np.float32)
    terms[rows_of, pos] = slot[queries.indices[in_common]]
    weights[rows_of, pos] = queries.data[in_common]
    binary = bool(np.all(queries.data == 1.0))
    scores = top.scores.copy()
    by_count = np.argsort(per_row, kind="stable")
    flat = block.ravel()
    stride = (np.int32 if flat.size < 2**31 else np.int64)(block.shape[1])
    terms = terms.astype(stride.dtype, copy=False)
    step = max(1, 262_144 // (wide * width_t))  # gathers of about a megabyte: they stay in cache

    def add_common(a: int) -> None:
        rows = by_count[a : a + step]
        t = max(int(per_row[rows].max()), 1)
        cand = np.maximum(top.indices[rows], 0).astype(stride.dtype)
        gathered = np.take(flat, cand[:, :, None] * stride + terms[rows, None, :t])
        if binary:
            scores[rows] += gathered.sum(axis=2, dtype=np.float32)
        else:
            scores[rows] += np.einsum("qwt,qt->qw", gathered, weights[rows, :t])

    # numpy lets go of the interpreter lock while it gathers and sums: the runs of rows go to n_threads threads
    with ThreadPoolExecutor(max_workers=max(1, n_threads)) as pool:
        list(pool.map(add_common, range(0, queries.shape[0], step)))
    scores[top.indices < 0] = -np.inf
    order = np.argsort(-scores, axis=1, kind="stable")[:, :width]
    indices = np.take_along_axis(top.indices, order, axis=1)
    out = TopK(indices, np.where(indices >= 0, np.take_along_axis(scores, order, axis=1), 0.0).astype(np.float32))
    short = np.flatnonzero((top.indices >= 0).sum(axis=1) < min(width, m))
    if len(short):
        full = sparse_top_k(queries[short], targets_t, width, n_threads=n_threads)
        out.indices[short], out.scores[short] = full.indices, full.scores
    return out
