"""Figures a page may show a little old: aggregates over many rows, tables an administrator edits a few times a year.

Each worker process keeps its own copy, per application, for `RECENT_SECONDS` (default 60); a write this process
commits forgets every copy at once, so the person who changed something sees it on the next page, and the other
workers show it within that time. Pages that show such figures say when they were counted (`Kept.at`).
`register()` connects the session listeners; the core's setup calls it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
DEFAULT_SECONDS = 60
_EXTENSION = "chunfeng.recent"
_WROTE = "chunfeng.recent.wrote"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Kept(Generic[T]):
    value: T
    at: datetime  # when it was computed (UTC)


class Recent(Generic[T]):
    """Values by key, each computed again once it is `RECENT_SECONDS` old; at most `size` keys (the oldest go
    first). `name` tells the stores apart inside the application."""

    def __init__(self, name: str, size: int = 64, clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.size = size
        self._clock = clock

    def kept(self, key: Hashable, compute: Callable[[], T]) -> Kept[T]:
        store = self._store()
        now = self._clock()
        with _LOCK:
            found = store.get(key)
        if found is not None and now - found[0] < current_app.config.get("RECENT_SECONDS", DEFAULT_SECONDS):
            return found[1]
        kept = Kept(compute(), datetime.now(UTC))
        with _LOCK:
            store[key] = (now, kept)
            store.move_to_end(key)
            while len(store) > self.size:
                store.popitem(last=False)
        return kept

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        return self.kept(key, compute).value

    def _store(self) -> OrderedDict:
        with _LOCK:
            return current_app.extensions.setdefault(_EXTENSION, {}).setdefault(self.name, OrderedDict())


def forget_all() -> None:
    """Every kept figure of the running application is computed again on its next use."""
    if has_app_context():
        with _LOCK:
            for store in current_app.extensions.get(_EXTENSION, {}).values():
                store.clear()


def _note_flush(session, _context) -> None:
    session.info[_WROTE] = True


def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _forget_after_commit(session) -> None:
    if session.info.pop(_WROTE, False):
        forget_all()


# A flush rolled back leaves its mark: the next commit then forgets once more than needed, which costs one count.
_LISTENERS = (("after_flush", _note_flush), ("do_orm_execute", _note_statement),
              ("after_commit", _forget_after_commit))


def register() -> None:
    """Listen on every SQLAlchemy session (idempotent: the app factory may run more than once in a process)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
