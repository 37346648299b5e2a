"""Near duplicates for intake, from the stored index's projects side (answers intake's "similar-projects" signal)."""

from __future__ import annotations

from sqlalchemy import select

from ..db import db
from ..submissions.models import Project
from . import store
from .documents import NOT_INDEXED, PROJECTS, project_text
from .refresh import refresh_matches


def similar_projects(_sender, project: Project, limit: int, threshold: float) -> list[tuple[int, float, tuple]]:
    """Other submitted projects with a section of cosine >= threshold to one of this project's sections, with the
    terms they share. The project's sections are stored and taken into the index first (transformed with its
    vocabulary; refitted only outside a request, when due)."""
    refresh_matches(project_ids=[project.id])
    index = store.current()
    if index is None:
        return []
    found = index.near_duplicates(PROJECTS, project.id, threshold=threshold, k=2 * limit)
    alive = set(db.session.scalars(select(Project.id).where(
        Project.id.in_([other for other, _score, _field in found]), Project.status.not_in(NOT_INDEXED))))
    text = project_text(project)
    return [(other, score, tuple(r.term for r in index.reasons(text, PROJECTS, other, 3)))
            for other, score, _field in found if other in alive][:limit]
