"""Text matching shared by the listings and search: every word must appear, case- and width-insensitively."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import and_, or_


def terms(query: str) -> list[str]:
    """Search words: full-width letters folded (NFKC), split on spaces; Chinese substrings stay whole."""
    return unicodedata.normalize("NFKC", query or "").split()[:8]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_filter(columns: Iterable, query: str):
    """Every word must appear in one of the columns, case-insensitively; None when the query is empty."""
    columns = list(columns)
    conditions = [
        or_(*(column.ilike(f"%{_escape_like(term)}%", escape="\\") for column in columns))
        for term in terms(query)
    ]
    return and_(*conditions) if conditions else None


def _folded_specialty(name: str) -> str:
    name = unicodedata.normalize("NFKC", name or "").strip().lower()
    trimmed = name.rstrip("科部室")
    return trimmed if len(trimmed) >= 2 else name


def same_specialty(department: str, specialty: str) -> bool:
    """'重症医学科' matches '重症医学' and 'ICU/重症医学科' matches '重症医学科'; empty never matches."""
    a, b = _folded_specialty(department), _folded_specialty(specialty)
    return bool(a and b) and (a in b or b in a)


def filtered(stmt, text_columns: Iterable, query: str, specialty_column, specialty: str):
    """A listing narrowed to the search words and, when given, one specialty."""
    if (condition := text_filter(text_columns, query)) is not None:
        stmt = stmt.where(condition)
    return stmt.where(specialty_column == specialty) if specialty else stmt
