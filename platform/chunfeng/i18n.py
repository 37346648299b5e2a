"""Language choice: ?lang= (remembered in the session), then the user's setting, then Accept-Language.
Chinese (zh_Hans_CN) is the default."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, request, session
from flask.globals import _cv_app
from flask_babel import Domain, format_datetime, get_locale, to_user_timezone
from flask_babel.speaklater import LazyString
from flask_login import current_user

from .extensions import babel

LANGUAGE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}


def normalise(tag: str | None) -> str | None:
    if not tag:
        return None
    tag = tag.replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_Hans_CN"
    if tag.startswith("en"):
        return "en"
    return None


def select_locale() -> str:
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if chosen := normalise(request.args.get("lang")):
        session["lang"] = chosen
        return chosen
    if chosen := normalise(session.get("lang")):
        return chosen
    if current_user and current_user.is_authenticated and (chosen := normalise(current_user.locale)):
        return chosen
    for tag, _quality in request.accept_languages:
        if chosen := normalise(tag):
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class RequestDomain(Domain):
    """flask-babel's domain, keeping the catalogue it found for the locale in the running context: a page
    translates a few hundred strings, and flask-babel looks the context up several times for each."""

    def get_translations(self):
        state = _babel_state()
        kept = getattr(state, "chunfeng_translations", None)
        if kept is not None and kept[0] is getattr(state, "babel_locale", None):
            return kept[1]
        translations = super().get_translations()
        if (state := _babel_state()) is not None:
            state.chunfeng_translations = (getattr(state, "babel_locale", None), translations)
        return translations


def _babel_state():
    """flask-babel's namespace in the running application context (`g._flask_babel`), read without the proxies."""
    context = _cv_app.get(None)
    return None if context is None else vars(context.g).get("_flask_babel")


_IN_LOCALE: dict[tuple[int, str], dict] = {}


def in_locale(labels: dict) -> dict:
    """A module's table of labels (lazy strings, in nested tables too) as plain text of the reader's language:
    resolved once per process and language, as the catalogues do not change while it runs; a page then looks a
    label up instead of translating it again for every row."""
    key = (id(labels), str(get_locale()))
    found = _IN_LOCALE.get(key)
    if found is None:
        found = _IN_LOCALE[key] = _resolved(labels)
    return found


def _resolved(value):
    if isinstance(value, dict):
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_resolved(item) for item in value)
    return str(value) if isinstance(value, LazyString) else value


# Patterns of digits only read the same in every language: written with strftime in the reader's time zone
# (what babel's format_datetime gives for them, at a fraction of its cost: lists show a time on every row).
NUMERIC_PATTERNS = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "yyyy-MM-dd": "%Y-%m-%d", "HH:mm": "%H:%M"}


def shown_time(value, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored (UTC) time in the reader's time zone, as `pattern` (a babel pattern) writes it."""
    if not value:
        return ""
    if pattern in NUMERIC_PATTERNS:
        moment = to_user_timezone(value) if isinstance(value, datetime) else value  # a day has no zone
        return moment.strftime(NUMERIC_PATTERNS[pattern])
    return format_datetime(value, pattern)


def translations():
    return babel.domain_instance.get_translations()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = RequestDomain()  # the default domain, "messages"
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )

    @app.context_processor
    def language_context():
        from flask_babel import get_locale

        locale = str(get_locale())
        return {
            "current_locale": locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else "en",
            "language_names": LANGUAGE_NAMES,
        }

    app.jinja_env.filters["datetime"] = shown_time
    app.jinja_env.filters["date"] = lambda value: shown_time(value, "yyyy-MM-dd")
