"""The stored match index: fitted outside requests, read by every worker.

- `refit()` (``flask refresh-matches``, the demo, a first index) fits one vocabulary over the stored documents of
  both sides and saves the whole index (`MatchIndex.to_bytes`) as a new row of ``match_index``. Embeddings are
  computed only for texts that have none stored yet (`_StoredEmbeddings`), so a refit re-embeds nothing that did not
  change.
- `current()` gives this process's copy: one cheap query for the newest version on each use; the blob is loaded
  only when the version changed. Documents written since (``match_documents.updated_at``) are then transformed with
  the stored vocabulary and applied (`MatchIndex.update`): no request ever fits.
- `status()` tells an operator how stale the index is: its version, when it was fitted, documents changed since and
  the share of their terms the vocabulary does not know (refit when it passes MATCH_REFIT_NEW_TERMS).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from flask import current_app, has_request_context
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..db import db, utcnow
from ..submissions.models import Project
from ..textengine.embedding import Embedder, default_embedder
from ..textengine.index import Doc, MatchIndex
from . import documents
from .documents import PROFILES, PROJECTS, project_docs, stored_documents
from .models import MatchDocument, MatchIndexVersion

log = logging.getLogger(__name__)

DEFAULT_REFIT_NEW_TERMS = 0.2
KEEP_VERSIONS = 2
# Changes are applied again for this long after they were written: a transaction that wrote a document earlier
# but committed later is still seen (applying an unchanged text again costs a digest comparison).
OVERLAP = timedelta(minutes=2)
# Session key: this transaction changed this process's index (forgotten if the transaction rolls back).
APPLIED = "matching.index_applied"


class FitInRequest(RuntimeError):
    """A request tried to fit the index: that is the job of `flask refresh-matches`."""


# Embeddings this process computed, by model and text: a text embedded once is not embedded again after a rollback
# or a reload (bounded; the stored embeddings are the lasting copy).
RECENT_EMBEDDINGS = 20_000
_recent: dict[tuple[str, str], np.ndarray] = {}


class _StoredEmbeddings:
    """The configured model behind a cache of the embeddings stored with the documents: a text is embedded once,
    and the new embeddings are kept so that they can be written back (`fresh`)."""

    def __init__(self, model: Embedder, known: dict[str, np.ndarray]) -> None:
        self.model, self.known, self.fresh = model, known, {}
        self.name, self.dim = model.name, model.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        for text in dict.fromkeys(texts):
            if text not in self.known and (row := _recent.get((self.name, text))) is not None:
                self.known[text] = self.fresh[text] = row
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing and _defer_embedding():  # ranked lexically until the next refit embeds them
            return np.stack([self.known.get(t, np.zeros(self.dim, np.float32)) for t in texts]).astype(np.float32)
        if missing:
            for text, row in zip(missing, self.model.embed_passages(missing), strict=True):
                self.known[text] = self.fresh[text] = row
                if len(_recent) < RECENT_EMBEDDINGS:
                    _recent[(self.name, text)] = row
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.known[t] for t in texts]).astype(np.float32)


def _defer_embedding() -> bool:
    """In a request a new text is not embedded (a model takes about a second per text on a small server) unless
    MATCH_EMBED_IN_REQUESTS says so; its document ranks by its words until the next refit."""
    return has_request_context() and not current_app.config.get("MATCH_EMBED_IN_REQUESTS", False)


def _model() -> Embedder | None:
    return default_embedder() if current_app.config.get("MATCH_SEMANTIC", True) else None


def _embedder(model: Embedder | None, with_known: bool) -> _StoredEmbeddings | None:
    if model is None:
        return None
    known: dict[str, np.ndarray] = {}
    if with_known:
        rows = db.session.execute(select(MatchDocument.text, MatchDocument.embedding).where(
            MatchDocument.embedder == model.name, MatchDocument.embedding.is_not(None), MatchDocument.text != ""))
        known = {text: np.frombuffer(blob, dtype=np.float16).astype(np.float32) for text, blob in rows}
    return _StoredEmbeddings(model, known)



def cached_embedder() -> Embedder | None:
    """The configured model (None without one) behind this process's cache of embedded texts: for small indexes
    built on the spot (community suggestions). In a request a text never embedded before is not embedded (it ranks
    by its words), as for the stored index."""
    return _embedder(_model(), with_known=False)


def _stored_embeddings(model_name: str, side: str, owners: set[int]) -> dict[str, np.ndarray]:
    if not owners:
        return {}
    rows = db.session.execute(select(MatchDocument.text, MatchDocument.embedding).where(
        MatchDocument.side == side, MatchDocument.owner_id.in_(list(owners)), MatchDocument.embedder == model_name,
        MatchDocument.embedding.is_not(None)))
    return {text: np.frombuffer(blob, dtype=np.float16).astype(np.float32) for text, blob in rows}


def _write_embeddings(embedder: _StoredEmbeddings | None) -> None:
    """Store the embeddings computed since the last call with the documents of those texts."""
    if embedder is None or not embedder.fresh:
        return
    fresh, embedder.fresh = embedder.fresh, {}
    for row in db.session.scalars(select(MatchDocument).where(
            MatchDocument.text.in_(list(fresh)), MatchDocument.embedding.is_(None))):
        row.embedding, row.embedder = fresh[row.text].astype(np.float16).tobytes(), embedder.name


@dataclass
class _Loaded:
    version: int
    fitted_at: datetime
    index: MatchIndex
    embedder: _StoredEmbeddings | None
    applied_until: datetime
    changed_owners: set[tuple[str, int]]


_lock = threading.RLock()
_loaded: _Loaded | None = None


def newest_version() -> tuple[int, datetime] | None:
    row = db.session.execute(select(MatchIndexVersion.version, MatchIndexVersion.fitted_at)
                             .order_by(MatchIndexVersion.version.desc()).limit(1)).first()
    return (row.version, row.fitted_at) if row else None


def current() -> MatchIndex | None:
    """This process's index with every stored change applied, or None when no index was fitted yet."""
    global _loaded
    with _lock:
        newest = newest_version()
        if newest is None:
            _loaded = None
            return None
        version, fitted_at = newest
        if _loaded is None or (_loaded.version, _loaded.fitted_at) != (version, fitted_at):
            blob = db.session.scalar(select(MatchIndexVersion.blob).where(MatchIndexVersion.version == version))
            embedder = _embedder(_model(), with_known=False)
            try:
                index = MatchIndex.from_bytes(blob, embedder=embedder)
            except (ValueError, KeyError) as error:  # another format or a broken blob: refit outside requests
                log.warning("match index version %s cannot be read (%s): run `flask refresh-matches`", version, error)
                _loaded = None
                return None
            _loaded = _Loaded(version, fitted_at, index, embedder if index.embedder else None, fitted_at - OVERLAP,
                              set())
        _apply_changes(_loaded)
        return _loaded.index


def _apply_changes(loaded: _Loaded) -> None:
    since = loaded.applied_until
    changed = db.session.execute(select(MatchDocument.side, MatchDocument.owner_id, func.max(MatchDocument.updated_at))
                                 .where(MatchDocument.updated_at > since)
                                 .group_by(MatchDocument.side, MatchDocument.owner_id)).all()
    if not changed:
        return
    for side in (PROFILES, PROJECTS):
        owners = {owner for s, owner, _at in changed if s == side}
        if loaded.embedder is not None:  # embedded when they were written: not again
            loaded.embedder.known.update(_stored_embeddings(loaded.embedder.name, side, owners))
        docs = stored_documents(side, owners)
        for owner in owners:
            loaded.index.update(side, owner, docs.get(owner, []))
            loaded.changed_owners.add((side, owner))
    _write_embeddings(loaded.embedder)
    loaded.applied_until = max(at for _s, _o, at in changed) - OVERLAP


def apply(side: str, owner: int, docs: list[Doc]) -> None:
    """Take one owner's new documents into this process's index now (they are stored by `documents.sync`)."""
    with _lock:
        index = current()
        if index is None or _loaded is None:
            return
        index.update(side, owner, docs)
        db.session.info[APPLIED] = True
        _loaded.changed_owners.add((side, owner))
        _write_embeddings(_loaded.embedder)


def refit() -> MatchIndex:
    """Fit a new index over every stored document and save it as the newest version (never in a request)."""
    global _loaded
    if has_request_context():
        raise FitInRequest("the match index is fitted by `flask refresh-matches`, not in a request")
    started = time.perf_counter()
    db.session.flush()
    docs = {side: [d for owner_docs in stored_documents(side).values() for d in owner_docs]
            for side in (PROFILES, PROJECTS)}
    embedder = _embedder(_model(), with_known=True)
    index = MatchIndex.build(docs[PROFILES], docs[PROJECTS], embedder=embedder)
    _write_embeddings(embedder)
    fit_ms = int((time.perf_counter() - started) * 1000)
    newest = newest_version()
    version = (newest[0] if newest else 0) + 1
    now = utcnow()
    db.session.add(MatchIndexVersion(
        version=version, fingerprint=index.fingerprint, fitted_at=now, fit_ms=fit_ms,
        profiles=len({d.owner for d in docs[PROFILES]}), projects=len({d.owner for d in docs[PROJECTS]}),
        documents=len(docs[PROFILES]) + len(docs[PROJECTS]), terms=len(index.vocab.terms), blob=index.to_bytes()))
    db.session.execute(delete(MatchIndexVersion).where(MatchIndexVersion.version <= version - KEEP_VERSIONS))
    db.session.flush()
    with _lock:
        _loaded = _Loaded(version, now, index, embedder, now - OVERLAP, set())
    log.info("match index version %s fitted in %d ms (%d documents)", version, fit_ms,
             len(docs[PROFILES]) + len(docs[PROJECTS]))
    return index


def refit_threshold() -> float:
    return float(current_app.config.get("MATCH_REFIT_NEW_TERMS", DEFAULT_REFIT_NEW_TERMS))


@dataclass
class IndexStatus:
    version: int | None
    fitted_at: datetime | None = None
    profiles: int = 0
    projects: int = 0
    documents: int = 0
    terms: int = 0
    fit_ms: int = 0
    changed_documents: int = 0
    changed_owners: int = 0
    unembedded: int = 0
    new_term_share: float = 0.0
    threshold: float = DEFAULT_REFIT_NEW_TERMS
    readable: bool = True

    @property
    def stale(self) -> bool:
        """No index yet, or too many of the words written since the fit are unknown to its vocabulary. (Texts
        waiting for their embedding rank by their words meanwhile: the nightly refit embeds them.)"""
        return self.version is None or not self.readable or self.new_term_share > self.threshold


def status() -> IndexStatus:
    row = db.session.execute(select(
        MatchIndexVersion.version, MatchIndexVersion.fitted_at, MatchIndexVersion.profiles, MatchIndexVersion.projects,
        MatchIndexVersion.documents, MatchIndexVersion.terms, MatchIndexVersion.fit_ms,
    ).order_by(MatchIndexVersion.version.desc()).limit(1)).first()
    if row is None:
        return IndexStatus(None, threshold=refit_threshold())
    index = current()
    changed = db.session.execute(select(func.count(), func.count(func.distinct(MatchDocument.owner_id)))
                                 .where(MatchDocument.updated_at > row.fitted_at)).one()
    unembedded = 0
    if index is not None and index.embedder is not None:
        unembedded = db.session.scalar(select(func.count()).select_from(MatchDocument).where(
            MatchDocument.text != "", MatchDocument.embedding.is_(None))) or 0
    return IndexStatus(row.version, row.fitted_at, row.profiles, row.projects, row.documents, row.terms, row.fit_ms,
                       changed[0], changed[1], unembedded, index.new_term_share() if index else 0.0,
                       refit_threshold(), readable=index is not None)


def forget() -> None:
    """Drop this process's copy (tests that recreate the database)."""
    global _loaded
    with _lock:
        _loaded = None


# --- the semantic stage of expert assignment (answers hooks.expertise_embeddings) -------------------------------
# The experts' documents (their profile's fields, the projects they reviewed) are kept here beside the matcher's,
# as the side "experts", for their embeddings only: they are no part of the match index (which reads its two sides).

EXPERTS = "experts"
EMBED_BATCH = 256  # texts given to the model at once


@dataclass
class ExpertiseEmbeddings:
    """What the expert assignment may use: passages' embeddings by text, projects' (the mean of their stored
    sections') by id. Texts and projects not in them wait for the next refit and rank by their words."""

    model: str
    passages: dict[str, np.ndarray]
    projects: dict[int, np.ndarray]


def expertise_embeddings(_sender, experts: Mapping[int, Sequence[tuple[str, str]]],
                         projects: Sequence[Project]) -> ExpertiseEmbeddings | None:
    """Answers `hooks.expertise_embeddings` (None without a model). The experts' documents are stored (a changed
    text loses its embedding); every text is taken from the stored embeddings or this process's recent ones, and
    only the rest is embedded, outside requests (in a request with MATCH_EMBED_IN_REQUESTS); what was embedded is
    written back to every document of that text."""
    model = _model()
    if model is None:
        return None
    _store_documents(EXPERTS, experts, prune=False)
    sections = {project.id: project_docs(project) for project in projects}
    _store_documents(PROJECTS, {owner: [(doc.field, doc.text) for doc in docs] for owner, docs in sections.items()})
    texts = sorted({text for docs in experts.values() for _field, text in docs if text.strip()}
                   | {doc.text for docs in sections.values() for doc in docs})
    known = _stored_embeddings(model.name, EXPERTS, set(experts))
    known.update(_stored_embeddings(model.name, PROJECTS, set(sections)))
    known.update(_embeddings_of_texts(model.name, [text for text in texts if text not in known]))
    embedder = _StoredEmbeddings(model, known)
    for start in range(0, len(texts), EMBED_BATCH):
        embedder.embed_passages(texts[start:start + EMBED_BATCH])
    passages = {text: embedder.known[text] for text in texts if text in embedder.known}
    _fill_embeddings(EXPERTS, set(experts), model.name, passages)
    _write_embeddings(embedder)  # the projects' sections embedded here too
    vectors = {}
    for project_id, docs in sections.items():
        rows = [passages[doc.text] for doc in docs if doc.text in passages]
        if rows:
            mean = np.mean(rows, axis=0, dtype=np.float32)
            vectors[project_id] = mean / (np.linalg.norm(mean) or 1.0)
    return ExpertiseEmbeddings(model.name, passages, vectors)


def _store_documents(side: str, wanted: Mapping[int, Sequence[tuple[str, str]]], prune: bool = True) -> None:
    """Bring some owners' stored documents to the texts given in one query (a changed text loses its embedding; an
    empty text empties a document). `prune`: a field not given is emptied too (a project's sections); without it,
    untouched (an expert's reviewed projects, of which a proposal may leave some out). Two proposals at the same
    moment may both add a document: the second keeps the first's."""
    if not wanted:
        return
    rows = {(row.owner_id, row.field): row for row in db.session.scalars(select(MatchDocument).where(
        MatchDocument.side == side, MatchDocument.owner_id.in_(list(wanted))))}
    texts = {(owner, field): text for owner, docs in wanted.items() for field, text in docs
             if text or (owner, field) in rows}
    if prune:
        texts.update({key: "" for key in rows if key not in texts})
    if all(rows.get(key) is not None and rows[key].text == text for key, text in texts.items()):
        return
    try:
        with db.session.begin_nested():
            documents.write_texts(side, {key: row for key, row in rows.items() if key in texts}, texts)
    except IntegrityError:  # another transaction stored the same documents first
        pass


def _embeddings_of_texts(model_name: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Stored embeddings of some texts, whatever document holds them (e.g. a project another expert reviewed)."""
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(texts), 200):
        rows = db.session.execute(select(MatchDocument.text, MatchDocument.embedding).where(
            MatchDocument.text.in_(list(texts[start:start + 200])), MatchDocument.embedder == model_name,
            MatchDocument.embedding.is_not(None)))
        found.update({text: np.frombuffer(blob, dtype=np.float16).astype(np.float32) for text, blob in rows})
    return found


def _fill_embeddings(side: str, owners: set[int], model_name: str, vectors: Mapping[str, np.ndarray]) -> int:
    """Give the documents of these owners that wait for an embedding (or hold another model's) the one known for
    their text."""
    if not owners or not vectors:
        return 0
    filled = 0
    for row in db.session.scalars(select(MatchDocument).where(
            MatchDocument.side == side, MatchDocument.owner_id.in_(list(owners)), MatchDocument.text != "",
            or_(MatchDocument.embedding.is_(None), MatchDocument.embedder != model_name))):
        if (vector := vectors.get(row.text)) is not None:
            row.embedding, row.embedder = vector.astype(np.float16).tobytes(), model_name
            filled += 1
    return filled


def embed_waiting(side: str = EXPERTS) -> int:
    """Embed the stored documents of a side that wait for their embedding (`flask refresh-matches`: the experts'
    documents stored in a request, where nothing new is embedded). Returns how many documents got one."""
    if has_request_context():
        raise FitInRequest("documents are embedded by `flask refresh-matches`, not in a request")
    model = _model()
    if model is None:
        return 0
    waiting = db.session.execute(select(MatchDocument.owner_id, MatchDocument.text).where(
        MatchDocument.side == side, MatchDocument.text != "",
        or_(MatchDocument.embedding.is_(None), MatchDocument.embedder != model.name))).all()
    if not waiting:
        return 0
    texts = sorted({text for _owner, text in waiting})
    embedder = _StoredEmbeddings(model, _embeddings_of_texts(model.name, texts))
    for start in range(0, len(texts), EMBED_BATCH):
        embedder.embed_passages(texts[start:start + EMBED_BATCH])
    filled = _fill_embeddings(side, {owner for owner, _text in waiting}, model.name, embedder.known)
    _write_embeddings(embedder)  # other documents of the same texts
    return filled


def refresh_expert_documents(experts: Mapping[int, Sequence[tuple[str, str]]]) -> int:
    """Store the experts' current documents ({expert id: [(key, text)]}) and embed every one waiting for its
    embedding (`flask refresh-matches`; nothing without a model). Returns how many documents got one."""
    if _model() is None:
        return 0
    _store_documents(EXPERTS, experts, prune=False)
    return embed_waiting(EXPERTS)


def forget_expert_documents(_sender, user) -> None:
    """Answers `hooks.personal_data_erase`: the copies of a closed account's expertise (biography, keywords) go."""
    db.session.execute(delete(MatchDocument).where(MatchDocument.side == EXPERTS, MatchDocument.owner_id == user.id))
