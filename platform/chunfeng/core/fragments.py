"""Pieces of a page drawn once for what they show: a list's card, keyed by every value it shows, in each language.

A template wraps the piece in a call block and passes what the piece depends on:

    {% call remembered("matching.card", row.project, row.match.score) %} ... {% endcall %}

The first page to show it draws it; the next ones, whoever reads them, reuse the HTML until one of the values
changes. So the key must hold everything the piece shows apart from the language (which is added) and the site's
URLs; what differs between readers (a form's token, a saved mark) stays outside the block. Each worker keeps at
most `FRAGMENTS_KEPT` pieces per application (default 4,096), dropping the oldest first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app
from flask_babel import get_locale
from jinja2 import Undefined
from markupsafe import Markup

_EXTENSION = "chunfeng.fragments"
_LOCK = threading.Lock()


def remembered(name: str, *shown, caller) -> Markup:
    """The HTML `caller` draws for `shown` (values with a stable repr: rows, numbers, texts, dicts of them)."""
    if any(isinstance(value, Undefined) for value in shown):  # one key for every reader: a mistake, not a piece
        raise TypeError(f"remembered({name!r}) is given an undefined value")
    key = (name, str(get_locale()), repr(shown))
    store: OrderedDict = current_app.extensions.setdefault(_EXTENSION, OrderedDict())
    html = store.get(key)
    if html is None:
        html = caller()  # Markup: a call block's body is escaped as it is drawn
        with _LOCK:
            store[key] = html
            while len(store) > current_app.config["FRAGMENTS_KEPT"]:
                store.popitem(last=False)
    return html


def setup(app) -> None:
    app.jinja_env.globals["remembered"] = remembered
