"""Answers intake's `hooks.project_experts`: the experts who read a project's review materials now (an accepted or
submitted assignment without a declared conflict: the rule `review.materials`), each with their review page."""

from __future__ import annotations

from sqlalchemy import select

from .. import policy
from ..core.web import path_for
from ..db import db
from .models import Assignment


def project_experts(_sender, project) -> list[tuple]:
    found: dict[int, tuple] = {}
    for assignment in db.session.scalars(
            select(Assignment).where(Assignment.project_id == project.id).order_by(Assignment.id.desc())):
        if assignment.expert_id not in found and policy.can(assignment.expert, "review.materials", assignment):
            found[assignment.expert_id] = (
                assignment.expert, path_for("reviews.assignment_page", assignment_id=assignment.id))
    return list(found.values())
