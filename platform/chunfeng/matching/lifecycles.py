"""The two lifecycles of matching, through the one state-machine helper (core/lifecycle.py).

    profile:     (new) pending -approved-> approved;  pending | approved | rejected -rejected-> rejected
                 rejected -approved-> approved;  rejected -resubmitted-> pending (the organisation saved it again)
    connection:  (new) requested -accepted | declined | withdrawn-> ...;  accepted -closed-> closed

The events' values are the audit names (`profile.approved`, `connection.accepted` ...) the log has always used,
and for connections also the kinds of the entries they leave on the shared timeline.
"""

from __future__ import annotations

import enum

from ..core.clock import local_today
from ..core.lifecycle import InvalidTransition, Lifecycle, table
from .models import ConnectionEvent, ConnectionStatus, ProfileStatus

__all__ = ["InvalidTransition", "ProfileEvent", "ConnectionStep", "profile_lifecycle", "connection_lifecycle",
           "timeline_entry"]


class ProfileEvent(enum.StrEnum):
    APPROVE = "approved"
    REJECT = "rejected"
    RESUBMIT = "resubmitted"


class ConnectionStep(enum.StrEnum):
    """A step of a connection's lifecycle (not to be confused with the timeline's `ConnectionEvent` entries)."""

    ACCEPT = "accepted"
    DECLINE = "declined"
    WITHDRAW = "withdrawn"
    CLOSE = "closed"


P, C = ProfileStatus, ConnectionStatus

profile_lifecycle = Lifecycle(
    "profile", ProfileStatus, ProfileEvent,
    table(
        ((P.PENDING, P.REJECTED), ProfileEvent.APPROVE, P.APPROVED),
        ((P.PENDING, P.APPROVED, P.REJECTED), ProfileEvent.REJECT, P.REJECTED),
        (P.REJECTED, ProfileEvent.RESUBMIT, P.PENDING),
    ),
    initial=P.PENDING,
)


def timeline_entry(connection, kind: str, actor, text: str = "") -> ConnectionEvent:
    """Append an entry dated today (the platform's zone) to the connection's shared timeline."""
    entry = ConnectionEvent(kind=kind, happened_on=local_today(), text=text, author_id=getattr(actor, "id", None))
    connection.events.append(entry)
    return entry


def _connection_history(connection, old, new, event: ConnectionStep, actor, note: str) -> None:  # noqa: ARG001
    timeline_entry(connection, event.value, actor, note)


connection_lifecycle = Lifecycle(
    "connection", ConnectionStatus, ConnectionStep,
    table(
        (C.REQUESTED, ConnectionStep.ACCEPT, C.ACCEPTED),
        (C.REQUESTED, ConnectionStep.DECLINE, C.DECLINED),
        (C.REQUESTED, ConnectionStep.WITHDRAW, C.WITHDRAWN),
        (C.ACCEPTED, ConnectionStep.CLOSE, C.CLOSED),
    ),
    history=_connection_history,
    initial=C.REQUESTED,
)

