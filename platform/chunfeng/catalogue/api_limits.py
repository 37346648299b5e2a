"""The open data API's rate limit: at most CATALOGUE_API_PER_MINUTE requests a minute from one client address
(a sliding window kept in the worker's memory; reading the API writes nothing to the database)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from flask import current_app, request

PER_MINUTE = 60
WINDOW_SECONDS = 60.0


class Window:
    def __init__(self):
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait_seconds(self, key: str, limit: int, now: float | None = None) -> int:
        """0 and the request is counted, or how many seconds to wait before the next one is allowed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, int(hits[0] + WINDOW_SECONDS - now) + 1)
            hits.append(now)
            return 0


def _window() -> Window:
    return current_app.extensions.setdefault("catalogue_api_window", Window())


def wait_seconds() -> int:
    limit = int(current_app.config.get("CATALOGUE_API_PER_MINUTE", PER_MINUTE))
    return _window().wait_seconds(request.remote_addr or "", limit)
