"""Schema-generic helpers: table rows to JSON and back, and who references whom (export, purge, backup)."""

from __future__ import annotations

import base64
import enum
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, DateTime, LargeBinary, Numeric, Table, Time

from ..db import db


def to_json(value: Any) -> Any:
    """A column value as JSON: dates and times in ISO 8601, enums by value, bytes in base64."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def from_json(column: Column, value: Any) -> Any:
    """The inverse of `to_json`, guided by the column's type."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    if isinstance(kind, Numeric) and isinstance(value, str):
        return Decimal(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    return value


def row_to_dict(table: Table, row: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    mapping = row._mapping
    return {column.name: to_json(mapping[column]) for column in table.columns if column.name not in skip}


def referencing_columns(table_name: str, column_name: str = "id") -> Iterator[Column]:
    """Every column in the schema with a foreign key to `table_name.column_name`."""
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == table_name and fk.column.name == column_name:
                yield fk.parent


def foreign_key_rule(column: Column) -> str:
    """What the database does to `column` when the referenced row goes: CASCADE, SET NULL or '' (refuse)."""
    return next(iter(column.foreign_keys)).ondelete or ""
