"""What an expert may read of a project: the version under review, without anything that identifies the
applicant. The one place blinding is decided: expert pages render only what `blind_view` returns.

Left out: the submitter block of the version (name, institution), the team section (it names people), the
attestation, and attachment file names (they often carry a name); attachments are offered as "Attachment 1".
In place of the team section, a blind summary derived from it (team.py: kinds of institution, disciplines,
titles and roles; no names, no institutions), so that experts can score the team criterion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..submissions.models import Attachment, Project, ProjectVersion
from ..submissions.sections import DisplaySection, display_sections
from ..submissions.services import project_fields
from .models import Assignment
from .team import TeamSummary, team_summary

OMITTED_SECTIONS = frozenset({"team", "declaration", "attachments"})


@dataclass(frozen=True)
class BlindAttachment:
    number: int  # 1-based position in the version's list: the only name an expert sees
    extension: str
    size: int
    available: bool  # the stored file still exists (a later revision may have removed it)


@dataclass
class BlindView:
    title: str
    summary: str
    version_number: int | None
    sections: list[DisplaySection] = field(default_factory=list)
    attachments: list[BlindAttachment] = field(default_factory=list)
    team: TeamSummary | None = None


def _version_fields(assignment: Assignment) -> tuple[dict, list[dict]]:
    if assignment.version is not None:
        content = assignment.version.content
        return content.get("fields", {}), content.get("attachments", [])
    project = assignment.project
    listed = [{"id": a.id, "sha256": a.sha256, "size": a.size, "name": a.original_name} for a in project.attachments]
    return project_fields(project), listed


def blind_view(assignment: Assignment) -> BlindView:
    fields, listed = _version_fields(assignment)
    sections = [s for s in display_sections(fields, confidential=True) if s.key not in OMITTED_SECTIONS]
    stored = _stored_attachments(assignment.project, listed)
    attachments = [
        BlindAttachment(number=i, extension=_extension(item), size=item.get("size", 0), available=i in stored)
        for i, item in enumerate(listed, start=1)
    ]
    return BlindView(
        title=fields.get("title", ""), summary=fields.get("public_summary", ""),
        version_number=assignment.version.number if assignment.version else None,
        sections=sections, attachments=attachments,
        team=blind_team(fields.get("team", ""), assignment.project, assignment.version),
    )


def blind_team(text: str, project: Project, version: ProjectVersion | None = None) -> TeamSummary:
    """The team section as experts may read it; the applicant's name and organisation (as the version recorded
    them, else the project owner's) are withheld from it as well."""
    submitter = version.content.get("submitter", {}) if version is not None else {}
    return team_summary(text, submitter.get("name") or project.owner.name,
                        submitter.get("organization") or project.owner.org_name)


def _stored_attachments(project: Project, listed: list[dict]) -> dict[int, Attachment]:
    """Position in the version's list -> the stored file with the same id and SHA-256."""
    by_id = {a.id: a for a in project.attachments}
    found = {}
    for i, item in enumerate(listed, start=1):
        attachment = by_id.get(item.get("id"))
        if attachment is not None and attachment.sha256 == item.get("sha256"):
            found[i] = attachment
    return found


def attachment_for(assignment: Assignment, number: int) -> Attachment | None:
    _fields, listed = _version_fields(assignment)
    return _stored_attachments(assignment.project, listed).get(number)


def _extension(item: dict) -> str:
    name = item.get("name", "")
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""
