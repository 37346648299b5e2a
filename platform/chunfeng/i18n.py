"""Language choice: ?lang= (remembered in the session), then the user's setting, then Accept-Language.
Chinese (zh_Hans_CN) is the default."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import format_datetime
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


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context():
        from flask_babel import get_locale

        locale = str(get_locale())
        return {
            "current_locale": locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else "en",
            "language_names": LANGUAGE_NAMES,
        }

    app.jinja_env.filters["datetime"] = lambda value, fmt="yyyy-MM-dd HH:mm": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value: format_datetime(value, "yyyy-MM-dd") if value else ""
