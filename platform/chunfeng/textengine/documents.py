"""The matching index's documents: one per product line, registered product or capability field of a profile, one
per section of a project, each labelled with its field; and the store of one side's documents (BM25 rows, clause
rows, embeddings, owners), growing by updates without refitting."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from .text import normalize
from .vocabulary import Rows

Id = Hashable
SideName = Literal["profiles", "projects"]
SIDES: tuple[SideName, SideName] = ("profiles", "projects")


@dataclass(frozen=True)
class Doc:
    """One document of an organisation or project: its field label and text."""

    owner: Id
    field: str
    text: str


@dataclass
class DocumentSide:
    """Documents of one side. Rows [0, main_rows) sit in ``main`` (fitted or loaded), later rows in ``delta``."""

    owners: list[Id] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    norms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # L2 norm of each row
    main: sp.csr_matrix | None = None
    delta_rows: list[sp.csr_matrix] = field(default_factory=list)
    emb: np.ndarray | None = None  # (n_docs, dim) float16 (half the memory; cosines read as float32), unit rows
    by_owner: dict[Id, list[int]] = field(default_factory=dict)
    owner_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    codes: dict[Id, int] = field(default_factory=dict)
    code_owner: list[Id] = field(default_factory=list)
    # clauses: term sets (boolean rows), those of a document consecutive from cl_start[doc], cl_count[doc] of them
    cl_main: sp.csr_matrix | None = None
    cl_delta_rows: list[sp.csr_matrix] = field(default_factory=list)
    cl_start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cl_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _main_t: sp.csr_matrix | None = None
    _derived: dict[str, Any] = field(default_factory=dict)  # built from the main block, kept until it changes
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

    def derived(self, key: str, build: Callable[[], Any]) -> Any:
        """A structure built from the main block (as the transposed index is): built once per worker, again only
        when the main block changes."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

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
        return sp.vstack([self.cl_main, *self.cl_delta_rows], format="csr", dtype=bool)

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
            self._cl_delta = sp.vstack(self.cl_delta_rows, format="csr", dtype=bool)
        parts = [self.cl_main[ids[in_main]], self._cl_delta[ids[~in_main] - n_main]]
        return sp.vstack(parts, format="csr", dtype=bool), np.concatenate([local[in_main], local[~in_main]])

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
            self.digests.append(text_digest(doc.text))
            self.by_owner.setdefault(doc.owner, []).append(start + i)
            if doc.owner not in self.codes:
                self.codes[doc.owner] = len(self.code_owner)
                self.code_owner.append(doc.owner)
        self.alive = np.concatenate([self.alive, np.ones(len(docs), dtype=bool)])
        self.norms = np.concatenate([self.norms, row_norms(rows)])
        new_codes = np.fromiter((self.codes[d.owner] for d in docs), dtype=np.int64, count=len(docs))
        self.owner_code = np.concatenate([self.owner_code, new_codes])
        if in_main:
            self.main = rows if self.main is None else sp.vstack([self.main, rows], format="csr")
            self._main_t = None
            self._derived = {}
        else:
            self.delta_rows.append(rows)
            self._delta = self._delta_t = None
        if emb is not None:
            self._grow_emb(np.asarray(emb, dtype=np.float16))

    def restore(self, docs: Sequence[Doc], block: Rows, emb: np.ndarray | None, alive: np.ndarray) -> None:
        """Load stored documents into the main block, with their stored liveness."""
        self.append(docs, block, emb, in_main=True)
        self.alive = alive.copy()
        self.by_owner = {}
        for i in np.flatnonzero(self.alive):
            self.by_owner.setdefault(self.owners[i], []).append(int(i))

    def compact(self) -> None:
        """Fold the updated rows into the main block (drops nothing: dead rows stay masked)."""
        if self.delta_rows:
            self.main = self.matrix()
            self._main_t = None
            self._derived = {}
            self.delta_rows, self._delta, self._delta_t = [], None, None
        if self.cl_delta_rows:
            self.cl_main = self.clause_matrix()
            self.cl_delta_rows, self._cl_delta = [], None

    def live_positions(self, owner: Id) -> list[int]:
        """The rows of an owner's live documents."""
        return [i for i in self.by_owner.get(owner, []) if self.alive[i]]

    def _grow_emb(self, emb: np.ndarray) -> None:
        """Append embeddings into a buffer with spare room: an update does not copy every stored vector."""
        if self.emb is None:
            self.emb = self._emb_buf = emb
            return
        n_old = self.emb.shape[0]
        need = n_old + len(emb)
        if self._emb_buf is None or self._emb_buf.shape[0] < need:
            cap = need + need // 4 + 16
            buf = np.empty((cap, emb.shape[1]), dtype=np.float16)
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


def row_norms(rows: sp.csr_matrix) -> np.ndarray:
    """The L2 norm of each row, without a copy of the matrix."""
    out = np.zeros(rows.shape[0], dtype=np.float32)
    filled = np.diff(rows.indptr) > 0
    if filled.any():
        out[filled] = np.add.reduceat(np.square(rows.data, dtype=np.float32), rows.indptr[:-1][filled])
    return np.sqrt(out)


def text_digest(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()[:20]
