"""Rate limits: how much one person may post in an hour (config COMMUNITY_POSTS_PER_HOUR and
COMMUNITY_COMMENTS_PER_HOUR)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..db import db, utcnow
from .errors import RateLimited
from .models import Challenge, ChallengeResponse, ClinicalNeed, Comment, Consultation

POSTS_PER_HOUR = 5  # needs, challenges and consultations together
COMMENTS_PER_HOUR = 20  # comments and challenge responses


def _count_since(column, owner_column, user_id: int, since: datetime) -> int:
    return db.session.scalar(select(func.count()).where(owner_column == user_id, column >= since)) or 0


def _written_last_hour(user, *owned: tuple) -> int:
    since = utcnow() - timedelta(hours=1)
    return sum(_count_since(column, owner_column, user.id, since) for column, owner_column in owned)


def check_post_rate(user) -> None:
    """At most COMMUNITY_POSTS_PER_HOUR needs, challenges and consultations per person per hour."""
    limit = current_app.config.get("COMMUNITY_POSTS_PER_HOUR", POSTS_PER_HOUR)
    posted = _written_last_hour(user, (ClinicalNeed.created_at, ClinicalNeed.author_id),
                                (Challenge.created_at, Challenge.author_id),
                                (Consultation.created_at, Consultation.asker_id))
    if posted >= limit:
        raise RateLimited(_("You can post at most %(num)d needs, challenges or questions per hour. "
                            "Nothing was lost: please copy your text and try again later.", num=limit))


def check_comment_rate(user) -> None:
    limit = current_app.config.get("COMMUNITY_COMMENTS_PER_HOUR", COMMENTS_PER_HOUR)
    written = _written_last_hour(user, (Comment.created_at, Comment.author_id),
                                 (ChallengeResponse.created_at, ChallengeResponse.clinician_id))
    if written >= limit:
        raise RateLimited(_("You can write at most %(num)d comments or replies per hour. "
                            "Please try again later.", num=limit))
