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

The pieces: :mod:`.config` (the parameters), :mod:`.vocabulary` (terms, BM25 rows, clauses, queries),
:mod:`.documents` (documents and the store of one side), :mod:`.scoring` (coverage, soft max by owner, mixing of
the two stages), :mod:`.allpairs` (every owner against every owner) and :mod:`.persist` (the stored, versioned form).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from .allpairs import best_owners, common_terms, owner_vector_chunks, run_rows, vectors_by_owner
from .config import EngineConfig
from .documents import SIDES, Doc, DocumentSide, Id, SideName, text_digest
from .embedding import Embedder, default_embedder
from .persist import FORMAT_VERSION, index_fingerprint, read_index, write_index
from .scoring import owners_coverage, score_owners
from .terms import Reason, labelled_reasons
from .vocabulary import TermSets, Vocabulary
from .vocabulary import clauses as clauses  # re-exported: part of this module's interface before the split

#: Near duplicates in other words (see :meth:`MatchIndex.near_duplicates`), set on 16 ideas each written again in
#: other words against 1,891 pairs of other ideas (scripts/near_duplicates_eval.py): all 16 found, 3.1% of the other
#: pairs flagged (a quarter of them two ideas for the same maker, most of the rest for the same kind of device).
DUPLICATE_SEMANTIC = 0.93
DUPLICATE_LEXICAL_FLOOR = 0.05
DUPLICATE_SEMANTIC_SCORE = 0.55
#: ... among this many lexically closest documents (a side of any size: the check stays a few milliseconds)
DUPLICATE_CANDIDATES = 1000


def _best(scores: np.ndarray, n: int, floor: float) -> np.ndarray:
    """The positions of the n highest scores that reach floor (in no particular order)."""
    if len(scores) > n:
        top = np.argpartition(-scores, n - 1)[:n]
        return top[scores[top] >= floor]
    return np.flatnonzero(scores >= floor)


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


def embed_all(embedder: Embedder, texts: Sequence[str], batch: int = 4096) -> np.ndarray:
    """Passages' embeddings as stored (float16), a batch at a time: a side is never held twice in float32."""
    out: np.ndarray | None = None
    for start in range(0, len(texts), batch):
        part = np.asarray(embedder.embed_passages(texts[start : start + batch]))
        if out is None:
            out = np.empty((len(texts), part.shape[1]), dtype=np.float16)
        out[start : start + len(part)] = part
    assert out is not None
    return out


class MatchIndex:
    """Both sides over one vocabulary, their embeddings, and the model that made them."""

    def __init__(self, vocab: Vocabulary, embedder: Embedder | None, embedder_name: str | None = None) -> None:
        self.vocab = vocab
        self.config = vocab.config
        self.embedder = embedder
        self.embedder_name = embedder_name or (embedder.name if embedder else "")
        self.sides: dict[str, DocumentSide] = {name: DocumentSide() for name in SIDES}
        for side in self.sides.values():
            side.reset(len(vocab.terms))
            side.vectorize = lambda texts: vocab.transform(texts).docs
            side.cl_main = TermSets.empty(len(vocab.terms))
        self._update_tokens = 0
        self._new_tokens = 0
        self._queries: dict[str, tuple[list[Id], sp.csr_matrix]] = {}  # each side's owners as queries

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
        vocab, blocks = Vocabulary.fit(
            [d.text for name in SIDES for d in docs[name]], config, parts=[len(docs[name]) for name in SIDES]
        )
        index = cls(vocab, embedder)
        for name in SIDES:
            index.sides[name].append(docs[name], blocks.pop(0), None, in_main=True)
        del blocks  # the counting buffers go with the last block: the embeddings come after them
        for name in SIDES:
            if embedder and docs[name]:
                index.sides[name].add_embeddings(embed_all(embedder, [d.text for d in docs[name]]))
        return index

    @property
    def has_semantic(self) -> bool:
        return self.embedder is not None and all(s.emb is not None or len(s) == 0 for s in self.sides.values())

    # -- incremental updates -------------------------------------------------------------------------------

    def update(self, side: SideName, owner: Id, docs: Sequence[Doc]) -> UpdateResult:
        """Replace an owner's documents. Unchanged texts keep their rows and embeddings (never re-embedded);
        changed ones are transformed with the stored vocabulary and, with a model, embedded."""
        s = self.sides[side]
        self._queries.pop(side, None)
        old = {(s.fields[i], s.digests[i]): i for i in s.live_positions(owner)}
        keep: set[int] = set()
        fresh: list[Doc] = []
        for doc in docs:
            if doc.owner != owner:
                raise ValueError("every document must belong to the owner being updated")
            pos = old.get((doc.field, text_digest(doc.text)))
            if pos is not None and pos not in keep:
                keep.add(pos)
            else:
                fresh.append(doc)
        removed = [i for i in old.values() if i not in keep]
        s.alive[removed] = False
        s.by_owner[owner] = s.live_positions(owner)
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
                emb = np.zeros((len(fresh), s.emb.shape[1]), dtype=np.float16)
            s.append(fresh, rows, emb, in_main=False)
        if len(s.delta_rows) > 64:
            self.compact(side)
        return UpdateResult(len(fresh), len(removed), len(fresh) if embed_ms else 0, embed_ms)

    def remove(self, side: SideName, owner: Id) -> int:
        return self.update(side, owner, []).removed

    def compact(self, side: SideName) -> None:
        """Fold the updated rows into the main block (drops nothing: dead rows stay masked)."""
        self.sides[side].compact()

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
        positions = src.live_positions(owner)
        if not positions:
            return []
        text = "\n".join(src.texts[i] for i in positions)
        visible = "\n".join(src.texts[i] for i in positions if query_fields is None or src.fields[i] in query_fields)
        emb = None
        if self.has_semantic and src.emb is not None:
            emb = src.embeddings(positions).mean(axis=0)
            emb = emb / (np.linalg.norm(emb) or 1.0)
        exclude = {owner} if from_side == side else set()
        return self._rank(self.vocab.query([text]), emb, visible, side, k, exclude, n_reasons, reason_fields)

    def scored_by_owners(self, from_side: SideName, owner: Id, side: SideName = "profiles") -> dict[Id, float]:
        """One owner against every owner of ``side`` in one pass: {other: the lexical score that the other's own
        ranking (``match_owner(side, other, from_side)``) gives ``owner``}, for the others it shares a term with.

        The same arithmetic as :func:`.scoring.score_owners` (BM25, coverage, soft max over ``owner``'s
        documents), taking ``owner``'s documents as lexical candidates: exact whenever they are among the other's
        ``n_candidates`` best documents (always, for an owner that can reach its top k)."""
        src = self.sides[from_side]
        positions = src.live_positions(owner)
        others, queries = self._owner_queries(side)
        if not positions or not others:
            return {}
        scores = (queries @ src.rows(positions).T).toarray().astype(np.float32)  # (others, documents)
        # a document counts for an other only among its n_candidates best (as in its own ranking)
        n_cand = min(self.config.n_candidates, len(src))
        for start in range(0, len(others), 512):
            block = src.scores(queries[start : start + 512])
            if from_side == side:
                for row, other in enumerate(others[start : start + 512]):
                    block[row, src.by_owner.get(other, [])] = 0.0
            cut = -np.partition(-block, n_cand - 1, axis=1)[:, n_cand - 1]
            part = scores[start : start + 512]
            part[part < cut[:, None]] = 0.0
        if self.config.coverage_floor < 1.0:
            scores *= owners_coverage(src, np.asarray(positions), queries, self.config, self.vocab.idf)
        scores[scores <= 0] = 0.0
        ordered = -np.sort(-scores, axis=1)
        lexical = ordered[:, 0]
        if ordered.shape[1] > 1:
            lexical = lexical + np.float32(self.config.second_weight) * ordered[:, 1]
        return {others[i]: float(lexical[i]) for i in np.flatnonzero(ordered[:, 0] > 0)
                if not (from_side == side and others[i] == owner)}

    def _owner_queries(self, side: SideName) -> tuple[list[Id], sp.csr_matrix]:
        """Every live owner of a side as the query ``match_owner`` makes of it (kept until the side changes)."""
        if side not in self._queries:
            s = self.sides[side]
            owners = [o for o in s.by_owner if s.live_positions(o)]
            texts = ["\n".join(s.texts[i] for i in s.live_positions(o)) for o in owners]
            self._queries[side] = (owners, self.vocab.query(texts) if texts else sp.csr_matrix((0, 0)))
        return self._queries[side]

    def near_duplicates(
        self, side: SideName, owner: Id, threshold: float = 0.8, k: int = 5
    ) -> list[tuple[Id, float, str]]:
        """Other owners of the same side with a document close to one of this owner's documents: (other owner,
        best score, the field of this owner's document), highest first.

        Close: the cosine of their BM25 rows >= ``threshold`` (the same words), or, with the semantic stage, the
        cosine of their embeddings >= ``DUPLICATE_SEMANTIC`` while they share a little vocabulary (BM25 cosine
        >= ``DUPLICATE_LEXICAL_FLOOR``): the same idea in other words, which shares few of its terms
        (scripts/near_duplicates_eval.py). Such a pair scores on the lexical scale: ``DUPLICATE_SEMANTIC_SCORE``
        at the semantic threshold, rising to 1 at an embedding cosine of 1."""
        s = self.sides[side]
        positions = s.live_positions(owner)
        if not positions:
            return []
        rows = s.rows(positions)
        norms = s.norms[positions][:, None] * s.norms[None, :]
        scores = s.scores(rows) / np.where(norms > 0, norms, 1.0)
        scores[:, positions] = 0.0
        semantic = self.has_semantic and s.emb is not None
        best: dict[int, tuple[float, str]] = {}
        for r, pos in enumerate(positions):
            row = scores[r]
            if semantic:  # the embeddings of the lexically closest documents sharing enough vocabulary
                near = _best(row, DUPLICATE_CANDIDATES, floor=DUPLICATE_LEXICAL_FLOOR)
                cos = s.embeddings(near) @ s.embeddings([pos])[0]
                close = cos >= DUPLICATE_SEMANTIC
                lifted = DUPLICATE_SEMANTIC_SCORE + (1.0 - DUPLICATE_SEMANTIC_SCORE) * (
                    (cos[close] - DUPLICATE_SEMANTIC) / (1.0 - DUPLICATE_SEMANTIC))
                row[near[close]] = np.maximum(row[near[close]], lifted)
            for j in np.flatnonzero(row >= threshold).tolist():
                code = int(s.owner_code[j])
                if code not in best or row[j] > best[code][0]:
                    best[code] = (float(row[j]), s.fields[pos])
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
        scored = score_owners(s, query, query_emb, exclude, self.config, self.vocab.idf)
        if scored is None:
            return []
        order = np.argsort(-scored.combined, kind="stable")[:k]
        out = []
        for c in order:
            owner = s.code_owner[scored.codes[c]]
            reasons: tuple[Reason, ...] = ()
            if n_reasons:
                reasons = self.reasons(reason_text, side, owner, n_reasons, reason_fields, scored.doc_scores)
            out.append(
                OrgMatch(
                    owner,
                    round(float(scored.combined[c]), 6),
                    round(float(scored.lexical[c]), 6),
                    None if scored.semantic is None else round(float(scored.semantic[c]), 6),
                    s.fields[scored.best_doc[c]],
                    reasons,
                )
            )
        return out

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
        positions = [i for i in s.live_positions(owner) if fields is None or s.fields[i] in fields]
        if doc_scores is not None:
            positions.sort(key=lambda i: -doc_scores[i])
        return labelled_reasons(query_text, [(s.fields[i], s.texts[i]) for i in positions], n, self.vocab.idf_of)

    # -- all pairs -----------------------------------------------------------------------------------------

    def prepare(self, all_pairs_targets: Collection[SideName] = ()) -> None:
        """Build what a worker keeps beside the stored rows of each side: the transposed index, and for the sides
        that all pairs rank (``all_pairs_targets``) the dense block of their common terms. Each is otherwise
        built on first use."""
        for name, side in self.sides.items():
            if side.main_rows:
                side.main_t  # noqa: B018
                if name in all_pairs_targets:
                    common_terms(side, self.config)

    def owner_vectors(self, side: SideName) -> tuple[list[Id], sp.csr_matrix]:
        """One query vector per live owner: the set of terms of its documents (weight 1 each)."""
        self.compact(side)
        return vectors_by_owner(self.sides[side])

    def all_pairs_arrays(
        self, from_side: SideName, side: SideName = "profiles", k: int = 10, n_threads: int = 2
    ) -> tuple[list[Id], np.ndarray, np.ndarray]:
        """Every owner of ``from_side`` -> its k best owners of ``side``: (owners, owner codes of ``side``
        (n, k), -1 = none; scores (n, k)). Lexical stage: candidates from the rarer terms, exact scores among
        them (see :func:`.allpairs.rare_first_top_k`), then the best document per owner. Same side: an owner is
        never its own match."""
        self.compact(side)
        self.compact(from_side)
        owners, queries = owner_vector_chunks(self.sides[from_side], run_rows(self.sides[side]))
        codes, scores = best_owners(
            owners, queries, self.sides[side], k, from_side == side, self.config, n_threads
        )
        return owners, codes, scores

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
        return index_fingerprint(self.config, self.embedder_name, self.vocab)

    def to_bytes(self) -> bytes:
        """The whole index (both sides, vocabulary, embeddings as float16) in one numpy archive: no pickle."""
        return write_index(
            self.vocab, self.config, self.embedder_name, self.sides, self._update_tokens, self._new_tokens
        )

    @classmethod
    def from_bytes(cls, blob: bytes, embedder: Embedder | None | Literal["default"] = "default") -> MatchIndex:
        """Load a stored index. The embedding model must be the one that made it, else the semantic stage is
        off (and the log says so); the lexical stage always works."""
        stored = read_index(blob, embedder)
        index = cls(stored.vocab, stored.embedder, stored.embedder_name)
        index._update_tokens, index._new_tokens = stored.update_tokens, stored.new_tokens
        for name, part in stored.sides.items():
            if part.docs:
                index.sides[name].restore(part.docs, part.rows, part.emb, part.alive)
        return index


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
