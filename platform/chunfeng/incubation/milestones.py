"""The milestone state machine: the one place that says how a milestone's status may change.

    not_started -start-> in_progress -complete-> done -reopen-> in_progress
    not_started | in_progress -skip-> skipped -reopen-> not_started       (clinical evaluation only: exemption)

Completing the approval milestone needs every other milestone done or skipped, and cannot be undone
(it approves the project). Dates may be given for work recorded after the fact, never in the future.
"""

from __future__ import annotations

import enum
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .models import Milestone, MilestoneKey, MilestoneStatus
from .plan import SKIPPABLE


class MilestoneEvent(enum.StrEnum):
    START = "start"
    COMPLETE = "complete"
    SKIP = "skip"
    REOPEN = "reopen"


M, Ev = MilestoneStatus, MilestoneEvent
TRANSITIONS: dict[tuple[MilestoneStatus, MilestoneEvent], MilestoneStatus] = {
    (M.NOT_STARTED, Ev.START): M.IN_PROGRESS,
    (M.IN_PROGRESS, Ev.COMPLETE): M.DONE,
    (M.NOT_STARTED, Ev.SKIP): M.SKIPPED,
    (M.IN_PROGRESS, Ev.SKIP): M.SKIPPED,
    (M.DONE, Ev.REOPEN): M.IN_PROGRESS,
    (M.SKIPPED, Ev.REOPEN): M.NOT_STARTED,
}

EVENT_LABELS = {
    Ev.START: _l("Start"),
    Ev.COMPLETE: _l("Mark done"),
    Ev.SKIP: _l("Mark exempt"),
    Ev.REOPEN: _l("Reopen"),
}


class MilestoneError(ValueError):
    """A refused change, already translated for the user."""


def _blocked(milestone: Milestone, event: MilestoneEvent) -> bool:
    if event == Ev.SKIP and milestone.key not in SKIPPABLE:
        return True
    return event == Ev.REOPEN and milestone.key == MilestoneKey.APPROVAL


def allowed_events(milestone: Milestone) -> list[MilestoneEvent]:
    return [event for (state, event) in TRANSITIONS if state == milestone.status and not _blocked(milestone, event)]


def advance(milestone: Milestone, event: MilestoneEvent, on: date, today: date) -> MilestoneStatus:
    """Change the milestone's status and actual dates in place, or raise MilestoneError. Returns the new status."""
    event = MilestoneEvent(event)
    new = TRANSITIONS.get((MilestoneStatus(milestone.status), event))
    if new is None or _blocked(milestone, event):
        raise MilestoneError(_("This change is not possible for a milestone in its current state."))
    if on > today:
        raise MilestoneError(_("The date cannot be in the future."))
    if event == Ev.START:
        milestone.actual_start, milestone.actual_done = on, None
    elif event == Ev.COMPLETE:
        _check_can_complete(milestone, on)
        milestone.actual_done = on
    elif event == Ev.SKIP:
        milestone.exempt, milestone.actual_done = True, None
    elif event == Ev.REOPEN:
        milestone.actual_done = None
        if new == M.NOT_STARTED:
            milestone.exempt, milestone.actual_start = False, None
    milestone.status = new
    return new


def _check_can_complete(milestone: Milestone, on: date) -> None:
    if milestone.actual_start and on < milestone.actual_start:
        raise MilestoneError(_("A milestone cannot be finished before it started."))
    if milestone.key == MilestoneKey.APPROVAL:
        open_ones = [m for m in milestone.incubation.milestones if m is not milestone and not m.closed]
        if open_ones:
            raise MilestoneError(_("Approval can only be recorded when every other milestone is done or exempt."))
