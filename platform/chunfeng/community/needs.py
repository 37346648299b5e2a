"""Clinical needs: posting and editing, the listings, follows and "I see this too", and turning a need into a
draft idea submission."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select

from ..accounts.models import User
from ..core.services import N_, notify, record
from ..db import db, utcnow
from ..submissions import services as intake
from ..submissions.models import Project
from .access import approved_member
from .errors import CommunityError
from .lifecycles import NeedEvent, need_is_open, need_lifecycle
from .limits import check_post_rate
from .links import need_link
from .models import ClinicalNeed, Comment, NeedFollow, NeedSeeToo, NeedVisibility
from .text import filtered

NEED_FIELDS = ("title", "problem", "population", "outcome", "specialty", "visibility")
NEED_TEXT = (ClinicalNeed.title, ClinicalNeed.problem, ClinicalNeed.population, ClinicalNeed.outcome,
             ClinicalNeed.specialty)


def create_need(author, **fields) -> ClinicalNeed:
    check_post_rate(author)
    need = need_lifecycle.begin(ClinicalNeed(author_id=author.id, **_need_values(fields)))
    db.session.add(need)
    db.session.flush()
    record("community.need_posted", need, actor=author, visibility=str(need.visibility))
    return need


def update_need(need: ClinicalNeed, actor, **fields) -> None:
    for key, value in _need_values(fields).items():
        setattr(need, key, value)
    record("community.need_edited", need, actor=actor)


def _need_values(fields: dict) -> dict:
    values = {key: (fields.get(key) or "").strip() for key in NEED_FIELDS if key != "visibility"}
    values["visibility"] = NeedVisibility(fields.get("visibility") or NeedVisibility.PUBLIC)
    return values


def visible_needs(user) -> Select:
    """Needs a person may see in lists: public ones for visitors, every one for approved accounts; never
    hidden ones (mirrors policy rule community.view_need)."""
    stmt = select(ClinicalNeed).where(ClinicalNeed.hidden.is_(False))
    if not approved_member(user):
        stmt = stmt.where(ClinicalNeed.visibility == NeedVisibility.PUBLIC)
    return stmt


def _see_too_count():
    return (select(func.count(NeedSeeToo.id)).where(NeedSeeToo.need_id == ClinicalNeed.id)
            .correlate(ClinicalNeed).scalar_subquery())


def need_listing(user, query: str = "", specialty: str = "", sort: str = "recent") -> Select:
    stmt = filtered(visible_needs(user), NEED_TEXT, query, ClinicalNeed.specialty, specialty)
    if sort == "demand":
        return stmt.order_by(_see_too_count().desc(), ClinicalNeed.id.desc())
    return stmt.order_by(ClinicalNeed.id.desc())


@dataclass(frozen=True)
class NeedCounts:
    see_too: int = 0
    follows: int = 0
    comments: int = 0


def _count_by_need(model, ids: list[int], *conditions) -> dict[int, int]:
    rows = db.session.execute(select(model.need_id, func.count()).where(model.need_id.in_(ids), *conditions)
                              .group_by(model.need_id))
    return dict(rows.all())


def _counted(model, *conditions):
    return (select(func.count(model.id)).where(model.need_id == ClinicalNeed.id, *conditions)
            .correlate(ClinicalNeed).scalar_subquery())


def latest_of(author_id: int, limit: int = 5) -> tuple[list[ClinicalNeed], dict[int, NeedCounts]]:
    """The author's latest needs and their counts (as need_counts gives them), in one statement."""
    rows = db.session.execute(_latest_query(limit), {"author_id": author_id}).all()
    return [row[0] for row in rows], {row[0].id: NeedCounts(*row[1:]) for row in rows}


@cache
def _latest_query(limit: int) -> Select:
    """Built once per process (the clinician's workspace runs it on every visit)."""
    counts = _counted(NeedSeeToo), _counted(NeedFollow), _counted(Comment, Comment.hidden.is_(False))
    return (select(ClinicalNeed, *counts)
            .where(ClinicalNeed.author_id == bindparam("author_id")).order_by(ClinicalNeed.id.desc()).limit(limit))


def need_counts(need_ids: Iterable[int]) -> dict[int, NeedCounts]:
    ids = list(need_ids)
    if not ids:
        return {}
    see_too, follows = _count_by_need(NeedSeeToo, ids), _count_by_need(NeedFollow, ids)
    comments = _count_by_need(Comment, ids, Comment.hidden.is_(False))
    return {i: NeedCounts(see_too.get(i, 0), follows.get(i, 0), comments.get(i, 0)) for i in ids}


def _toggle(model, need: ClinicalNeed, user) -> bool:
    """Add the user's mark (follow or see-too) or take it back; True when it is now set."""
    existing = db.session.scalar(select(model).where(model.need_id == need.id, model.user_id == user.id))
    if existing is not None:
        db.session.delete(existing)
        return False
    db.session.add(model(need_id=need.id, user_id=user.id))
    return True


def toggle_follow(need: ClinicalNeed, user) -> bool:
    return _toggle(NeedFollow, need, user)


def toggle_see_too(need: ClinicalNeed, user) -> bool:
    now_set = _toggle(NeedSeeToo, need, user)
    if now_set:
        notify(need.author, N_("Another clinician meets the problem of your need \"%(title)s\" too."),
               need_link(need), title=need.title)
    return now_set


def user_marks(need: ClinicalNeed, user) -> dict[str, bool]:
    if not approved_member(user):
        return {"follow": False, "see_too": False}

    def has(model) -> bool:
        return db.session.scalar(
            select(model.id).where(model.need_id == need.id, model.user_id == user.id)) is not None

    return {"follow": has(NeedFollow), "see_too": has(NeedSeeToo)}


def convert_need(need: ClinicalNeed, actor) -> Project:
    """Turn a need into a draft idea submission owned by its author, keeping the link both ways."""
    if not need_is_open(need):
        raise CommunityError(_("This need has already been turned into a project."))
    project = intake.create_project(need.author, {"title": need.title, "specialty": need.specialty})
    intake.save_section(project, "need", {"need_problem": need.problem, "need_population": need.population,
                                          "need_outcome": need.outcome}, project.lock_version)
    need.converted_project_id, need.converted_at = project.id, utcnow()
    need_lifecycle.apply(need, NeedEvent.CONVERTED, actor, project_id=project.id)
    for follow in need.follows:
        if follow.user_id != need.author_id:
            notify(db.session.get(User, follow.user_id),
                   N_("The clinical need \"%(title)s\" you follow has become a full project."),
                   need_link(need), title=need.title)
    return project
