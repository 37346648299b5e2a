"""The open data API's limit counts every request of a client, whichever worker or node answers it: the count is
in the database. Within the minute it slides: the previous minute's requests weigh as much as they still cover."""

from __future__ import annotations

import pytest

from chunfeng import create_app
from chunfeng.core import limits
from chunfeng.db import db
from tests.concurrency import in_parallel, on_postgres


@pytest.fixture
def other_node(app):
    """A second application on the same database and file store: another worker, or another node."""
    other = create_app({**{k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER",
                                                       "INSTANCE_PATH")}, "TESTING": True})
    yield other
    with other.app_context():
        db.engine.dispose()  # its own connections, closed before the next test empties the tables


def test_requests_answered_by_two_workers_count_together(app, client, other_node):
    for node in (app, other_node):
        node.config["CATALOGUE_API_PER_MINUTE"] = 4
    clients = [client, other_node.test_client()]
    codes = [clients[n % 2].get("/api/v1/success-stories").status_code for n in range(4)]
    assert codes == [200] * 4
    assert clients[0].get("/api/v1/success-stories").status_code == 429
    refused = clients[1].get("/api/v1/results")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "请" in refused.get_json()["message"]


def test_another_address_has_its_own_count(app, client):
    app.config["CATALOGUE_API_PER_MINUTE"] = 1
    assert client.get("/api/v1/results").status_code == 200
    assert client.get("/api/v1/results").status_code == 429
    other = client.get("/api/v1/results", environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert other.status_code == 200


def test_the_window_slides_and_says_how_long_to_wait(app):
    start = 1_800_000_000 - 1_800_000_000 % 60  # the start of a minute
    with app.app_context():
        assert [limits.wait_seconds("k", 10, 60, now=start + n) for n in range(10)] == [0] * 10
        # 30 s to this minute's end, then 6 s until its ten weigh nine
        assert limits.wait_seconds("k", 10, 60, now=start + 30) == 36
        assert limits.wait_seconds("k", 10, 60, now=start + 65) == 1
        assert limits.wait_seconds("k", 10, 60, now=start + 66) == 0
        # half-way through that minute, the ten before weigh five: four more fit beside the one at 66 s, not five
        middle = start + 90
        assert [limits.wait_seconds("k", 10, 60, now=middle) for _ in range(4)] == [0] * 4
        wait = limits.wait_seconds("k", 10, 60, now=middle)
        assert 1 <= wait <= 30
        assert limits.wait_seconds("k", 10, 60, now=middle + wait) == 0
        # refused requests are not counted: a client that waits as told gets through
        assert limits.wait_seconds("k", 10, 60, now=start + 180 + 59) == 0


@on_postgres
def test_requests_at_the_same_moment_are_all_counted(app, client):
    app.config["CATALOGUE_API_PER_MINUTE"] = 5
    codes = in_parallel([lambda: app.test_client().get("/api/v1/results") for _ in range(12)])
    assert sorted(codes) == [200] * 5 + [429] * 7
