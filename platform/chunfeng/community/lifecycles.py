"""The community's state machines: every status change goes through one of these `Lifecycle`s.

    need:         open -need_converted-> converted
    challenge:    open -challenge_closed-> closed -challenge_open-> open
    consultation: open -question_answered-> answered (-question_answered-> answered: the answer is updated)
    booking:      booked -booking_cancelled-> cancelled -slot_booked-> booked (the same place booked again)
    report:       open -report_dismissed-> dismissed, open -report_actioned-> actioned (the content was hidden)

The lifecycles are named "community" and their events after the audit entries the community has always written
("community.need_converted", "community.challenge_closed" ...), so the audit trail keeps its names.
"""

from __future__ import annotations

import enum

from ..core.lifecycle import Lifecycle, table
from .models import BookingStatus, ChallengeStatus, ConsultStatus, NeedStatus, ReportStatus

AUDIT_PREFIX = "community"


class NeedEvent(enum.StrEnum):
    CONVERTED = "need_converted"


class ChallengeEvent(enum.StrEnum):
    CLOSED = "challenge_closed"
    REOPENED = "challenge_open"


class ConsultEvent(enum.StrEnum):
    ANSWERED = "question_answered"


class BookingEvent(enum.StrEnum):
    BOOKED = "slot_booked"
    CANCELLED = "booking_cancelled"


class ReportEvent(enum.StrEnum):
    ACTIONED = "report_actioned"
    DISMISSED = "report_dismissed"


need_lifecycle = Lifecycle(AUDIT_PREFIX, NeedStatus, NeedEvent, table(
    (NeedStatus.OPEN, NeedEvent.CONVERTED, NeedStatus.CONVERTED),
), initial=NeedStatus.OPEN)

challenge_lifecycle = Lifecycle(AUDIT_PREFIX, ChallengeStatus, ChallengeEvent, table(
    (ChallengeStatus.OPEN, ChallengeEvent.CLOSED, ChallengeStatus.CLOSED),
    (ChallengeStatus.CLOSED, ChallengeEvent.REOPENED, ChallengeStatus.OPEN),
), initial=ChallengeStatus.OPEN)

consultation_lifecycle = Lifecycle(AUDIT_PREFIX, ConsultStatus, ConsultEvent, table(
    (list(ConsultStatus), ConsultEvent.ANSWERED, ConsultStatus.ANSWERED),
), initial=ConsultStatus.OPEN)

booking_lifecycle = Lifecycle(AUDIT_PREFIX, BookingStatus, BookingEvent, table(
    (BookingStatus.CANCELLED, BookingEvent.BOOKED, BookingStatus.BOOKED),
    (BookingStatus.BOOKED, BookingEvent.CANCELLED, BookingStatus.CANCELLED),
), initial=BookingStatus.BOOKED)

report_lifecycle = Lifecycle(AUDIT_PREFIX, ReportStatus, ReportEvent, table(
    (ReportStatus.OPEN, ReportEvent.ACTIONED, ReportStatus.ACTIONED),
    (ReportStatus.OPEN, ReportEvent.DISMISSED, ReportStatus.DISMISSED),
), initial=ReportStatus.OPEN)

# What a company may ask of its challenge, by the status it wants (the page's close and reopen buttons).
CHALLENGE_EVENT_TO = {ChallengeStatus.CLOSED: ChallengeEvent.CLOSED, ChallengeStatus.OPEN: ChallengeEvent.REOPENED}


def need_is_open(need) -> bool:
    """A need that can still be edited and turned into a project."""
    return need_lifecycle.allowed(need.status, NeedEvent.CONVERTED)


def challenge_is_open(challenge) -> bool:
    """A challenge that takes replies and invitations."""
    return challenge_lifecycle.allowed(challenge.status, ChallengeEvent.CLOSED)
