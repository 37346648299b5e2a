"""Telling one side of a connection what the other did: a notification in the app and, unless the person switched
that kind of mail off, an e-mail (core/mail.py) with the same words, the text it is about and a link."""

from __future__ import annotations

from typing import Any

from ..core import mail
from ..core.services import notify, person
from ..core.web import path_for
from .common import org_members
from .models import Connection

MAIL_TEMPLATE = "matching/mail/connection.html"


def recipients(connection: Connection, to_company: bool) -> list:
    """The clinician who owns the project, or every active member of the organisation."""
    return org_members(connection.organization_id) if to_company else [connection.project.owner]


def tell(connection: Connection, *, to_company: bool, message: str, kind: str, subject: str, quote: str = "",
         people: dict[str, Any] | None = None, **params: Any) -> None:
    """`message` and `subject` are N_() msgids; `params` plain values, `people` users named in them (stored by id in
    the notification, so it shows the name the person has when it is read; named in the mail as they are now)."""
    people = people or {}
    named = {**params, **{key: user.name for key, user in people.items()}}
    link = path_for("matching.connection", connection_id=connection.id)
    address = mail.site_url("matching.connection", connection_id=connection.id)
    for user in recipients(connection, to_company):
        notify(user, message, link, **params, **{key: person(who) for key, who in people.items()})
        mail.notify_by_mail(user, kind, subject, MAIL_TEMPLATE, subject_params=named, message=message, params=named,
                            quote=quote, link=address)
