"""Keeping stored matches fresh: session listeners that notice changes to projects and organisation profiles at
flush and refresh their matches before the commit completes, so that a project's publication and its matches are
committed together. The changed texts are transformed with the stored index's vocabulary: no request fits (see
refresh.py and store.py). Registered explicitly by the domain's setup (`register()`), never on import.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ..submissions.models import Project
from . import store
from .common import matchable_clause
from .models import MatchResult, OrgProfile
from .profiles import ENTERPRISE_FIELDS, INVESTOR_FIELDS
from .refresh import DIRTY_ORGS, DIRTY_PROJECTS, REFRESHING, refresh_matches

# Changes that make stored matches stale, collected at flush and refreshed before the commit completes,
# so that a project's publication and its matches are committed together.
_WATCHED_PROJECT_FIELDS = (
    "status",
    "published_at",
    "title",
    "public_summary",
    "specialty",
    "need_problem",
    "need_population",
    "device_type",
    "device_class",
    "stage",
    "cooperation",
)


def _changed(obj, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _collect_changes(session, flush_context) -> None:  # noqa: ARG001
    if session.info.get(REFRESHING):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Project) and (
            obj in session.new or obj in session.deleted or _changed(obj, _WATCHED_PROJECT_FIELDS)
        ):
            session.info.setdefault(DIRTY_PROJECTS, set()).add(obj.id)
        elif isinstance(obj, OrgProfile) and (
            obj in session.new
            or obj in session.deleted
            or _changed(obj, ("status", "kind", "region", *ENTERPRISE_FIELDS, *INVESTOR_FIELDS))
        ):
            session.info.setdefault(DIRTY_ORGS, set()).add(obj.organization_id)


def _refresh_before_commit(session) -> None:
    if (
        session.info.get(REFRESHING)
        or not current_app
        or not current_app.config.get("MATCH_AUTO_REFRESH", True)
    ):
        return
    session.flush()
    project_ids, org_ids = session.info.pop(DIRTY_PROJECTS, set()), session.info.pop(DIRTY_ORGS, set())
    if project_ids and not org_ids:
        project_ids = _concerning_matches(session, project_ids)
    if not (project_ids or org_ids):
        return
    session.info[REFRESHING] = True
    try:
        refresh_matches(project_ids=project_ids, org_ids=org_ids)
        session.flush()
    finally:
        session.info.pop(REFRESHING, None)


def _forget_changes(session, previous_transaction) -> None:  # noqa: ARG001
    session.info.pop(DIRTY_PROJECTS, None)
    session.info.pop(DIRTY_ORGS, None)
    if session.info.pop(store.APPLIED, False):  # this process's index took in changes that were rolled back
        store.forget()


def _keep_changes(session) -> None:
    session.info.pop(store.APPLIED, None)


def _concerning_matches(session, project_ids: set[int]) -> set[int]:
    """The changed projects that are matchable now or were matched before (drafts and reviews are skipped)."""
    ids = tuple(project_ids)
    now = set(session.scalars(select(Project.id).where(Project.id.in_(ids), matchable_clause())))
    before = set(session.scalars(select(MatchResult.project_id).where(MatchResult.project_id.in_(ids))))
    return now | before


_LISTENERS = (("after_flush", _collect_changes), ("before_commit", _refresh_before_commit),
              ("after_commit", _keep_changes), ("after_soft_rollback", _forget_changes))


def register() -> None:
    """Listen on every SQLAlchemy session (idempotent: the app factory may run more than once in a process)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
