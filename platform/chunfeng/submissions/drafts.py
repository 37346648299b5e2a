"""Drafts never sent to the platform: deleting one, and keeping withdrawn ones out of the way in "My projects".

A project is "sent" once it has been submitted (access.sent_to_platform). Until then nobody but its owner has seen
it, so the owner may delete it outright instead of withdrawing it; the withdrawal (which stops a formal check or a
review and tells the administrators) is for sent projects only. Callers commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask_babel import gettext as _

from ..accounts.models import User
from ..core.services import record
from ..db import db
from .access import sent_to_platform, withdrawn_unsent
from .models import Project
from .services import SubmissionError, attachment_path


def delete_draft(project: Project, actor: User) -> list[Path]:
    """Delete a project never sent, with its attachments and history. Returns the stored files' paths, to unlink
    once the transaction is committed. The audit entry names the project's number and how many files went, not its
    text: nothing of a draft is shown to anyone else."""
    if sent_to_platform(project):
        raise SubmissionError(_("A submitted project cannot be deleted; you may withdraw it instead."))
    paths = [attachment_path(attachment) for attachment in project.attachments]
    record("project.deleted", project, actor=actor, status=str(project.status), attachments=len(paths))
    db.session.delete(project)
    db.session.flush()
    return paths


def set_aside(projects: Iterable[Project]) -> tuple[list[Project], list[Project]]:
    """(the projects to list, the withdrawn drafts never sent), each in the given order."""
    listed, aside = [], []
    for project in projects:
        (aside if withdrawn_unsent(project) else listed).append(project)
    return listed, aside
