"""Friendly error pages in the user's language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account is not allowed to do this. If you think it should be, "
                                "please contact the platform administrator.")),
    404: (_l("Page not found"), _l("The page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    413: (_l("File too large"), _l("The file is larger than the platform accepts. Nothing was saved from "
                                   "this upload; please choose a smaller file.")),
    429: (_l("Too many requests"), _l("Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred on our side. What you saved "
                                         "before is safe. Please try again later.")),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("Your form expired or was sent from another page. "
                                    "Please reload the page and submit again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # e.g. a redirect to the log-in page raised by policy.authorize
            return error.response
        return render_error(error.code or 500)

    @app.errorhandler(500)
    def server_error(error):
        from .extensions import db

        db.session.rollback()
        return render_error(500)
