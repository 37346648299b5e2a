"""Bidding before assignment: experts read the blind summaries of a round's projects (title, specialty, device
class and the non-confidential summary of the version under review; never the applicant) and mark each 想评 (eager),
可以 (willing) or 不能 (cannot). The automatic assignment (assignment.plan, solver.solve) never proposes a "cannot"
pair and prefers an "eager" one (solver.EAGER_BONUS). Callers commit; functions here only flush.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import User
from ..core.services import record
from ..db import db, utcnow
from ..submissions.models import Project
from ..submissions.status import Status
from .conflicts import conflict_reason
from .errors import ReviewError
from .models import Assignment, AssignmentStatus, ReviewBid, ReviewRound, RoundEntry, RoundStatus

EAGER, WILLING, CANNOT = "eager", "willing", "cannot"
BIDS = {EAGER: _l("I would like to review it"), WILLING: _l("I can review it"), CANNOT: _l("I cannot review it")}
BIDDING_STATUSES = (RoundStatus.OPEN, RoundStatus.REVIEWING)


def bidding_open(round_: ReviewRound) -> bool:
    return round_.status in BIDDING_STATUSES


def bidding_rounds() -> list[ReviewRound]:
    return list(db.session.scalars(select(ReviewRound).where(ReviewRound.status.in_(BIDDING_STATUSES))
                                   .order_by(ReviewRound.opens_on)))


@dataclass
class BlindSummary:
    project_id: int
    title: str
    specialty: str
    device_class: str
    summary: str


def _summary(entry: RoundEntry) -> BlindSummary:
    fields = entry.version.content.get("fields", {}) if entry.version is not None else {}
    project = entry.project
    return BlindSummary(project.id, fields.get("title") or project.title, fields.get("specialty") or project.specialty,
                        project.device_class.value, fields.get("public_summary") or project.public_summary)


def biddable(round_: ReviewRound, expert: User) -> list[BlindSummary]:
    """The round's projects under review the expert may bid on: not those with a conflict of interest, not those
    they were already asked to review."""
    asked = set(db.session.scalars(select(Assignment.project_id).where(
        Assignment.round_id == round_.id, Assignment.expert_id == expert.id,
        Assignment.status != AssignmentStatus.PROPOSED)))
    entries = db.session.scalars(
        select(RoundEntry).join(Project, Project.id == RoundEntry.project_id)
        .where(RoundEntry.round_id == round_.id, Project.status == Status.UNDER_REVIEW).order_by(RoundEntry.id)
        .options(contains_eager(RoundEntry.project), selectinload(RoundEntry.version)))
    return [_summary(e) for e in entries
            if e.project_id not in asked and conflict_reason(expert, e.project) is None]


def my_bids(round_: ReviewRound, expert: User) -> dict[int, str]:
    return dict(db.session.execute(select(ReviewBid.project_id, ReviewBid.bid).where(
        ReviewBid.round_id == round_.id, ReviewBid.expert_id == expert.id)).all())


def round_bids(round_: ReviewRound) -> dict[tuple[int, int], str]:
    """(project id, expert id) -> bid, for the assignment."""
    return {(p, e): bid for p, e, bid in db.session.execute(select(
        ReviewBid.project_id, ReviewBid.expert_id, ReviewBid.bid).where(ReviewBid.round_id == round_.id))}


def save_bids(round_: ReviewRound, expert: User, choices: Mapping[int, str]) -> int:
    """Store the expert's bids (project id -> eager | willing | cannot; "" withdraws a bid) on the projects they may
    bid on; returns how many changed. Two saves at the same moment end in one row per project."""
    if not bidding_open(round_):
        raise ReviewError(_("Bidding is closed for this round."))
    allowed = {s.project_id for s in biddable(round_, expert)}
    if any(value not in (*BIDS, "") for value in choices.values()):
        raise ReviewError(_("Choose one of the answers offered for each project."))
    current = {b.project_id: b for b in db.session.scalars(select(ReviewBid).where(
        ReviewBid.round_id == round_.id, ReviewBid.expert_id == expert.id))}
    changed = 0
    for project_id, value in choices.items():
        if project_id not in allowed:
            continue
        bid = current.get(project_id)
        if not value:
            if bid is not None:
                db.session.delete(bid)
                changed += 1
            continue
        if bid is None:
            bid = _new_bid(round_, expert, project_id)
        if bid.bid != value:
            bid.bid, bid.updated_at = value, utcnow()
            changed += 1
    db.session.flush()
    record("review.bids_saved", round_, actor=expert, changed=changed)
    return changed


def _new_bid(round_: ReviewRound, expert: User, project_id: int) -> ReviewBid:
    bid = ReviewBid(round_id=round_.id, project_id=project_id, expert_id=expert.id, bid="")
    try:
        with db.session.begin_nested():
            db.session.add(bid)
            db.session.flush()
    except IntegrityError:  # the same expert's other save stored it a moment ago
        bid = db.session.scalar(select(ReviewBid).where(ReviewBid.round_id == round_.id,
                                                        ReviewBid.project_id == project_id,
                                                        ReviewBid.expert_id == expert.id))
    return bid
