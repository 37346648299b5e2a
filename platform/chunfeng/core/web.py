"""Request helpers every domain shares: the signed-in actor, safe redirect targets, site paths outside requests."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import current_app, flash, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Select

from ..db import db

P = ParamSpec("P")
R = TypeVar("R")


def current_actor():
    """The signed-in user as a plain model object (not the request-local proxy), for services and audit."""
    return current_user._get_current_object()


def once_per_page(fn: Callable[P, R]) -> Callable[P, R]:
    """Compute a read once per GET request, however many panels, links and counts of the page ask for it (a GET
    never writes, so the answer cannot change while the page is built). Arguments are keyed by identity of their
    id, so pass model objects or plain values; outside a GET the function simply runs."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not has_request_context() or request.method not in ("GET", "HEAD"):
            return fn(*args, **kwargs)
        memo = g.setdefault("_once_per_page", {})
        key = (fn.__module__, fn.__qualname__, *(getattr(a, "id", a) for a in args), *sorted(kwargs.items()))
        if key not in memo:
            memo[key] = fn(*args, **kwargs)
        return memo[key]

    return wrapper


LAST_PAGE_ASKED = 100_000  # beyond, an offset a database may not take


def requested_page(query, per_page: int):
    """The page of `query`'s rows that ?page= asks for (flask-sqlalchemy's Pagination): the first for a number
    that cannot be read, the last for one past the end."""
    number = min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE_ASKED)
    page = db.paginate(query, page=number, per_page=per_page, error_out=False)
    if number > page.pages > 0:
        page = db.paginate(query, page=page.pages, per_page=per_page, error_out=False)
    return page


@dataclass(frozen=True)
class RowPage:
    """A page of plain rows with what the pager macro reads (flask-sqlalchemy's Pagination reads model objects)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1


def requested_rows(rows: Select, total: int, per_page: int) -> RowPage:
    """The page of `rows` (an ordered statement of plain columns, `total` of them) that ?page= asks for, read as
    `requested_page` reads it: the first page for a number that cannot be read, the last for one past the end."""
    pages = max(1, math.ceil(total / per_page))
    number = min(max(request.args.get("page", 1, type=int), 1), pages)
    items = db.session.execute(rows.limit(per_page).offset((number - 1) * per_page)).all() if total else []
    return RowPage(items, number, per_page, total)


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`.

    Strict: a single leading slash, no backslash, no white space or control character anywhere (browsers drop tabs
    and newlines, so `/\\t/evil.example` would become `//evil.example`), no scheme and no host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def next_from_request(default: str) -> str:
    """The `next` value of the submitted form (or of the query string) when it is safe, else `default`."""
    return safe_next(request.form.get("next") or request.args.get("next"), default)


def path_for(endpoint: str, **values) -> str:
    """A site path for `endpoint`, in requests and CLI commands alike (notification links, e-mails)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def show_refusal(error: Exception, form=None) -> None:
    """A service's refusal beside the form field it names (`error.field`), else as a message."""
    field = getattr(error, "field", None)
    if form is not None and field and field in form:
        form[field].errors = [*form[field].errors, str(error)]
    else:
        flash(str(error), "danger")


def saved(change: Callable[[], object], form, message: str | Callable[[], str],
          refusals: type[Exception] | tuple[type[Exception], ...]) -> bool:
    """Run a service call for a form: commit and show `message` (or what it returns, once the change is made) when
    it succeeds; roll back and show the refusal (one of `refusals`) beside its field when it is refused."""
    from ..db import db

    try:
        change()
    except refusals as error:
        db.session.rollback()
        show_refusal(error, form)
        return False
    db.session.commit()
    flash(message() if callable(message) else message, "success")
    return True
