"""Requests at the same moment, one thread each: for race tests on PostgreSQL."""

from __future__ import annotations

import threading


def in_parallel(requests: list) -> list[int]:
    """Run the callables at the same moment, one thread each; their response status codes."""
    barrier, codes = threading.Barrier(len(requests)), [0] * len(requests)

    def run(index: int, request) -> None:
        barrier.wait()
        codes[index] = request().status_code

    threads = [threading.Thread(target=run, args=(n, request)) for n, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return codes
