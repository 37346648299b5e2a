"""Conflicts of interest, decided in one function used by assignment (automatic and manual) and by the policy."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..core.services import record
from ..db import db
from ..submissions.models import Project
from .errors import ReviewError
from .models import DeclaredConflict

_TITLES = re.compile(r"(教授|副教授|主任医师|副主任医师|主任|医生|医师|研究员|博士|老师)$")
MIN_NAME_MATCH = 4  # characters: shorter organisation names would match unrelated institutions


def conflict_reason(expert: User, project: Project,
                    declared: Sequence[DeclaredConflict] | None = None) -> str | None:
    """Why `expert` may not review `project`, in the user's language, or None when there is no conflict.

    Own project, same institution as the applicant, a conflict the expert declared (with the project, the
    applicant's organisation or an organisation name), or the expert named in the project's team.
    `declared` may be passed pre-loaded when checking many pairs.
    """
    owner = project.owner
    if project.owner_id == expert.id:
        return _("This is the expert's own project.")
    if expert.organization_id and expert.organization_id == owner.organization_id:
        return _("The expert works at the applicant's institution.")
    for conflict in declared_conflicts(expert) if declared is None else declared:
        if _matches(conflict, project):
            return _("The expert declared a conflict: %(reason)s", reason=conflict.reason or "—")
    if _named_in_team(expert, project):
        return _("The expert is named in the project team.")
    return None


def _matches(conflict: DeclaredConflict, project: Project) -> bool:
    if conflict.project_id is not None:
        return conflict.project_id == project.id
    org = project.owner.organization
    if org is None:
        return False
    if conflict.organization_id is not None:
        return conflict.organization_id == org.id
    return same_organisation_name(conflict.organization_name, org.name)


def same_organisation_name(declared: str, actual: str) -> bool:
    declared, actual = _squash(declared), _squash(actual)
    if not declared or not actual:
        return False
    if declared == actual:
        return True
    shorter = min(declared, actual, key=len)
    return len(shorter) >= MIN_NAME_MATCH and (declared in actual or actual in declared)


def _squash(name: str) -> str:
    return re.sub(r"\s+", "", name or "").lower()


def _named_in_team(expert: User, project: Project) -> bool:
    name = _TITLES.sub("", (expert.name or "").strip())
    return len(name) >= 2 and name in (project.team or "")


def declared_conflicts(expert: User) -> list[DeclaredConflict]:
    return list(db.session.scalars(
        select(DeclaredConflict).where(DeclaredConflict.expert_id == expert.id).order_by(DeclaredConflict.id)))


def declared_by_expert(expert_ids: Sequence[int]) -> dict[int, list[DeclaredConflict]]:
    found: dict[int, list[DeclaredConflict]] = {i: [] for i in expert_ids}
    for conflict in db.session.scalars(select(DeclaredConflict).where(DeclaredConflict.expert_id.in_(expert_ids))):
        found[conflict.expert_id].append(conflict)
    return found


def declare_organisation(expert: User, organisation_name: str, reason: str) -> DeclaredConflict:
    """An expert's standing conflict with an organisation (e.g. a hospital where they hold a post)."""
    name = organisation_name.strip()
    if not name:
        raise ReviewError(_("Please name the organisation."), "organization_name")
    conflict = DeclaredConflict(expert_id=expert.id, organization_name=name, reason=reason.strip())
    db.session.add(conflict)
    db.session.flush()
    record("conflict.declared", conflict, actor=expert, organization=name)
    return conflict


def declare_project(expert: User, project: Project, reason: str) -> DeclaredConflict:
    conflict = DeclaredConflict(expert_id=expert.id, project_id=project.id, reason=reason.strip())
    db.session.add(conflict)
    db.session.flush()
    record("conflict.declared", conflict, actor=expert, project_id=project.id)
    return conflict


def withdraw_declaration(conflict: DeclaredConflict, expert: User) -> None:
    if conflict.expert_id != expert.id or conflict.project_id is not None:
        raise ReviewError(_("Only your own organisation declarations can be removed."))
    record("conflict.withdrawn", conflict, actor=expert, organization=conflict.organization_name)
    db.session.delete(conflict)
