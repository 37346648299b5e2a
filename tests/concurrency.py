"""Requests at the same moment, one thread each: for race tests on PostgreSQL, with what they share (the marker
that skips them elsewhere, a signed-in client per person, counting the rows a race left)."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import func, select

from chunfeng.db import db
from tests.conftest import login

# Real threads need PostgreSQL's row locks (SQLite serialises writers by locking the whole file).
on_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                 reason="concurrent writers need PostgreSQL (set TEST_DATABASE_URL)")


def signed_in(app, user):
    """A client of its own (its own cookies), signed in as `user`."""
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def count_rows(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


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
