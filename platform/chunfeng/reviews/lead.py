"""The lead reviewer (主审) of a project in a round and the meta-review.

An administrator designates one of the project's experts (an expert who accepted or submitted); once their own
review is submitted, the lead writes a meta-review summing up the panel (and may rewrite it while the discussion
runs); each other reviewer with a submitted review confirms it or records a disagreement with a note. A rewrite
asks the others again: an answer given to an earlier text is shown as such. The decision page shows it all beside
the statistics. Callers commit; every function here only flushes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from .deliberation import author_label, expert_letters, project_assignments, require_open, takes_part, tell_others
from .errors import ReviewError
from .models import Assignment, AssignmentStatus, LeadResponse, LeadReview, RoundEntry

MAX_SUMMARY = 8000
MAX_NOTE = 2000
CANDIDATES = (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED)


def lead_of(entry: RoundEntry) -> LeadReview | None:
    return db.session.scalar(select(LeadReview).where(LeadReview.round_id == entry.round_id,
                                                      LeadReview.project_id == entry.project_id))


def candidates(entry: RoundEntry) -> list[User]:
    """The project's experts an administrator may designate (invited, accepted or submitted)."""
    seen: dict[int, User] = {}
    for assignment in project_assignments(entry):
        if assignment.status in CANDIDATES:
            seen.setdefault(assignment.expert_id, assignment.expert)
    return list(seen.values())


def designate(entry: RoundEntry, expert: User, actor: User) -> LeadReview:
    """Make `expert` the project's lead reviewer; another expert replaces the lead (their meta-review and its
    answers are dropped, the audit log keeps them)."""
    require_open(entry)
    if expert.id not in {u.id for u in candidates(entry)}:
        raise ReviewError(_("Choose one of the experts assigned to this project."), "expert_id")
    lead = lead_of(entry)
    if lead is not None and lead.expert_id == expert.id:
        return lead
    if lead is None:
        lead = LeadReview(round_id=entry.round_id, project_id=entry.project_id)
        db.session.add(lead)
    else:
        record("review.lead_replaced", lead, actor=actor, project_id=entry.project_id, expert_id=lead.expert_id,
               summary=lead.summary)
        lead.responses.clear()
        lead.summary, lead.summary_at = "", None
    lead.expert_id, lead.designated_by_id, lead.designated_at = expert.id, actor.id, utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # another administrator designated a lead at the same moment: theirs stands
        raise ReviewError(_("Someone else designated a lead reviewer meanwhile. Please reload the page.")) from None
    record("review.lead_designated", lead, actor=actor, project_id=entry.project_id, expert_id=expert.id)
    assignment = _assignment_of(entry, expert)
    notify(expert, N_("You are the lead reviewer of “%(title)s”: once your review is submitted, please write the "
                      "meta-review that sums up the panel."),
           path_for("reviews.assignment_page", assignment_id=assignment.id) if assignment else "",
           title=entry.project.title)
    return lead


def _assignment_of(entry: RoundEntry, expert: User) -> Assignment | None:
    mine = [a for a in project_assignments(entry) if a.expert_id == expert.id]
    return mine[-1] if mine else None


def write_summary(entry: RoundEntry, expert: User, summary: str) -> LeadReview:
    lead = lead_of(entry)
    if lead is None or lead.expert_id != expert.id:
        raise ReviewError(_("Only the lead reviewer writes the meta-review."))
    if not takes_part(expert, entry):
        raise ReviewError(_("Submit your own review before writing the meta-review."))
    require_open(entry)
    summary = (summary or "").strip()
    if not summary:
        raise ReviewError(_("Please write the meta-review."), "summary")
    if len(summary) > MAX_SUMMARY:
        raise ReviewError(_("Please shorten the meta-review to at most %(max)d characters.", max=MAX_SUMMARY),
                          "summary")
    rewritten = lead.summary_at is not None
    lead.summary, lead.summary_at = summary, utcnow()
    db.session.flush()
    record("review.meta_written", lead, actor=expert, project_id=entry.project_id, rewritten=rewritten)
    tell_others(entry, expert, N_("%(who)s, the lead reviewer, wrote the meta-review of “%(title)s”: please "
                                   "confirm it or record your disagreement."), who=author_label(entry, expert))
    return lead


def respond(entry: RoundEntry, expert: User, agrees: bool, note: str = "") -> LeadResponse:
    """A reviewer confirms the meta-review or records a disagreement (a note is then needed); answering again
    replaces the earlier answer."""
    lead = lead_of(entry)
    if lead is None or lead.summary_at is None:
        raise ReviewError(_("There is no meta-review to answer yet."))
    if lead.expert_id == expert.id:
        raise ReviewError(_("The lead reviewer does not answer their own meta-review."))
    if not takes_part(expert, entry):
        raise ReviewError(_("Submit your own review before answering the meta-review."))
    require_open(entry)
    note = (note or "").strip()
    if not agrees and not note:
        raise ReviewError(_("Please say what you disagree with."), "note")
    if len(note) > MAX_NOTE:
        raise ReviewError(_("Please shorten the note to at most %(max)d characters.", max=MAX_NOTE), "note")
    response = _response(lead, expert)
    response.agrees, response.note, response.summary_at, response.responded_at = agrees, note, lead.summary_at, \
        utcnow()
    db.session.flush()
    record("review.meta_answered", lead, actor=expert, project_id=entry.project_id, agrees=agrees, note=note)
    if lead.expert is not None:
        notify(lead.expert, N_("%(who)s confirmed your meta-review of “%(title)s”.") if agrees else
               N_("%(who)s disagrees with your meta-review of “%(title)s”."),
               path_for("reviews.assignment_page", assignment_id=_assignment_of(entry, lead.expert).id),
               who=author_label(entry, expert), title=entry.project.title)
    return response


def _response(lead: LeadReview, expert: User) -> LeadResponse:
    """The expert's answer row, created once: two answers at the same moment end in one row."""
    found = next((r for r in lead.responses if r.expert_id == expert.id), None)
    if found is not None:
        return found
    response = LeadResponse(expert_id=expert.id, agrees=True)
    lead.responses.append(response)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        db.session.expire(lead, ["responses"])
        response = next(r for r in lead.responses if r.expert_id == expert.id)
    return response


@dataclass
class MetaView:
    """The meta-review as a page shows it: the lead's label, and each other reviewer's answer (or none yet)."""

    lead: LeadReview | None
    lead_label: str
    answers: list[tuple[str, LeadResponse | None, bool]]  # (label, answer, answered an earlier text)
    expert_names: dict[int, str]  # for administrators only

    @property
    def disagreements(self) -> int:
        return sum(1 for _label, answer, _stale in self.answers if answer is not None and not answer.agrees)


def meta_view(entry: RoundEntry) -> MetaView:
    lead = lead_of(entry)
    labels = expert_letters(entry)
    names = {a.expert_id: a.expert.name for a in project_assignments(entry)}
    if lead is None:
        return MetaView(None, "", [], names)
    lead_label = _("Expert %(letter)s", letter=labels.get(lead.expert_id, "?"))
    answers = []
    submitted = {a.expert_id for a in project_assignments(entry) if a.status == AssignmentStatus.SUBMITTED}
    by_expert = {r.expert_id: r for r in lead.responses}
    for expert_id, letter in sorted(labels.items(), key=lambda item: item[1]):
        if expert_id == lead.expert_id or expert_id not in submitted:
            continue
        answer = by_expert.get(expert_id)
        stale = answer is not None and answer.summary_at != lead.summary_at
        answers.append((_("Expert %(letter)s", letter=letter), answer, stale))
    return MetaView(lead, lead_label, answers, names)
