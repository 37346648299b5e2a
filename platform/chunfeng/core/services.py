"""Audit and notification helpers every domain uses."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import event, select

from ..db import db, utcnow
from .models import AuditEntry, Notification


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated when shown (see Notification.text)."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - named like the gettext markers
    """Marks a message with a count for extraction (singular and plural); `notify` it with `num=`: it is shown in
    the form the reader's language uses for that number."""
    return singular, plural


PLURAL = "_plural"  # the plural msgid of a notification, kept with its parameters


def record(action: str, obj: Any = None, *, actor: Any = None, **detail: Any) -> AuditEntry:
    """Append an audit entry. The object's table name and id identify it."""
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=getattr(obj, "__tablename__", "") if obj is not None else "",
        object_id=getattr(obj, "id", None),
        detail=detail,
    )
    db.session.add(entry)
    return entry


PERSON = "person_id"  # a parameter stored as {"person_id": id}: the person's name is read when the text is shown


def person(user: Any) -> dict:
    """A notification parameter naming a person: stored by id, so the text shows the name the person has when it is
    read (a closed account's pseudonym, never the name it had)."""
    return {PERSON: user.id}


def notify(user: Any, message: str | tuple[str, str], link: str = "", **params: Any) -> Notification:
    """Tell a user something in the app; `message` is an N_() msgid with %(name)s placeholders, or an Nn_() pair
    with a `num` parameter. Pass people as `person(user)`, never as their name."""
    if isinstance(message, tuple):
        message, params[PLURAL] = message
    note = Notification(user_id=user.id, message=message, params=params, link=link)
    db.session.add(note)
    return note


def _is_person(value: Any) -> bool:
    return isinstance(value, dict) and PERSON in value


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    users = db.metadata.tables["users"]
    return dict(db.session.execute(select(users.c.id, users.c.name).where(users.c.id.in_(user_ids))).all())


def notification_texts(notes: list[Notification]) -> list[str]:
    """The notes' texts in the current language, with the people they name looked up in one query."""
    names = _names({value[PERSON] for note in notes for value in (note.params or {}).values() if _is_person(value)})
    texts = []
    for note in notes:
        values = {key: names.get(value[PERSON], "") if _is_person(value) else value
                  for key, value in (note.params or {}).items()}
        plural = values.pop(PLURAL, None)
        texts.append(gettext(note.message, **values) if plural is None else
                     ngettext(note.message, plural, values.pop("num"), **values))
    return texts


def notification_text(note: Notification) -> str:
    return notification_texts([note])[0]


def unread_count(user: Any) -> int:
    return db.session.scalar(
        select(db.func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0


def mark_all_read(user: Any) -> None:
    db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(mapper, connection, target):  # noqa: ARG001
    raise RuntimeError("the audit log is append-only")
