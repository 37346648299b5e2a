"""Milestones: their lifecycle (the one place that says how a milestone's status may change) and the officer's
changes to them.

    not_started -start-> in_progress -complete-> done -reopen-> in_progress
    not_started | in_progress -skip-> skipped -reopen-> not_started       (clinical evaluation only: exemption)

Completing a milestone starts the next open one in plan order (if it has not started yet) on the same date.
Completing the approval milestone needs every other milestone done or skipped, and cannot be undone
(it approves the project and closes the incubation). Dates may be given for work recorded after the fact, never in
the future. Every change is told to the project's clinician, in the app and by e-mail (kind "milestone_change").
"""

from __future__ import annotations

import enum
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import mail
from ..core.clock import local_today
from ..core.lifecycle import Lifecycle, table
from ..core.services import N_, notify, record
from ..db import utcnow
from ..submissions import status as project_status
from ..submissions.status import Event
from . import documents, status
from .errors import IncubationError
from .involvement import project_link
from .models import Incubation, Milestone, MilestoneDocument, MilestoneKey, MilestoneStatus
from .plan import KEY_LABELS, MILESTONE_STATUS_LABELS, SKIPPABLE


class MilestoneEvent(enum.StrEnum):
    START = "start"
    COMPLETE = "complete"
    SKIP = "skip"
    REOPEN = "reopen"


M, Ev = MilestoneStatus, MilestoneEvent
TRANSITIONS = table(
    (M.NOT_STARTED, Ev.START, M.IN_PROGRESS),
    (M.IN_PROGRESS, Ev.COMPLETE, M.DONE),
    ([M.NOT_STARTED, M.IN_PROGRESS], Ev.SKIP, M.SKIPPED),
    (M.DONE, Ev.REOPEN, M.IN_PROGRESS),
    (M.SKIPPED, Ev.REOPEN, M.NOT_STARTED),
)
# Audited by `change_milestone` as "incubation.milestone", with the step and the date of the change.
lifecycle = Lifecycle("milestone", MilestoneStatus, MilestoneEvent, TRANSITIONS, audited=False,
                      initial=M.NOT_STARTED)

EVENT_LABELS = {
    Ev.START: _l("Start"),
    Ev.COMPLETE: _l("Mark done"),
    Ev.SKIP: _l("Mark exempt"),
    Ev.REOPEN: _l("Reopen"),
}


def _blocked(milestone: Milestone, event: MilestoneEvent) -> bool:
    if event == Ev.SKIP and milestone.key not in SKIPPABLE:
        return True
    return event == Ev.REOPEN and milestone.key == MilestoneKey.APPROVAL


def allowed_events(milestone: Milestone) -> list[MilestoneEvent]:
    return [event for event in MilestoneEvent
            if lifecycle.allowed(milestone.status, event) and not _blocked(milestone, event)]


def change_milestone(milestone: Milestone, event: MilestoneEvent | str, actor,
                     on: date | None = None) -> MilestoneStatus:
    """Move a milestone along its lifecycle, setting its actual dates; finishing the approval milestone approves
    the project. Raises IncubationError (and changes nothing) when the change is refused."""
    incubation = milestone.incubation
    status.ensure_active(incubation)
    today = local_today()
    on = on or today
    try:
        event = MilestoneEvent(event)
    except ValueError:
        event = None
    if event is None or not lifecycle.allowed(milestone.status, event) or _blocked(milestone, event):
        raise IncubationError(_("This change is not possible for a milestone in its current state."))
    if on > today:
        raise IncubationError(_("The date cannot be in the future."))
    if event == Ev.COMPLETE:
        _check_can_complete(milestone, on)
    new = _move(milestone, event, actor, on)
    if milestone.key == MilestoneKey.APPROVAL and new == M.DONE:
        _approve(incubation, actor, on)  # the clinician is congratulated there
        return new
    following = next_step(milestone) if new == M.DONE else None
    if following is not None and following.status == M.NOT_STARTED:
        _move(following, Ev.START, actor, on)
    else:
        following = None
    tell_clinician(milestone, following)
    return new


def _move(milestone: Milestone, event: MilestoneEvent, actor, on: date) -> MilestoneStatus:
    previous = milestone.status
    _set_dates(milestone, event, on)
    new = lifecycle.apply(milestone, event, actor)
    record("incubation.milestone", milestone, actor=actor, key=str(milestone.key), event=str(event),
           from_status=str(previous), to_status=str(new), on=on.isoformat())
    return new


def next_step(milestone: Milestone) -> Milestone | None:
    """The first milestone after this one in plan order that is neither done nor exempt."""
    return next((m for m in milestone.incubation.milestones if m.position > milestone.position and not m.closed),
                None)


def tell_clinician(milestone: Milestone, started: Milestone | None = None) -> None:
    """Tell the project's clinician that a step changed (and which one started after it), in the app and by
    e-mail unless they switched milestone mails off. Step and status are named in the clinician's language."""
    project = milestone.incubation.project
    clinician = project.owner
    with force_locale(clinician.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")):
        params = {"title": project.title, "step": str(KEY_LABELS[milestone.key]),
                  "status": str(MILESTONE_STATUS_LABELS[milestone.status])}
        if started is not None:
            params["next"] = str(KEY_LABELS[started.key])
    message = (N_("%(title)s: the step “%(step)s” is done; the next step, “%(next)s”, has started.")
               if started is not None else N_("%(title)s: the step “%(step)s” is now: %(status)s."))
    notify(clinician, message, project_link(project), **params)
    mail.notify_by_mail(clinician, mail.MILESTONE_CHANGE, N_("Incubation of “%(title)s”: a step has changed"),
                        "incubation/mail/milestone.html", subject_params={"title": project.title},
                        message=message, params=params,
                        link=mail.site_url("incubation.project", project_id=project.id))


def _set_dates(milestone: Milestone, event: MilestoneEvent, on: date) -> None:
    if event == Ev.START:
        milestone.actual_start, milestone.actual_done = on, None
    elif event == Ev.COMPLETE:
        milestone.actual_done = on
    elif event == Ev.SKIP:
        milestone.exempt, milestone.actual_done = True, None
    elif event == Ev.REOPEN:
        milestone.actual_done = None
        if lifecycle.next_status(milestone.status, event) == M.NOT_STARTED:
            milestone.exempt, milestone.actual_start = False, None


def _check_can_complete(milestone: Milestone, on: date) -> None:
    if milestone.actual_start and on < milestone.actual_start:
        raise IncubationError(_("A milestone cannot be finished before it started."))
    if milestone.key == MilestoneKey.APPROVAL:
        open_ones = [m for m in milestone.incubation.milestones if m is not milestone and not m.closed]
        if open_ones:
            raise IncubationError(_("Approval can only be recorded when every other milestone is done or exempt."))


def _approve(incubation: Incubation, actor, on: date) -> None:
    project = incubation.project
    project_status.apply(project, Event.APPROVE, actor)
    status.lifecycle.apply(incubation, status.IncubationEvent.APPROVE, actor, project_id=project.id)
    incubation.approved_on = on
    if incubation.success_story_consent:
        incubation.success_story_published_at = utcnow()
    notify(project.owner, N_("Congratulations: %(title)s has been approved for market."), project_link(project),
           title=project.title)


def update_milestone(milestone: Milestone, actor, *, planned_start: date | None, planned_due: date | None,
                     owner: str, notes: str, actual_start: date | None = None,
                     actual_done: date | None = None) -> list[str]:
    """Save the officer's edits of a milestone; returns the names of the fields that changed."""
    status.ensure_active(milestone.incubation)
    if planned_start and planned_due and planned_due < planned_start:
        raise IncubationError(_("The planned due date cannot be before the planned start."), "planned_due")
    values = {"planned_start": planned_start, "planned_due": planned_due, "owner": owner.strip(),
              "notes": notes.strip()}
    # Actual dates are set by status changes; here they can only be corrected, never added or removed.
    if milestone.actual_start is not None and actual_start is not None:
        values["actual_start"] = actual_start
    if milestone.actual_done is not None and actual_done is not None:
        values["actual_done"] = actual_done
    start, done = values.get("actual_start", milestone.actual_start), values.get("actual_done", milestone.actual_done)
    if any(d and d > local_today() for d in (start, done)):
        raise IncubationError(_("The date cannot be in the future."), "actual_done")
    if start and done and done < start:
        raise IncubationError(_("A milestone cannot be finished before it started."), "actual_done")
    changed = [name for name, value in values.items() if getattr(milestone, name) != value]
    for name in changed:
        setattr(milestone, name, values[name])
    if changed:
        record("incubation.milestone_edited", milestone, actor=actor, key=str(milestone.key), fields=changed)
    return changed


def save_step(milestone: Milestone, actor, upload=None, *, mark_done: bool = False,
              **fields) -> tuple[list[str], MilestoneDocument | None]:
    """The officer's one step on a milestone: its fields (see `update_milestone`), a document kept with it when one
    is given, and on request its completion (which starts the next step). Returns the changed fields and the new
    document; raises IncubationError on the field at fault (the route rolls back, so nothing is kept)."""
    changed = update_milestone(milestone, actor, **fields)
    document = documents.add_document(milestone, upload, actor) if upload is not None else None
    if mark_done:
        change_milestone(milestone, Ev.COMPLETE, actor)
    return changed, document
