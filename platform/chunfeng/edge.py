"""The guard at the edge: hostile input is refused with a 4xx and a clear message before it reaches a view.

- Integer URL parts are bounded to what every supported database stores (PostgreSQL INTEGER): a larger id simply
  matches no route (404), as a missing object does.
- Integer query and form values read with `request.args.get(name, default, type=int)` fall back to the default when
  they are out of that range, exactly as they do when they are not numbers; a query value longer than any search
  (2,000 characters) answers 400 with a message.
- NUL characters (which PostgreSQL cannot store and no person types) in the path, a query or form field, or an
  uploaded file's name answer 400 with a message.
- Values a database still refuses as out of range or too long answer 400 instead of failing the request.
"""

from __future__ import annotations

from flask import Flask, Request, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from .errors import render_error

LARGEST_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite's is larger
NUL_MESSAGE = _l("The request contains a character that is not allowed (a NUL byte). Please remove it and try "
                 "again.")
LONGEST_QUERY_VALUE = 2000  # characters: far beyond any search a person types
LONG_QUERY_MESSAGE = _l("A search or filter in the address is too long. Please shorten it and try again.")
RANGE_MESSAGE = _l("A value in the request is too large or too long. Please check what you entered and try again.")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: non-negative and at most LARGEST_ID unless the route says otherwise."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = LARGEST_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedValues(ImmutableMultiDict):
    """Query and form values whose integer reading stays within what the database stores."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -LARGEST_ID <= value <= LARGEST_ID:
            return default
        return value


class EdgeRequest(Request):
    parameter_storage_class = BoundedValues


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values.getlist(key)) for key in values)


def refuse_hostile_values():
    if "\x00" in request.path or _has_nul(request.args):
        return render_error(400, str(NUL_MESSAGE))
    if any(len(value) > LONGEST_QUERY_VALUE for values in request.args.listvalues() for value in values):
        return render_error(400, str(LONG_QUERY_MESSAGE))
    if request.method in ("POST", "PUT", "PATCH") and (
        _has_nul(request.form)
        or any("\x00" in (upload.filename or "") for upload in request.files.values())
    ):
        return render_error(400, str(NUL_MESSAGE))
    return None


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter applies to rules as they are added."""
    app.request_class = EdgeRequest
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_hostile_values)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def out_of_range(error):
        from .extensions import db

        app.logger.warning("refused a value the database cannot store: %s", error)
        db.session.rollback()
        return render_error(400, str(RANGE_MESSAGE))
