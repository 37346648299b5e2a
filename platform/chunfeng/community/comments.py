"""Comments on needs and challenges, and who hears about them."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..core.services import N_, notify, record
from ..db import db
from ..policy import can
from .limits import check_comment_rate
from .links import target_link
from .models import Challenge, ClinicalNeed, Comment


def add_comment(target: ClinicalNeed | Challenge, author, text: str) -> Comment:
    check_comment_rate(author)
    on_need = isinstance(target, ClinicalNeed)
    comment = Comment(need_id=target.id if on_need else None, challenge_id=None if on_need else target.id,
                      author_id=author.id, text=text.strip())
    db.session.add(comment)
    db.session.flush()
    record("community.comment_posted", comment, actor=author)
    for person in _comment_audience(target, author):
        notify(person, N_("New comment on \"%(title)s\"."), target_link(target), title=target.title)
    return comment


def _comment_audience(target, author) -> list[User]:
    """Who hears about a new comment: the author of the need (or the company's poster) and the followers."""
    ids = {target.author_id} if target.author_id else set()
    if isinstance(target, ClinicalNeed):
        ids |= {f.user_id for f in target.follows}
    ids.discard(author.id)
    return list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def may_see_comment(user, comment: Comment) -> bool:
    """Hidden comments: administrators and their author only."""
    if not comment.hidden:
        return True
    signed_in = user is not None and user.is_authenticated
    return signed_in and (comment.author_id == user.id or can(user, "community.moderate"))


def visible_comments(target: ClinicalNeed | Challenge, user) -> list[Comment]:
    """Comments in order; hidden ones only for administrators and their author."""
    column = Comment.need_id if isinstance(target, ClinicalNeed) else Comment.challenge_id
    comments = db.session.scalars(select(Comment).where(column == target.id).order_by(Comment.id)).all()
    return [c for c in comments if may_see_comment(user, c)]
