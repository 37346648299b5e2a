"""Supplementary material after submitting: the clinician gives a reason, may change free-text answers and add
files (the usual upload checks and limits), and the project gets a new version marked as supplementary, with no
status change. The panel (the experts reading the project's materials, answered by `hooks.project_experts`, and
the administrators) is told and sees what changed. Callers commit; the files written are listed in `written` so
that a caller whose transaction fails can remove them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _

from ..accounts.models import User
from ..accounts.services import active_admins
from ..core import hooks
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import utcnow
from . import changes
from . import status as machine
from .models import Project, ProjectVersion, VersionKind
from .sections import SUPPLEMENT_FIELDS
from .services import (
    SubmissionError,
    add_attachment,
    already_supplemented,
    attachment_path,
    check_lock,
    freeze,
    version_by_number,
)

REASON_MAX = 1000


@dataclass
class Supplement:
    """One supplementary version as the panel reads it."""

    version: ProjectVersion
    reason: str
    question: str
    answer: str
    sections: list[changes.SectionChange] = field(default_factory=list)
    files: list[changes.AddedFile] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.version.number


def may_supplement(project: Project) -> bool:
    return project.status in machine.SUPPLEMENTABLE


def _same(before: Any, after: Any) -> bool:
    return (before or "").replace("\r\n", "\n").strip() == (after or "").replace("\r\n", "\n").strip()


def supplement(project: Project, actor: User, reason: str, values: dict[str, Any],
               uploads: list[tuple[str, IO[bytes]]], lock_version: Any, written: list[Path],
               answered: dict | None = None, spare: User | None = None) -> tuple[ProjectVersion, bool]:
    """Make a supplementary version: the changed free-text answers of `values`, the files of `uploads`
    ((file name, stream) pairs) and the reason. `answered` ({"question", "answer"}) marks the answer to a
    clarification question, which is material enough by itself. Returns (version, created); the same form sent
    twice returns the version it made. The panel is told, except `spare` (told otherwise)."""
    if (done := already_supplemented(project, lock_version)) is not None:
        return done, False
    if not may_supplement(project):
        raise SubmissionError(_("Supplementary material can be added only after submitting and before the "
                                "decision, while the project is not open for editing."))
    check_lock(project, lock_version)
    base = project.lock_version  # before the changes below are flushed
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError(_("Please give the reason for the supplementary material."))
    if len(reason) > REASON_MAX:
        raise SubmissionError(_("Please shorten the reason to at most %(max)d characters.", max=REASON_MAX))
    changed = {name: (values[name] or "").strip() for name in SUPPLEMENT_FIELDS
               if name in values and not _same(getattr(project, name), values[name])}
    if not changed and not uploads and answered is None:
        raise SubmissionError(_("Nothing to add: change at least one answer or attach at least one file."))
    for name, value in changed.items():
        setattr(project, name, value)
    for filename, stream in uploads:
        attachment = add_attachment(project, filename, stream, actor)
        written.append(attachment_path(attachment))
    project.updated_at = utcnow()  # the project row changes, so a concurrent supplement meets its lock_version
    material = {"reason": reason, **(answered or {})}
    version = freeze(project, actor, VersionKind.SUPPLEMENT, material, base_lock_version=base)
    record("project.supplemented", project, actor=actor, version=version.number, reason=reason,
           fields=sorted(changed), files=len(uploads))
    _tell_panel(project, version, reason, spare)
    return version, True


def _tell_panel(project: Project, version: ProjectVersion, reason: str, spare: User | None) -> None:
    message = N_("Supplementary material for “%(title)s” (version %(num)d): %(reason)s")
    params = dict(title=project.title, num=version.number, reason=reason)
    spared = getattr(spare, "id", None)
    for expert, link in hooks.collect(hooks.project_experts, project=project):
        if expert.id != spared:
            notify(expert, message, link, **params)
    for admin in active_admins():
        if admin.id != spared:
            notify(admin, message, path_for("submissions.version", project_id=project.id, number=version.number),
                   **params)


def previous_of(project: Project, version: ProjectVersion) -> ProjectVersion | None:
    return version_by_number(project, version.number - 1)


def describe(project: Project, version: ProjectVersion, blind: bool = False) -> Supplement:
    previous = previous_of(project, version)
    material = version.supplement
    return Supplement(version, material.get("reason", ""), material.get("question", ""), material.get("answer", ""),
                      changes.section_changes(previous, version, blind), changes.added_files(previous, version, blind))


def supplements_of(project: Project, after: int = 0, blind: bool = False) -> list[Supplement]:
    """The supplementary versions numbered above `after`, newest first."""
    return [describe(project, version, blind) for version in reversed(project.versions)
            if version.is_supplement and version.number > after]


def added_attachment(project: Project, number: int, position: int):
    """The stored file a supplementary version added at `position`, or None (not added there, or since deleted)."""
    version = version_by_number(project, number)
    if version is None or not version.is_supplement:
        return None
    added = {item.position: item for item in changes.added_files(previous_of(project, version), version)}
    item = added.get(position)
    if item is None:
        return None
    return next((a for a in project.attachments if a.id == item.attachment_id and a.sha256 == item.sha256), None)
