"""The three state machines of expert review, each a core `Lifecycle`: rubric versions, review rounds and
assignments. Status changes only through `step` (or the lifecycle's `apply`); new rows get their first status from
`begin`.

    rubric:     draft -activate-> active -archive-> archived
    round:      draft | reviewing -open-> open -close_intake-> reviewing
                open | reviewing -conclude-> decided
                reviewing | decided | published -publish-> published (later decisions publish again)
                (a batch published while the intake is open, or projects are undecided, leaves the status as it is:
                services.publish applies publish only to a round with its intake closed and every project decided)
    assignment: proposed -send-> invited -accept-> accepted -submit-> submitted -reopen-> accepted
                invited | accepted -decline-> declined;  invited | accepted -cancel-> cancelled
    decision:   a project's final decision not yet published is reopened through the project's own lifecycle
                (submissions.status, event reopen_decision)

Rounds and assignments keep the audit names their pages and exports have always used (round.status,
round.published, assignment.sent, assignment.accepted, review.submitted, ...): their services record them, so these
two lifecycles do not audit on their own. Rubric changes are audited by the lifecycle (rubric.activate,
rubric.archive).
"""

from __future__ import annotations

import enum

from ..core.lifecycle import InvalidTransition, Lifecycle, table
from .errors import ReviewError
from .models import AssignmentStatus, RoundStatus, RubricStatus

__all__ = ["AssignmentEvent", "RoundEvent", "RubricEvent", "assignment_lifecycle", "round_lifecycle",
           "rubric_lifecycle", "step"]


class RubricEvent(enum.StrEnum):
    ACTIVATE = "activate"
    ARCHIVE = "archive"


class RoundEvent(enum.StrEnum):
    OPEN = "open"
    CLOSE_INTAKE = "close_intake"
    CONCLUDE = "conclude"
    PUBLISH = "publish"


class AssignmentEvent(enum.StrEnum):
    SEND = "send"
    ACCEPT = "accept"
    DECLINE = "decline"
    SUBMIT = "submit"
    REOPEN = "reopen"
    CANCEL = "cancel"


R, RE = RoundStatus, RoundEvent
A, AE = AssignmentStatus, AssignmentEvent

rubric_lifecycle = Lifecycle("rubric", RubricStatus, RubricEvent, table(
    (RubricStatus.DRAFT, RubricEvent.ACTIVATE, RubricStatus.ACTIVE),
    (RubricStatus.ACTIVE, RubricEvent.ARCHIVE, RubricStatus.ARCHIVED),
), initial=RubricStatus.DRAFT)

round_lifecycle = Lifecycle("round", RoundStatus, RoundEvent, table(
    ((R.DRAFT, R.REVIEWING), RE.OPEN, R.OPEN),
    (R.OPEN, RE.CLOSE_INTAKE, R.REVIEWING),
    ((R.OPEN, R.REVIEWING), RE.CONCLUDE, R.DECIDED),
    ((R.REVIEWING, R.DECIDED, R.PUBLISHED), RE.PUBLISH, R.PUBLISHED),
), audited=False, initial=R.DRAFT)

assignment_lifecycle = Lifecycle("assignment", AssignmentStatus, AssignmentEvent, table(
    (A.PROPOSED, AE.SEND, A.INVITED),
    (A.INVITED, AE.ACCEPT, A.ACCEPTED),
    ((A.INVITED, A.ACCEPTED), AE.DECLINE, A.DECLINED),  # from accepted: a conflict noticed after accepting
    (A.ACCEPTED, AE.SUBMIT, A.SUBMITTED),
    (A.SUBMITTED, AE.REOPEN, A.ACCEPTED),  # an administrator unlocks a review submitted by mistake
    ((A.INVITED, A.ACCEPTED), AE.CANCEL, A.CANCELLED),
), audited=False, initial=A.PROPOSED)



def step(lifecycle: Lifecycle, obj, event, actor, refusal: str, **detail) -> enum.Enum:
    """Apply `event` to `obj`, or refuse with `refusal` (already translated) when its status does not allow it,
    typically because someone else changed it since the page was loaded."""
    try:
        return lifecycle.apply(obj, event, actor, **detail)
    except InvalidTransition:
        raise ReviewError(refusal) from None
