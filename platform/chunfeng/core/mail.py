"""The one way the platform sends e-mail (Flask-Mailman over SMTP).

`send(to, subject_msgid, template, **context)` renders the subject and the body in the recipient's language and
sends it when MAIL_SERVER is set; without a server the message is only logged. An SMTP failure is logged and never
fails the request. `notify_by_mail(user, kind, ...)` does the same for the notification kinds a person may switch
off on their profile page; other domains call it with one of the KINDS below.

Subjects are msgids of the calling domain (marked with N_ there, so its catalogue translates them); bodies are
templates of the calling domain that extend "mail/layout.html". This module itself holds no user-facing text.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_mailman import EmailMessage, Mail

from .web import path_for

log = logging.getLogger(__name__)

# E-mail notification kinds a person may choose to receive (every kind is on until they switch it off).
REVIEW_INVITATION = "review_invitation"
PROJECT_DECISION = "project_decision"
CONNECTION_REQUEST = "connection_request"
CONNECTION_ANSWER = "connection_answer"
MILESTONE_CHANGE = "milestone_change"
CLARIFICATION_QUESTION = "clarification_question"
CONNECTION_MESSAGE = "connection_message"
ADMISSION_REMINDER = "admission_reminder"
SERVICE_REQUEST = "service_request"
KINDS = (REVIEW_INVITATION, PROJECT_DECISION, CONNECTION_REQUEST, CONNECTION_ANSWER, MILESTONE_CHANGE,
         CLARIFICATION_QUESTION, CONNECTION_MESSAGE, ADMISSION_REMINDER, SERVICE_REQUEST)

mailman = Mail()
# Set by the accounts domain in its setup: the footer template of notification mails and where preferences live.
preferences = {"footer": "", "endpoint": ""}


def init_app(app) -> None:
    mailman.init_app(app)


def configure_preferences(footer_template: str, endpoint: str) -> None:
    preferences.update(footer=footer_template, endpoint=endpoint)


def site_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail: SITE_URL (never the request's Host header) followed by the site path."""
    base = (current_app.config.get("SITE_URL") or "http://localhost").rstrip("/")
    return base + path_for(endpoint, **values)


def _recipient(to: Any) -> tuple[str, str]:
    if isinstance(to, str):
        return to, ""
    return to.email, getattr(to, "locale", "") or ""


def render(to: Any, subject_msgid: str, template: str, subject_params: dict | None = None,
           **context: Any) -> tuple[str, str, str]:
    """(address, subject, body) of a mail to a user or an address, in the recipient's language."""
    address, locale = _recipient(to)
    locale = locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")
    with force_locale(locale):
        subject = gettext(subject_msgid, **(subject_params or {}))
        body = render_template(template, recipient=None if isinstance(to, str) else to, subject=subject,
                               **context)
    return address, " ".join(subject.split()), body


def send(to: Any, subject_msgid: str, template: str, subject_params: dict | None = None, **context: Any) -> bool:
    """Send one mail; True when it was handed to the SMTP server. Never raises for a delivery problem."""
    address, subject, body = render(to, subject_msgid, template, subject_params, **context)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("mail not sent (no MAIL_SERVER): to=%s subject=%s", address, subject)
        return False
    if "mailman" not in current_app.extensions:
        init_app(current_app)
    try:
        connection = mailman.get_connection(
            backend="smtp", host=config["MAIL_SERVER"], port=config.get("MAIL_PORT", 25),
            username=config.get("MAIL_USERNAME") or "", password=config.get("MAIL_PASSWORD") or "",
            use_tls=config.get("MAIL_USE_TLS", False), use_ssl=config.get("MAIL_USE_SSL", False),
            timeout=config.get("MAIL_TIMEOUT", 10))
        EmailMessage(subject, body, config.get("MAIL_FROM"), [address], connection=connection).send()
    except (smtplib.SMTPException, OSError, ValueError):
        log.exception("mail to %s could not be sent: %s", address, subject)
        return False
    return True


def wants(user: Any, kind: str) -> bool:
    """Whether `user` receives e-mail notifications of `kind` (on unless they switched it off)."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind}")
    return bool((getattr(user, "mail_preferences", None) or {}).get(kind, True))


def notify_by_mail(user: Any, kind: str, subject_msgid: str, template: str, subject_params: dict | None = None,
                   **context: Any) -> bool:
    """Send a notification mail of `kind` unless the person switched that kind off or the account is not active."""
    if not wants(user, kind) or not getattr(user, "is_active", True):
        return False
    footer = preferences["footer"]
    link = site_url(preferences["endpoint"]) if preferences["endpoint"] else ""
    return send(user, subject_msgid, template, subject_params, footer_template=footer, preferences_url=link,
                **context)
