"""The administrators' rating of a submitted review's quality: helpful, adequate or insufficient, with a note.
Seen by administrators only: on the project's panel page beside each review, and per expert in the expert
directory (mean and number of ratings), where it helps choose and brief the experts of later rounds. Callers
commit; functions here only flush."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.services import record
from ..db import db, utcnow
from .errors import ReviewError
from .models import Assignment, AssignmentStatus, Review, ReviewQuality

QUALITY_LABELS = {
    3: _l("Helpful: specific and well argued"),
    2: _l("Adequate"),
    1: _l("Insufficient: too brief or unsupported"),
}
MAX_NOTE = 1000


def rate(review: Review, rating: int, note: str, actor: User) -> ReviewQuality:
    """Rate a submitted review (rating again replaces the rating); two ratings at the same moment end in one row."""
    if review.assignment.status != AssignmentStatus.SUBMITTED:
        raise ReviewError(_("Only a submitted review can be rated."))
    if rating not in QUALITY_LABELS:
        raise ReviewError(_("Choose one of the ratings offered."), "rating")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ReviewError(_("Please shorten the note to at most %(max)d characters.", max=MAX_NOTE), "note")
    found = db.session.scalar(select(ReviewQuality).where(ReviewQuality.review_id == review.id))
    if found is None:
        found = ReviewQuality(review_id=review.id, rating=rating)
        try:
            with db.session.begin_nested():
                db.session.add(found)
                db.session.flush()
        except IntegrityError:  # another administrator rated it a moment ago: this rating replaces theirs
            found = db.session.scalar(select(ReviewQuality).where(ReviewQuality.review_id == review.id))
    found.rating, found.note, found.rated_by_id, found.rated_at = rating, note, actor.id, utcnow()
    db.session.flush()
    record("review.quality_rated", review, actor=actor, rating=rating, expert_id=review.assignment.expert_id)
    return found


def ratings_of(reviews: Sequence[Review]) -> dict[int, ReviewQuality]:
    if not reviews:
        return {}
    return {q.review_id: q for q in db.session.scalars(select(ReviewQuality).where(
        ReviewQuality.review_id.in_([r.id for r in reviews])))}


def by_expert() -> dict[int, tuple[float, int]]:
    """expert id -> (mean rating, number of rated reviews), in one grouped query."""
    rows = db.session.execute(
        select(Assignment.expert_id, func.avg(ReviewQuality.rating), func.count(ReviewQuality.id))
        .join(Review, Review.assignment_id == Assignment.id).join(ReviewQuality, ReviewQuality.review_id == Review.id)
        .group_by(Assignment.expert_id))
    return {expert_id: (float(mean), count) for expert_id, mean, count in rows}
