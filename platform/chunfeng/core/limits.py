"""Request limits counted in the database, so that every worker of every node counts the same requests.

At most `limit` requests per key in any `seconds`: a sliding window estimated from two fixed windows, the current
one and the one before it weighted by the share of it the sliding window still covers. A refused request is not
counted. Counted on a connection of its own, apart from the request's transaction (a limited GET changes nothing
else), in one short transaction per request; windows older than the one before are deleted now and then.
"""

from __future__ import annotations

import math
import random
import time
from functools import cache

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..db import db
from .models import RateCount

PURGE_EVERY = 200  # on average, one counted request in this many deletes the windows nobody reads any more


def wait_seconds(key: str, limit: int, seconds: int, now: float | None = None) -> int:
    """0 and the request is counted, or how many seconds to wait before the next one is allowed."""
    now = time.time() if now is None else now
    slot, into = divmod(now, seconds)
    slot = int(slot)
    with db.engine.begin() as connection:
        current = connection.execute(_increment(connection.dialect.name), {"b_key": key, "b_slot": slot}).scalar_one()
        previous = connection.execute(_previous(), {"b_key": key, "b_slot": slot - 1}).scalar() or 0
        covered = 1 - into / seconds  # the share of the previous window inside the sliding one
        if previous * covered + current <= limit:
            # when to tidy up, not a secret
            if random.randrange(PURGE_EVERY) == 0:  # nosec B311
                connection.execute(delete(RateCount).where(RateCount.slot < slot - 1))
            return 0
        connection.execute(_uncount(), {"b_key": key, "b_slot": slot})
    return _wait(limit, current - 1, previous, into, seconds)


def _wait(limit: int, current: int, previous: int, into: float, seconds: int) -> int:
    """Seconds until one more request fits, `current` requests being counted in this window: while this window
    has room, when the previous one weighs little enough; otherwise in the next window, where this one is the
    previous."""
    if current + 1 <= limit and previous:
        # previous * (1 - (into + t) / seconds) + current + 1 <= limit
        return max(1, math.ceil(seconds * (1 - (limit - current - 1) / previous) - into))
    if limit < 1 or not current:
        return seconds
    # current * (1 - t' / seconds) + 1 <= limit, t' from the start of the next window
    return max(1, math.ceil(seconds - into + seconds * max(0.0, 1 - (limit - 1) / current)))


@cache
def _increment(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RateCount).values(key=bindparam("b_key"), slot=bindparam("b_slot"), count=1)
    return statement.on_conflict_do_update(
        index_elements=[RateCount.key, RateCount.slot], set_={"count": RateCount.count + 1}
    ).returning(RateCount.count)


@cache
def _previous():
    return select(RateCount.count).where(RateCount.key == bindparam("b_key"), RateCount.slot == bindparam("b_slot"))


@cache
def _uncount():
    return (update(RateCount).where(RateCount.key == bindparam("b_key"), RateCount.slot == bindparam("b_slot"))
            .values(count=RateCount.count - 1))
