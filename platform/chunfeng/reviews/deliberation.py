"""The panel's deliberation on a project in a round, before the administrator records the decision:

- the discussion thread among the project's reviewers and the administrators; a reviewer joins once their own
  review is submitted; experts appear to each other as 专家 A/B/C (stable per project), never by name;
- revising a submitted review during the discussion (until the decision), the earlier scores kept as history;
- the lead reviewer (主审), designated by an administrator among the project's experts, who writes a meta-review
  summing up the panel; the other reviewers confirm it or record their disagreement.

Every change notifies the other participants in the app. Callers commit; every function here only flushes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import active_admins
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from ..submissions.status import Status
from . import figures
from .errors import ReviewError
from .models import (
    Assignment,
    AssignmentStatus,
    DiscussionMessage,
    Review,
    ReviewRevision,
    RoundEntry,
)
from .reviewing import ReviewInput, letters, missing_answers, total_of, write_answers

MAX_MESSAGE = 4000
REPEAT_WINDOW = timedelta(minutes=2)
NOT_ANYMORE = N_("The panel's discussion of this project has ended: the decision was recorded.")


# --- who takes part -----------------------------------------------------------------------------------------

def project_assignments(entry: RoundEntry) -> list[Assignment]:
    """Every assignment sent for the project in the round (any version), in a stable order."""
    return list(db.session.scalars(select(Assignment).where(
        Assignment.round_id == entry.round_id, Assignment.project_id == entry.project_id,
        Assignment.status != AssignmentStatus.PROPOSED).order_by(Assignment.id)))


def expert_letters(entry: RoundEntry) -> dict[int, str]:
    """expert id -> "A", "B", ...: by each expert's first assignment to the project in the round, so the letters
    stay the same across versions and pages."""
    first: dict[int, Assignment] = {}
    for assignment in project_assignments(entry):
        first.setdefault(assignment.expert_id, assignment)
    by_assignment = letters(list(first.values()))
    return {expert_id: by_assignment[a.id] for expert_id, a in first.items()}


def reviewers(entry: RoundEntry) -> list[User]:
    """The experts of the project who submitted a review in the round (of any version): the discussion's experts."""
    seen: dict[int, User] = {}
    for assignment in project_assignments(entry):
        if assignment.status == AssignmentStatus.SUBMITTED:
            seen.setdefault(assignment.expert_id, assignment.expert)
    return list(seen.values())


def takes_part(user: User, entry: RoundEntry) -> bool:
    """An expert with a submitted review of the project in this round."""
    return db.session.scalar(select(Assignment.id).where(
        Assignment.round_id == entry.round_id, Assignment.project_id == entry.project_id,
        Assignment.expert_id == user.id, Assignment.status == AssignmentStatus.SUBMITTED).limit(1)) is not None


def is_open(entry: RoundEntry) -> bool:
    """The discussion, revisions and the meta-review run until the administrator records the decision."""
    return entry.project.status == Status.UNDER_REVIEW


def require_open(entry: RoundEntry) -> None:
    if not is_open(entry):
        raise ReviewError(_(NOT_ANYMORE))


def under_review_version(assignment: Assignment) -> bool:
    """The assignment is of the version the round reviews now (not of one a revision replaced)."""
    entry = entry_of(assignment)
    return entry is not None and entry.version_id == assignment.version_id


def entry_of(assignment: Assignment) -> RoundEntry:
    return db.session.scalar(select(RoundEntry).where(RoundEntry.round_id == assignment.round_id,
                                                      RoundEntry.project_id == assignment.project_id))


def tell_others(entry: RoundEntry, author: User, message: str, **params) -> None:
    """Notify the discussion's other participants: the reviewers (a link to their review) and the
    administrators (a link to the project's panel page)."""
    mine = {a.expert_id: a for a in project_assignments(entry) if a.status == AssignmentStatus.SUBMITTED}
    for expert_id, assignment in mine.items():
        if expert_id != author.id:
            notify(assignment.expert, message, path_for("reviews.assignment_page", assignment_id=assignment.id),
                   title=entry.project.title, **params)
    panel = path_for("reviews.panel_project", round_id=entry.round_id, project_id=entry.project_id)
    for admin in active_admins():
        if admin.id != author.id:
            notify(admin, message, panel, title=entry.project.title, **params)


def author_label(entry: RoundEntry, user: User) -> str:
    """How a participant is named to the experts: 专家 A, or 管理员 (the platform's administrator)."""
    letter = expert_letters(entry).get(user.id)
    return _("Expert %(letter)s", letter=letter) if letter else _("Administrator")


# --- the thread ---------------------------------------------------------------------------------------------

@dataclass
class ThreadItem:
    message: DiscussionMessage
    label: str  # 专家 A / 管理员
    expert: bool
    mine: bool


def thread(entry: RoundEntry, reader: User) -> list[ThreadItem]:
    labels = expert_letters(entry)
    messages = db.session.scalars(select(DiscussionMessage).where(
        DiscussionMessage.round_id == entry.round_id, DiscussionMessage.project_id == entry.project_id)
        .order_by(DiscussionMessage.created_at, DiscussionMessage.id))
    items = []
    for message in messages:
        letter = labels.get(message.author_id)
        label = _("Expert %(letter)s", letter=letter) if letter else _("Administrator")
        items.append(ThreadItem(message, label, letter is not None, message.author_id == reader.id))
    return items


def post(entry: RoundEntry, author: User, body: str) -> DiscussionMessage:
    body = (body or "").strip()
    if not body:
        raise ReviewError(_("Please write a message."), "body")
    if len(body) > MAX_MESSAGE:
        raise ReviewError(_("Please shorten the message to at most %(max)d characters.", max=MAX_MESSAGE), "body")
    require_open(entry)
    last = db.session.scalar(select(DiscussionMessage).where(
        DiscussionMessage.round_id == entry.round_id, DiscussionMessage.project_id == entry.project_id,
        DiscussionMessage.author_id == author.id).order_by(DiscussionMessage.id.desc()).limit(1))
    if last is not None and last.body == body and utcnow() - last.created_at < REPEAT_WINDOW:
        return last  # the same message sent twice (a double click, a resent form): kept once
    message = DiscussionMessage(round_id=entry.round_id, project_id=entry.project_id, author_id=author.id,
                                body=body)
    db.session.add(message)
    db.session.flush()
    record("discussion.posted", message, actor=author, project_id=entry.project_id, round_id=entry.round_id)
    tell_others(entry, author, N_("%(who)s wrote in the panel's discussion of “%(title)s”."),
                 who=author_label(entry, author))
    return message


# --- revising a submitted review ----------------------------------------------------------------------------

def revise(assignment: Assignment, data: ReviewInput, expert: User, reason: str = "") -> Review:
    """Replace a submitted review's answers during the discussion; what it said before is kept as a revision.
    The assignment row is locked first (two saves of one review run one after the other)."""
    db.session.flush()
    db.session.refresh(assignment, with_for_update=True)
    review = assignment.review
    if assignment.status != AssignmentStatus.SUBMITTED or review is None:
        raise ReviewError(_("Only a submitted review can be revised."))
    entry = entry_of(assignment)
    require_open(entry)
    if not under_review_version(assignment):
        raise ReviewError(_("Only a review of the version under review can be revised."))
    before = ReviewRevision(
        review_id=review.id, scores=review.score_by_key(), gates=review.gates_by_key(), overall=review.overall,
        confidence=review.confidence, total=review.total, comment_panel=review.comment_panel,
        submitted_at=review.submitted_at, revised_at=utcnow(), reason=(reason or "").strip())
    old = _answers(review)
    write_answers(review, data)
    if missing := missing_answers(review):
        raise ReviewError(_("Please complete before submitting: %(items)s", items=", ".join(missing)))
    if _answers(review) == old:
        raise ReviewError(_("Nothing changed: change a score or a comment, or leave the review as it is."))
    db.session.add(before)
    review.total = total_of(review)
    review.submitted_at = utcnow()
    db.session.flush()
    record("review.revised", review, actor=expert, assignment_id=assignment.id, project_id=assignment.project_id,
           total_before=before.total, total=review.total, reason=before.reason)
    figures.refresh_for(assignment)
    tell_others(entry, expert, N_("%(who)s revised their review of “%(title)s” during the discussion."),
                 who=author_label(entry, expert))
    return review


def _answers(review: Review) -> tuple:
    return (review.score_by_key(), review.gates_by_key(), review.overall, review.confidence, review.comment_panel,
            review.comment_submitter)


def history(review: Review) -> list[ReviewRevision]:
    """The review's earlier versions, the oldest first."""
    return list(db.session.scalars(select(ReviewRevision).where(ReviewRevision.review_id == review.id)
                                   .order_by(ReviewRevision.revised_at, ReviewRevision.id)))


def histories(reviews: list[Review]) -> dict[int, list[ReviewRevision]]:
    """Earlier versions of several reviews in one query: review id -> revisions, the oldest first."""
    found: dict[int, list[ReviewRevision]] = {r.id: [] for r in reviews}
    if reviews:
        for revision in db.session.scalars(select(ReviewRevision).where(
                ReviewRevision.review_id.in_(list(found))).order_by(ReviewRevision.revised_at, ReviewRevision.id)):
            found[revision.review_id].append(revision)
    return found
