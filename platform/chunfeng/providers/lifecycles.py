"""The lifecycles of providers, through the one state-machine helper (core/lifecycle.py).

    provider profile: the organisation profile's own table (matching/lifecycles.py): pending -approved-> approved;
                      returned (rejected) by an administrator with a note; saved again -> pending
    service request:  (new) sent -accepted-> accepted | -declined-> declined | -withdrawn-> withdrawn;
                      accepted -started-> started -delivered-> delivered;  accepted -withdrawn-> withdrawn
"""

from __future__ import annotations

import enum

from ..core.lifecycle import Lifecycle, table
from ..matching.lifecycles import ProfileEvent, profile_lifecycle
from ..matching.models import ProfileStatus
from .models import RequestStatus

__all__ = ["ProfileEvent", "RequestEvent", "provider_lifecycle", "request_lifecycle"]

# The same states and transitions as an organisation profile's approval; audited as provider_profile.<event>.
provider_lifecycle = Lifecycle("provider_profile", ProfileStatus, ProfileEvent, profile_lifecycle.transitions,
                               initial=ProfileStatus.PENDING)


class RequestEvent(enum.StrEnum):
    ACCEPT = "accepted"
    DECLINE = "declined"
    START = "started"
    DELIVER = "delivered"
    WITHDRAW = "withdrawn"


R = RequestStatus

request_lifecycle = Lifecycle(
    "service_request", RequestStatus, RequestEvent,
    table(
        (R.SENT, RequestEvent.ACCEPT, R.ACCEPTED),
        (R.SENT, RequestEvent.DECLINE, R.DECLINED),
        ((R.SENT, R.ACCEPTED), RequestEvent.WITHDRAW, R.WITHDRAWN),
        (R.ACCEPTED, RequestEvent.START, R.STARTED),
        (R.STARTED, RequestEvent.DELIVER, R.DELIVERED),
    ),
    initial=R.SENT,
)
