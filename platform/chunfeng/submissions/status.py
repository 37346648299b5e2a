"""The submission state machine: every status change of a project goes through `apply`.

    draft -submit-> submitted -pass_formal_check-> accepted -start_review-> under_review
    submitted -return_formal_check-> returned -submit-> submitted
    under_review -decide_*-> selected_priority | selected | revision_requested | not_selected
    revision_requested -submit-> under_review (a new version, into the same round)
    selected_priority | selected | not_selected -reopen_decision-> under_review (before publication)
    selected* -release_for_matching-> matching -start_incubation-> incubation -approve-> approved
    draft | submitted | returned | accepted | under_review | revision_requested -withdraw-> withdrawn

Supplementary material (a new version with a reason, no status change) is added while the project waits for the
formal check or the panel and the clinician cannot edit it: submitted, accepted, under review (SUPPLEMENTABLE). A
returned project or one whose revision was requested is edited and submitted again instead.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..core.lifecycle import InvalidTransition, Lifecycle

__all__ = ["InvalidTransition", "Status", "Event", "apply", "allowed", "lifecycle"]


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    UNDER_REVIEW = "under_review"
    REVISION_REQUESTED = "revision_requested"
    SELECTED_PRIORITY = "selected_priority"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    MATCHING = "matching"
    INCUBATION = "incubation"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


class Event(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    PASS_FORMAL_CHECK = "pass_formal_check"  # noqa: S105  # nosec B105
    RETURN_FORMAL_CHECK = "return_formal_check"
    START_REVIEW = "start_review"
    DECIDE_PRIORITY = "decide_priority"
    DECIDE_SELECTED = "decide_selected"
    REQUEST_REVISION = "request_revision"
    DECIDE_NOT_SELECTED = "decide_not_selected"
    RELEASE_FOR_MATCHING = "release_for_matching"
    START_INCUBATION = "start_incubation"
    APPROVE = "approve"
    REOPEN_DECISION = "reopen_decision"  # a final decision not yet published goes back to the panel


S, E = Status, Event
SELECTED_STATES = frozenset({S.SELECTED_PRIORITY, S.SELECTED})
PRE_DECISION = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.UNDER_REVIEW, S.REVISION_REQUESTED})
EDITABLE = frozenset({S.DRAFT, S.RETURNED, S.REVISION_REQUESTED})
SUPPLEMENTABLE = PRE_DECISION - EDITABLE  # sent, before a decision or withdrawal, not open for editing
VISIBLE_TO_COMPANIES = frozenset({S.MATCHING, S.INCUBATION, S.APPROVED})

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (S.DRAFT, E.SUBMIT): S.SUBMITTED,
    (S.RETURNED, E.SUBMIT): S.SUBMITTED,
    (S.REVISION_REQUESTED, E.SUBMIT): S.UNDER_REVIEW,
    (S.SUBMITTED, E.PASS_FORMAL_CHECK): S.ACCEPTED,
    (S.SUBMITTED, E.RETURN_FORMAL_CHECK): S.RETURNED,
    (S.ACCEPTED, E.START_REVIEW): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, E.DECIDE_PRIORITY): S.SELECTED_PRIORITY,
    (S.UNDER_REVIEW, E.DECIDE_SELECTED): S.SELECTED,
    (S.UNDER_REVIEW, E.REQUEST_REVISION): S.REVISION_REQUESTED,
    (S.UNDER_REVIEW, E.DECIDE_NOT_SELECTED): S.NOT_SELECTED,
    (S.SELECTED_PRIORITY, E.RELEASE_FOR_MATCHING): S.MATCHING,
    (S.SELECTED, E.RELEASE_FOR_MATCHING): S.MATCHING,
    (S.MATCHING, E.START_INCUBATION): S.INCUBATION,
    (S.SELECTED_PRIORITY, E.START_INCUBATION): S.INCUBATION,
    (S.SELECTED, E.START_INCUBATION): S.INCUBATION,
    (S.INCUBATION, E.APPROVE): S.APPROVED,
    **{(state, E.REOPEN_DECISION): S.UNDER_REVIEW for state in (S.SELECTED_PRIORITY, S.SELECTED, S.NOT_SELECTED)},
    **{(state, E.WITHDRAW): S.WITHDRAWN for state in PRE_DECISION},
}


def _history(project, old: Status, new: Status, event: Event, actor, note: str) -> None:
    from .models import StatusEvent

    project.events.append(StatusEvent(from_status=old, to_status=new, event=event, note=note,
                                      actor_id=getattr(actor, "id", None)))


lifecycle = Lifecycle("project", Status, Event, TRANSITIONS, history=_history, initial=Status.DRAFT)


def next_status(status: Status, event: Event) -> Status:
    return lifecycle.next_status(status, event)


def allowed(status: Status, event: Event) -> bool:
    return lifecycle.allowed(status, event)


STATUS_LABELS = {
    S.DRAFT: _l("Draft"),
    S.SUBMITTED: _l("Submitted, awaiting formal check"),
    S.RETURNED: _l("Returned at formal check"),
    S.ACCEPTED: _l("Formal check passed"),
    S.UNDER_REVIEW: _l("Under expert review"),
    S.REVISION_REQUESTED: _l("Revision requested"),
    S.SELECTED_PRIORITY: _l("Selected for priority incubation"),
    S.SELECTED: _l("Selected"),
    S.NOT_SELECTED: _l("Not selected"),
    S.MATCHING: _l("Matching with companies"),
    S.INCUBATION: _l("In incubation"),
    S.APPROVED: _l("Approved for market"),
    S.WITHDRAWN: _l("Withdrawn"),
}

# The clinician's timeline: each stage and the statuses that mean the project has reached it.
TIMELINE = (
    ("draft", _l("Draft"), {S.DRAFT}),
    ("submitted", _l("Submitted"), {S.SUBMITTED, S.RETURNED}),
    ("formal_check", _l("Formal check"), {S.ACCEPTED}),
    ("review", _l("Expert review"), {S.UNDER_REVIEW, S.REVISION_REQUESTED}),
    ("decision", _l("Decision"), SELECTED_STATES | {S.NOT_SELECTED}),
    ("matching", _l("Matching"), {S.MATCHING}),
    ("incubation", _l("Incubation"), {S.INCUBATION}),
    ("approved", _l("Approval"), {S.APPROVED}),
)


def timeline_position(status: Status) -> int:
    """Index of the timeline stage the status belongs to (-1 for withdrawn)."""
    for index, (_key, _label, states) in enumerate(TIMELINE):
        if status in states:
            return index
    return -1


def apply(project, event: Event, actor, note: str = "") -> Status:
    """Move `project` along the machine, recording the change in its history and the audit log."""
    return lifecycle.apply(project, event, actor, note)
