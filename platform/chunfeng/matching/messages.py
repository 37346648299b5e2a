"""Messages between the two sides of a connection, and who sees whose contact.

Either side writes while the connection is open (awaiting an answer or accepted) and the company's access has not
been withdrawn; the other side is told in the app and by e-mail. The company reads the thread only while the
clinician has not withdrawn its access. Contact details follow the consent: the clinician sees the company's contact
person once the connection was accepted, the company sees the clinician's while it holds the share grant.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import mail
from ..core.clock import to_local
from ..core.services import N_, record
from ..db import db
from .common import MatchingError
from .connections import side_of
from .grants import active_grant
from .models import OPEN_CONNECTION, Connection, ConnectionMessage, ConnectionSide, ConnectionStatus
from .telling import tell

MESSAGE_MAX_LENGTH = 4000
SIDE_LABELS = {ConnectionSide.CLINICIAN: _l("Clinician"), ConnectionSide.COMPANY: _l("Company")}


def was_accepted(connection: Connection) -> bool:
    return connection.status in (ConnectionStatus.ACCEPTED, ConnectionStatus.CLOSED)


def access_withdrawn(connection: Connection) -> bool:
    """The connection was accepted and the clinician has since withdrawn the company's access."""
    return was_accepted(connection) and active_grant(connection.project_id, connection.organization_id) is None


def reads_thread(user, connection: Connection) -> bool:
    """The two sides read their messages; the company no longer once its access was withdrawn."""
    side = side_of(user, connection)
    return side == ConnectionSide.CLINICIAN or (side == ConnectionSide.COMPANY and not access_withdrawn(connection))


def refusal(connection: Connection) -> str:
    """Why no message can be written now, or "" when one can."""
    if connection.status not in OPEN_CONNECTION:
        return _("This connection is no longer open: no more messages can be sent.")
    if access_withdrawn(connection):
        return _("The clinician has withdrawn the company's access: no more messages can be sent in this connection.")
    return ""


def post_message(connection: Connection, user, body: str) -> ConnectionMessage:
    side = side_of(user, connection)
    if side is None:
        raise MatchingError(_("Only the two sides of a connection can write in it."))
    if why := refusal(connection):
        raise MatchingError(why)
    body = body.strip()
    if not body:
        raise MatchingError(_("Please write your message."))
    if len(body) > MESSAGE_MAX_LENGTH:
        raise MatchingError(_("A message can have at most %(num)d characters.", num=MESSAGE_MAX_LENGTH))
    message = ConnectionMessage(author_id=user.id, side=side, body=body)
    connection.messages.append(message)
    db.session.flush()
    record("connection.message", connection, actor=user, project_id=connection.project_id, side=str(side))
    # The company learns the clinician's name only with the grant: a stored notification says "the clinician".
    from_clinician = side == ConnectionSide.CLINICIAN
    tell(connection, to_company=from_clinician,
         message=N_("New message from the clinician about “%(project)s”.") if from_clinician
         else N_("New message from %(org)s about “%(project)s”."),
         kind=mail.CONNECTION_MESSAGE, subject=N_("New message about “%(project)s”"), quote=body,
         org=connection.organization.name, project=connection.project.title)
    return message


def sees_contact_of_other_side(user, connection: Connection) -> bool:
    """The clinician sees the company's contact person once the connection was accepted; the company sees the
    clinician's while it holds the share grant; administrators see both."""
    side = side_of(user, connection)
    if side == ConnectionSide.CLINICIAN:
        return was_accepted(connection)
    if side == ConnectionSide.COMPANY:
        return active_grant(connection.project_id, connection.organization_id) is not None
    return bool(getattr(user, "is_admin", False))


def author_name(user, connection: Connection, author, side: ConnectionSide | None = None) -> str:
    """What `user` reads as the writer of an entry: the person's name when the user may know it (their own side, or
    the other side's once contacts are shared), else the side: "Clinician" or the organisation's name."""
    if author is not None and side is None:
        side = ConnectionSide.CLINICIAN if author.id == connection.project.owner_id else ConnectionSide.COMPANY
    if author is not None and (side_of(user, connection) == side or sees_contact_of_other_side(user, connection)):
        return author.name
    return str(SIDE_LABELS[side]) if side == ConnectionSide.CLINICIAN else connection.organization.name


def sent_at(message: ConnectionMessage) -> str:
    """When the message was sent, in the platform's time zone (Beijing time)."""
    return to_local(message.created_at).strftime("%Y-%m-%d %H:%M")
