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
from .vocabulary import Rows, TermSets

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
    """Documents of one side. Documents [0, main_rows) sit in the main block (fitted or loaded), later ones in
    ``delta``. The main block is kept transposed only (terms x documents: what every product reads); a main
    document's row is made again from its text with ``vectorize`` (the vocabulary's transform) when needed."""

    owners: list[Id] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    norms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # L2 norm of each row
    vectorize: Callable[[list[str]], sp.csr_matrix] | None = None
    delta_rows: list[sp.csr_matrix] = field(default_factory=list)
    # (n_docs, dim) unit rows as int8 with a float32 scale per row (a quarter of float32's memory; the cosines
    # move by about 1e-3); read them with `embeddings`
    emb: np.ndarray | None = None
    emb_scale: np.ndarray | None = None
    by_owner: dict[Id, list[int]] = field(default_factory=dict)
    owner_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    codes: dict[Id, int] = field(default_factory=dict)
    code_owner: list[Id] = field(default_factory=list)
    # clauses: term sets, those of a document consecutive from cl_start[doc], cl_count[doc] of them
    cl_main: TermSets | None = None
    cl_delta_rows: list[TermSets] = field(default_factory=list)
    cl_start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cl_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _main_t: sp.csr_matrix | None = None
    _derived: dict[str, Any] = field(default_factory=dict)  # built from the main block, kept until it changes
    _delta: sp.csr_matrix | None = None
    _delta_t: sp.csr_matrix | None = None
    _cl_delta: TermSets | None = None
    _emb_buf: np.ndarray | None = None
    _scale_buf: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.owners)

    @property
    def main_rows(self) -> int:
        return 0 if self._main_t is None else self._main_t.shape[1]

    @property
    def main_t(self) -> sp.csr_matrix:
        assert self._main_t is not None
        return self._main_t

    def reset(self, width: int) -> None:
        """An empty main block over a vocabulary of ``width`` terms."""
        self._main_t = sp.csr_matrix((width, 0), dtype=np.float32)

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
        """Every document's row (documents x terms): a new matrix, for the work that reads them all."""
        delta, _ = self.delta()
        main = self.main_t.T.tocsr()
        return main if delta is None else sp.vstack([main, delta], format="csr", dtype=np.float32)

    def rows(self, positions: Sequence[int]) -> sp.csr_matrix:
        """Some documents' rows, in the order given, made again from their texts with the stored vocabulary (as
        fitted or updated: the same rows), without reading the transposed block."""
        assert self.vectorize is not None, "a side needs its vocabulary's transform"
        return sp.csr_matrix(self.vectorize([self.texts[p] for p in positions]), dtype=np.float32)

    def clause_sets(self) -> TermSets:
        """Every clause's term set, main block and updates."""
        assert self.cl_main is not None
        out = self.cl_main
        for part in self.cl_delta_rows:
            out = out.extend(part)
        return out

    def clause_rows(self, positions: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """The clause rows of some documents and, for each row, the index of its document in ``positions``."""
        starts, counts = self.cl_start[positions], self.cl_count[positions]
        local = np.repeat(np.arange(len(positions)), counts)
        ids = np.repeat(starts, counts) + (np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts))
        assert self.cl_main is not None
        n_main = self.cl_main.n_rows
        in_main = ids < n_main
        if in_main.all():
            return self.cl_main.rows(ids), local
        if self._cl_delta is None:
            self._cl_delta = self.cl_delta_rows[0]
            for part in self.cl_delta_rows[1:]:
                self._cl_delta = self._cl_delta.extend(part)
        parts = [self.cl_main.rows(ids[in_main]), self._cl_delta.rows(ids[~in_main] - n_main)]
        return sp.vstack(parts, format="csr", dtype=bool), np.concatenate([local[in_main], local[~in_main]])

    def append(self, docs: Sequence[Doc], block: Rows, emb: np.ndarray | None, in_main: bool) -> None:
        rows = block.docs
        n_clauses = 0 if self.cl_main is None else self.cl_main.n_rows
        n_clauses += sum(m.n_rows for m in self.cl_delta_rows)
        self.cl_start = np.concatenate([self.cl_start, n_clauses + np.cumsum(block.per_doc) - block.per_doc])
        self.cl_count = np.concatenate([self.cl_count, block.per_doc.astype(np.int64)])
        if in_main:
            assert not self.cl_delta_rows, "compact before appending to the main block"
            old = self.cl_main
            self.cl_main = block.clauses if old is None else old.extend(block.clauses)
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
            rows_t = rows.T.tocsr()
            self._main_t = rows_t if not self.main_rows else sp.hstack([self.main_t, rows_t], format="csr")
            self._derived = {}
        else:
            self.delta_rows.append(rows)
            self._delta = self._delta_t = None
        if emb is not None:
            self.add_embeddings(emb)

    def add_embeddings(self, emb: np.ndarray) -> None:
        """The embeddings of the documents appended last (as many rows as documents without one yet)."""
        for start in range(0, len(emb), 8192):
            part = np.asarray(emb[start : start + 8192], dtype=np.float32)
            scale = np.abs(part).max(axis=1) / 127.0 if part.size else np.zeros(len(part), np.float32)
            safe = np.where(scale > 0, scale, 1.0)[:, None]
            self._grow_emb(np.rint(part / safe).astype(np.int8), scale.astype(np.float32))

    def embeddings(self, positions: Sequence[int] | np.ndarray | slice) -> np.ndarray:
        """Some documents' embeddings as float32 rows."""
        assert self.emb is not None and self.emb_scale is not None
        return self.emb[positions].astype(np.float32) * self.emb_scale[positions][:, None]

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
            _, delta_t = self.delta()
            self._main_t = sp.hstack([self.main_t, delta_t], format="csr", dtype=np.float32)
            self._derived = {}
            self.delta_rows, self._delta, self._delta_t = [], None, None
        if self.cl_delta_rows:
            self.cl_main = self.clause_sets()
            self.cl_delta_rows, self._cl_delta = [], None

    def live_positions(self, owner: Id) -> list[int]:
        """The rows of an owner's live documents."""
        return [i for i in self.by_owner.get(owner, []) if self.alive[i]]

    def _grow_emb(self, emb: np.ndarray, scale: np.ndarray) -> None:
        """Append embeddings into buffers with spare room: an update does not copy every stored vector."""
        n_old = 0 if self.emb is None else self.emb.shape[0]
        need = n_old + len(emb)
        if self._emb_buf is None or self._emb_buf.shape[0] < need:
            cap = need + need // 4 + 16 if n_old else need
            buf, scales = np.empty((cap, emb.shape[1]), dtype=np.int8), np.empty(cap, dtype=np.float32)
            if self.emb is not None and self.emb_scale is not None:
                buf[:n_old], scales[:n_old] = self.emb, self.emb_scale
            self._emb_buf, self._scale_buf = buf, scales
        assert self._scale_buf is not None
        self._emb_buf[n_old:need], self._scale_buf[n_old:need] = emb, scale
        self.emb, self.emb_scale = self._emb_buf[:need], self._scale_buf[:need]

    def scores(self, query: sp.csr_matrix) -> np.ndarray:
        """Dot product of each query row with every document (dead documents score 0): (n_queries, n_docs)."""
        out = np.zeros((query.shape[0], len(self)), dtype=np.float32)
        if self.main_rows:
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
