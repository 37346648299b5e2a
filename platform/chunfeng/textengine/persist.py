"""The matching index's stored form: one numpy archive (no pickle) holding both sides, the vocabulary and the
embeddings (float16), versioned by :data:`FORMAT_VERSION` and checked against a fingerprint of what made it."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from .config import EngineConfig
from .documents import SIDES, Doc, DocumentSide, Id
from .embedding import Embedder, default_embedder
from .vocabulary import Rows, TermSets, Vocabulary

FORMAT_VERSION = 2


def index_fingerprint(config: EngineConfig, embedder_name: str, vocab: Vocabulary) -> str:
    """Changes whenever the vocabulary, its weights, the configuration or the embedding model change."""
    h = hashlib.sha256()
    h.update(json.dumps([FORMAT_VERSION, asdict(config), embedder_name, vocab.avg_len]).encode())
    h.update("\n".join(vocab.terms).encode("utf-8"))
    h.update(vocab.idf.tobytes())
    return h.hexdigest()[:16]


def write_index(
    vocab: Vocabulary,
    config: EngineConfig,
    embedder_name: str,
    sides: dict[str, DocumentSide],
    update_tokens: int,
    new_tokens: int,
) -> bytes:
    """The whole index (both sides, vocabulary, embeddings as float16) in one numpy archive: no pickle."""
    arrays: dict[str, np.ndarray] = {
        "terms": np.frombuffer("\n".join(vocab.terms).encode("utf-8"), dtype=np.uint8),
        "idf": vocab.idf,
    }
    meta = {
        "format": FORMAT_VERSION,
        "config": asdict(config),
        "embedder": embedder_name,
        "fingerprint": index_fingerprint(config, embedder_name, vocab),
        "avg_len": vocab.avg_len,
        "update_tokens": update_tokens,
        "new_tokens": new_tokens,
        "sides": {},
    }
    for name, s in sides.items():
        m = s.matrix() if len(s) else sp.csr_matrix((0, len(vocab.terms)), dtype=np.float32)
        meta["sides"][name] = {"owners": s.owners, "fields": s.fields, "texts": s.texts}
        arrays[f"{name}.data"], arrays[f"{name}.indices"] = m.data, m.indices
        arrays[f"{name}.indptr"], arrays[f"{name}.alive"] = m.indptr, s.alive
        c = s.clause_sets()
        arrays[f"{name}.cl_indices"], arrays[f"{name}.cl_indptr"] = c.indices, c.indptr
        arrays[f"{name}.cl_count"] = s.cl_count
        if s.emb is not None:
            arrays[f"{name}.emb"] = np.concatenate(
                [s.embeddings(slice(a, a + 8192)).astype(np.float16) for a in range(0, len(s.emb), 8192)]
            ) if len(s.emb) else np.zeros((0, s.emb.shape[1]), dtype=np.float16)
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@dataclass
class StoredSide:
    docs: list[Doc]
    rows: Rows
    emb: np.ndarray | None
    alive: np.ndarray


@dataclass
class StoredIndex:
    """What a stored index holds, checked against its fingerprint, for :meth:`.index.MatchIndex.from_bytes`."""

    vocab: Vocabulary
    embedder: Embedder | None
    embedder_name: str
    update_tokens: int
    new_tokens: int
    sides: dict[str, StoredSide]


def read_index(blob: bytes, embedder: Embedder | None | Literal["default"] = "default") -> StoredIndex:
    """Read a stored index. The embedding model must be the one that made it, else the semantic stage is off
    (embeddings are not read, and the log says so); the lexical stage always works."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        meta = json.loads(z["meta"].tobytes().decode("utf-8"))
        if meta["format"] != FORMAT_VERSION:
            raise ValueError(f"index format {meta['format']} is not {FORMAT_VERSION}: rebuild it")
        terms = z["terms"].tobytes().decode("utf-8").split("\n") if z["terms"].size else []
        vocab = Vocabulary(terms, z["idf"], EngineConfig(**meta["config"]), meta["avg_len"])
        if embedder == "default":
            embedder = default_embedder() if meta["embedder"] else None
        if embedder is not None and embedder.name != meta["embedder"]:
            logging.getLogger(__name__).warning(
                "text engine: index embedded with %r, model is %r; lexical stage only",
                meta["embedder"],
                embedder.name,
            )
            embedder = None
        sides = {}
        for name in SIDES:
            info = meta["sides"][name]
            owners = [_owner(o) for o in info["owners"]]
            docs = [Doc(o, f, t) for o, f, t in zip(owners, info["fields"], info["texts"], strict=True)]
            m = sp.csr_matrix(
                (z[f"{name}.data"], z[f"{name}.indices"], z[f"{name}.indptr"]),
                shape=(len(docs), len(terms)),
            )
            emb = z[f"{name}.emb"] if f"{name}.emb" in z.files and embedder else None
            cl = TermSets(z[f"{name}.cl_indices"], z[f"{name}.cl_indptr"], len(terms))
            rows = Rows(m, cl, z[f"{name}.cl_count"].astype(np.int64))
            sides[name] = StoredSide(docs, rows, emb, z[f"{name}.alive"])
    if index_fingerprint(vocab.config, meta["embedder"], vocab) != meta["fingerprint"]:
        raise ValueError("stored index does not match its fingerprint")
    return StoredIndex(vocab, embedder, meta["embedder"], meta["update_tokens"], meta["new_tokens"], sides)


def _owner(value: object) -> Id:
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]
