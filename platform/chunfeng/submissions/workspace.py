"""What the clinician's workspace reads of their projects: each project, latest first, with how many versions it
has and the note that sent it back, and the clarification questions still unanswered, in one statement read once
per page as plain values. The intake's panel and to-do list show them (services.panel_context); another panel of
the same page may list the same projects (`project_lines`: id, title, status, published_at) without a read of its
own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, case, func, select

from ..accounts.models import User
from ..core.web import once_per_page
from ..db import db
from .models import Clarification, Project, ProjectVersion, StatusEvent
from .status import Status

# A project in one of these was sent back to its clinician: the last status event's note says what to do.
SENT_BACK = (Status.REVISION_REQUESTED, Status.RETURNED)


@dataclass(frozen=True, slots=True)
class ProjectLine:
    id: int
    title: str
    status: Status
    published_at: datetime | None
    versions: int  # how many versions it has (access.sent_to_platform asks whether it has any)
    note: str  # the last status event's note for a project sent back (SENT_BACK), else ""


@dataclass(frozen=True, slots=True)
class QuestionLine:
    """A clarification question not answered yet (open until the end of its due day: clarifications.awaits_answer)."""

    id: int
    project: ProjectLine
    due_on: date


@dataclass(frozen=True, slots=True)
class Workspace:
    projects: list[ProjectLine]
    questions: list[QuestionLine]  # by due date


def project_lines(user: User) -> list[ProjectLine]:
    """The user's projects, latest first (withdrawn drafts never sent included: access.withdrawn_unsent)."""
    return workspace_of(user).projects


@once_per_page
def workspace_of(user: User) -> Workspace:
    projects: dict[int, ProjectLine] = {}
    questions = []
    for row in db.session.execute(_workspace_query(), {"owner_id": user.id}):
        line = projects.get(row.id)
        if line is None:
            line = projects[row.id] = ProjectLine(row.id, row.title, row.status, row.published_at, row.versions,
                                                  row.note or "")
        if row.question_id is not None:
            questions.append(QuestionLine(row.question_id, line, row.due_on))
    questions.sort(key=lambda q: (q.due_on, q.id))
    return Workspace(list(projects.values()), questions)


@cache
def _workspace_query() -> Select:
    """Built once per process (every clinician's workspace runs it): one row per project, or one per unanswered
    question of a project that has some."""
    versions = (select(func.count()).where(ProjectVersion.project_id == Project.id)
                .correlate(Project).scalar_subquery())
    last_note = (select(StatusEvent.note).where(StatusEvent.project_id == Project.id)
                 .order_by(StatusEvent.id.desc()).limit(1).correlate(Project).scalar_subquery())
    unanswered = and_(Clarification.project_id == Project.id, Clarification.answered_at.is_(None))
    return (select(Project.id, Project.title, Project.status, Project.published_at, versions.label("versions"),
                   case((Project.status.in_(SENT_BACK), last_note), else_="").label("note"),
                   Clarification.id.label("question_id"), Clarification.due_on)
            .outerjoin(Clarification, unanswered)
            .where(Project.owner_id == bindparam("owner_id"))
            .order_by(Project.updated_at.desc(), Project.id.desc()))
