"""What a person is asked to do, gathered from every domain for the workspace's to-do panel.

Domains answer `hooks.pending_actions` with (text, link) pairs made from reads the page runs anyway (a read done
once per page), or with `Asks`: a query of their own rows in common columns and how to word one row. Every `Asks`
of the page runs in a single UNION ALL statement, so a domain that joins the to-do list adds no statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Row, Select, literal_column, union_all

from ..db import db
from . import hooks

Item = tuple[str, str]  # (text, link)


@dataclass(frozen=True, eq=False)
class Asks:
    """`query` selects exactly the columns `ref` (an id), `first`, `second` (texts) and `at` (a time), without ORDER
    BY, with the bound parameters `user_id` and `organization_id` (the person's) where it needs them; its rows are
    listed by `at`, latest first with `newest_first`. `line(row)` words one row as (text, link). Build one per
    process (`functools.cache`): the statement of a set of them is built once too."""

    query: Select
    line: Callable[[Row], Item]
    newest_first: bool = True


def asked_of(user: Any) -> list[Item]:
    """Every domain's items for `user`, in the order the domains answer."""
    answers = hooks.collect(hooks.pending_actions, user=user)
    asks = tuple(answer for answer in answers if isinstance(answer, Asks))
    rows = _rows_of(asks, user) if asks else {}
    items: list[Item] = []
    for answer in answers:
        items.extend((answer.line(row) for row in rows.get(answer, ())) if isinstance(answer, Asks) else (answer,))
    return items


def panel_context(user: Any) -> dict | None:
    actions = asked_of(user)
    return {"actions": actions} if actions else None


_STATEMENTS: dict[tuple[Asks, ...], Select | CompoundSelect] = {}


def _rows_of(asks: tuple[Asks, ...], user: Any) -> dict[Asks, list[Row]]:
    statement = _STATEMENTS.get(asks)
    if statement is None:
        parts = [ask.query.add_columns(literal_column(str(n)).label("part")) for n, ask in enumerate(asks)]
        statement = _STATEMENTS[asks] = union_all(*parts) if len(parts) > 1 else parts[0]
    found: dict[Asks, list[Row]] = {ask: [] for ask in asks}
    params = {"user_id": user.id, "organization_id": user.organization_id}
    for row in db.session.execute(statement, params):
        found[asks[row.part]].append(row)
    for ask, rows in found.items():
        rows.sort(key=lambda row: (row.at, row.ref), reverse=ask.newest_first)
    return found
