"""Idea intake: drafts saved section by section, submission into immutable versions, attachments, withdrawal,
the clinician's timeline and to-do list, and near-duplicate detection. Testable without HTTP; callers commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

import filetype
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import selectinload

from .. import policy
from ..accounts.models import User
from ..accounts.services import active_admins
from ..core import hooks
from ..core.services import N_, notify, record
from ..core.web import once_per_page
from ..db import db, utcnow
from . import status as machine
from .access import withdrawn_unsent
from .models import (
    COOPERATION_MODES,
    PATHWAY_HOPES,
    Attachment,
    DeviceClass,
    IPStatus,
    Project,
    ProjectSimilarity,
    ProjectVersion,
    Stage,
    VersionKind,
)
from .sections import FIELD_LABELS, FIELD_SECTION, SECTION_BY_KEY, SECTIONS, VERSION_FIELDS, Missing
from .status import Event, Status
from .workspace import workspace_of

VERSION_SCHEMA = "chunfeng.project-version/2"
PERSONAL = "personal"  # the submitter's name and organisation, outside the hashed content (see canonical_json)
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Best cosine between a section of the project (public summary, clinical need) and a section of another, in the
# stored match index. A copy with light edits scores about 0.99. "Very similar" starts at 0.55; 0.4 and up is
# kept so that the formal check may ask with a lower threshold.
SIMILAR_THRESHOLD = 0.55
_STORE_FLOOR, _STORE_LIMIT = 0.4, 10


class SubmissionError(ValueError):
    """A refusal the clinician can act on; the message is already in the request's language."""


class StaleProject(SubmissionError):
    def __init__(self):
        super().__init__(_("This project was changed in another window or session after you opened this page. "
                           "Nothing was saved from this form; your text is kept below: copy it, then reload the "
                           "page to see the current version."))


class Incomplete(SubmissionError):
    def __init__(self, missing: list[Missing]):
        super().__init__(_("The project cannot be submitted yet: some required answers are missing."))
        self.missing = missing


class AttachmentRefused(SubmissionError):
    pass


# --- drafts ------------------------------------------------------------------------------------------------

@once_per_page
def projects_of(user: User) -> list[Project]:
    """The user's projects, latest first, with their versions' numbers (whether a project was ever sent; the
    versions' content is read only where it is shown)."""
    return list(db.session.scalars(_projects_query(), {"owner_id": user.id}))


@cache
def _projects_query() -> Select:
    """Built once per process (every clinician's workspace runs it)."""
    versions = selectinload(Project.versions).load_only(ProjectVersion.number, ProjectVersion.kind)
    return (select(Project).options(versions).where(Project.owner_id == bindparam("owner_id"))
            .order_by(Project.updated_at.desc(), Project.id.desc()))


def project_fields(project: Project) -> dict[str, Any]:
    """The clinician's answers as plain JSON values (enumerations as their string values), in section order."""
    values = {}
    for name in VERSION_FIELDS:
        value = getattr(project, name)
        values[name] = list(value or []) if isinstance(value, list) else (
            str(value) if hasattr(value, "value") else value)
    return values


def _clean(name: str, value: Any) -> Any:
    """A form value as the column stores it; unknown choices are dropped rather than stored."""
    if name == "device_class":
        return DeviceClass(value) if value in {c.value for c in DeviceClass} else DeviceClass.UNKNOWN
    if name == "stage":
        return Stage(value) if value in {s.value for s in Stage} else Stage.IDEA
    if name == "ip_status":
        return IPStatus(value) if value in {s.value for s in IPStatus} else IPStatus.NONE
    if name == "cooperation":
        return [mode for mode in COOPERATION_MODES if mode in (value or ())]
    if name == "pathway_hopes":
        return [hope for hope in PATHWAY_HOPES if hope in (value or ())]
    if name == "attests_no_patient_data":
        return bool(value)
    return (value or "").strip()


def check_lock(project: Project, lock_version: Any) -> None:
    if str(lock_version) != str(project.lock_version):
        raise StaleProject()


def create_project(owner: User, values: dict[str, Any]) -> Project:
    project = Project(owner=owner, status=Status.DRAFT, specialty=owner.department or "")
    db.session.add(project)
    _assign(project, "summary", values)
    db.session.flush()
    record("project.created", project, actor=owner)
    return project


def save_section(project: Project, key: str, values: dict[str, Any], lock_version: Any) -> None:
    """Save one section as a draft (no required answers here). A stale lock_version raises StaleProject."""
    if project.status not in machine.EDITABLE:
        raise SubmissionError(_("This project cannot be edited in its current status."))
    check_lock(project, lock_version)
    _assign(project, key, values)
    db.session.flush()  # the UPDATE checks lock_version again (StaleDataError if another request won)


def _assign(project: Project, key: str, values: dict[str, Any]) -> None:
    for name in SECTION_BY_KEY[key].fields:
        if name in values:
            setattr(project, name, _clean(name, values[name]))
    if key not in (project.saved_sections or []):
        project.saved_sections = [*(project.saved_sections or []), key]


def _answered(project: Project, name: str) -> bool:
    value = getattr(project, name)
    if name == "device_class":
        return value != DeviceClass.UNKNOWN
    if name == "stage":  # has a default: counts once the clinician has saved its section
        return "progress" in (project.saved_sections or [])
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def missing_items(project: Project) -> list[Missing]:
    """Required answers not given yet, in section order (empty: the project may be submitted)."""
    missing = [Missing(section.key, name, FIELD_LABELS[name])
               for section in SECTIONS for name in section.required if not _answered(project, name)]
    if project.ip_status != IPStatus.NONE and not project.ip_numbers.strip():
        missing.append(Missing("ip", "ip_numbers", FIELD_LABELS["ip_numbers"]))
    return missing


def section_states(project: Project) -> dict[str, str]:
    """For the section navigation: 'missing' (a required answer is absent), 'done' (saved) or 'todo'."""
    missing_sections = {item.section for item in missing_items(project)}
    saved = set(project.saved_sections or [])
    if project.attachments:
        saved.add("attachments")
    return {
        section.key: "missing" if section.key in missing_sections else "done" if section.key in saved else "todo"
        for section in SECTIONS
    }


# --- submission and versions ---------------------------------------------------------------------------------

def _json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def canonical_json(content: dict) -> bytes:
    """The exact bytes whose SHA-256 is a version's digest: sorted keys, no spaces, UTF-8. The submitter's personal
    details are kept beside them (PERSONAL) and committed inside them by their own digest, so closing an account
    can erase the name while the version's digest stays verifiable."""
    return _json_bytes({key: value for key, value in content.items() if key != PERSONAL})


def digest(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def _version_content(project: Project, number: int, at: datetime, submitter: User) -> dict:
    personal = {"name": submitter.name, "organization": submitter.org_name, "salt": secrets.token_hex(16)}
    return {
        "schema": VERSION_SCHEMA,
        "project_id": project.id,
        "version": number,
        "submitted_at": at.isoformat() + "Z",
        "submitter": {"id": submitter.id, "personal_sha256": hashlib.sha256(_json_bytes(personal)).hexdigest()},
        PERSONAL: personal,
        "fields": project_fields(project),
        "attachments": [
            {"id": a.id, "name": a.original_name, "mime_type": a.mime_type, "size": a.size, "sha256": a.sha256}
            for a in project.attachments
        ],
    }


def erase_submitter(_sender, user: User) -> None:
    """Answers `hooks.personal_data_erase`: the closed account's name leaves every version it submitted. From
    schema 2 on the name sits outside the hashed content, so the digest still verifies; a version of schema 1 held
    it inside, so its redaction is recorded with the digest it had."""
    versions = db.session.scalars(select(ProjectVersion).where(ProjectVersion.created_by_id == user.id))
    for version in versions:
        content = dict(version.content)
        if PERSONAL in content:
            content[PERSONAL] = {"erased_at": utcnow().isoformat() + "Z"}
        else:
            content["submitter"] = {"id": user.id}
            content["redaction"] = {"erased_at": utcnow().isoformat() + "Z", "fields": ["submitter.name",
                                    "submitter.organization"], "sha256_before": version.sha256}
        version.content = content


def _made_with(version: ProjectVersion | None, lock_version: Any) -> ProjectVersion | None:
    if version is not None and version.base_lock_version is not None and str(version.base_lock_version) == str(
            lock_version):
        return version
    return None


def already_submitted(project: Project, lock_version: Any) -> ProjectVersion | None:
    """The version a submit form with this lock_version already made (a double click, a resent form)."""
    return _made_with(project.latest_submission, lock_version)


def already_supplemented(project: Project, lock_version: Any) -> ProjectVersion | None:
    """The supplementary version a supplement form with this lock_version already made."""
    latest = project.latest_version
    return _made_with(latest, lock_version) if latest is not None and latest.is_supplement else None


def freeze(project: Project, actor: User, kind: VersionKind = VersionKind.SUBMISSION,
           supplement: dict | None = None, base_lock_version: int | None = None) -> ProjectVersion:
    """A new immutable version of the project as it is now (SHA-256 over its canonical JSON, server time); a
    supplementary one carries `supplement` (its reason, a question answered) inside the hashed content.
    `base_lock_version`: the lock_version of the form that made it (by default the project's now)."""
    base = project.lock_version if base_lock_version is None else base_lock_version
    at = utcnow().replace(microsecond=0)
    number = project.latest_version.number + 1 if project.versions else 1
    content = _version_content(project, number, at, actor)
    if supplement is not None:
        content["supplement"] = supplement
    version = ProjectVersion(number=number, content=content, sha256=digest(content), created_at=at,
                             created_by_id=actor.id, base_lock_version=base, kind=kind.value)
    project.versions.append(version)
    return version


def submit(project: Project, actor: User, lock_version: Any) -> tuple[ProjectVersion, bool]:
    """Freeze the project into a new version (SHA-256 over its canonical JSON, server time) and move it on:
    draft/returned -> submitted, revision requested -> under review. Returns (version, created); a repeated
    submit of the same form returns the version it made with created=False."""
    if (done := already_submitted(project, lock_version)) is not None:
        return done, False
    check_lock(project, lock_version)
    if missing := missing_items(project):
        raise Incomplete(missing)
    version = freeze(project, actor)
    project.submitted_at = version.created_at
    machine.apply(project, Event.SUBMIT, actor)
    db.session.flush()
    refresh_similar(project)
    return version, True


def version_by_number(project: Project, number: int) -> ProjectVersion | None:
    return next((v for v in project.versions if v.number == number), None)


def changed_sections(previous: ProjectVersion | None, version: ProjectVersion) -> list[str]:
    """Keys of the sections whose answers (or attachments) differ from the previous version."""
    if previous is None:
        return []
    before, after = previous.content.get("fields", {}), version.content.get("fields", {})
    keys = {FIELD_SECTION[name] for name in after if name in FIELD_SECTION and before.get(name) != after.get(name)}
    if [a["sha256"] for a in previous.content.get("attachments", [])] != [
            a["sha256"] for a in version.content.get("attachments", [])]:
        keys.add("attachments")
    return [section.key for section in SECTIONS if section.key in keys]


def withdraw(project: Project, actor: User, reason: str) -> None:
    was = project.status
    machine.apply(project, Event.WITHDRAW, actor, note=reason.strip())
    if was != Status.DRAFT:
        for admin in active_admins():
            notify(admin, N_("The clinician withdrew project “%(title)s”."),
                   url_for("submissions.project", project_id=project.id), title=project.title)


# --- attachments -----------------------------------------------------------------------------------------------

SIMPLE_TYPES = {"pdf", "png", "jpg", "doc", "xls"}  # recognised by filetype from their magic bytes
OOXML_TYPES = {  # an Office Open XML file is a ZIP whose [Content_Types].xml names its main part
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":
        ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


def detect_type(data: bytes) -> tuple[str, str] | None:
    """(extension, mime type) judged from the content, or None for anything not accepted (whatever its name).
    Macro-enabled Office files (docm, xlsm, pptm) and other ZIPs are refused."""
    if data[:4] == b"PK\x03\x04":
        return _ooxml_type(data)
    kind = filetype.guess(data[:8192])
    if kind is not None and kind.extension in SIMPLE_TYPES:
        return kind.extension, kind.mime
    return None


def _ooxml_type(data: bytes) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1_000_000:  # a real one is a few kB; refuse rather than inflate a bomb
                return None
            types = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    for main_part, kind in OOXML_TYPES.items():
        if f'ContentType="{main_part}"' in types:
            return kind
    return None


# Control characters (C0, DEL, C1) and path or shell-special characters become "_"; the invisible bidirectional and
# format marks (U+061C, U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF), which make "fdp.exe" read as
# "exe.pdf", are dropped.
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|]+")
_INVISIBLE_MARKS = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def display_name(filename: str, extension: str) -> str:
    """The name shown and offered on download: the user's name without any path, ending in the detected type.
    Used for project attachments and incubation documents alike."""
    name = _INVISIBLE_MARKS.sub("", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", name).strip(" ._")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:150] or 'attachment'}.{extension}"


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def attachment_path(attachment: Attachment) -> Path:
    return upload_folder() / attachment.stored_name


def size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.3g} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def max_attachment_bytes() -> int:
    return int(current_app.config.get("MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))


def add_attachment(project: Project, filename: str, stream: IO[bytes], actor: User) -> Attachment:
    """Check and store one uploaded file under a random name outside static/. Raises AttachmentRefused."""
    limit = current_app.config["MAX_ATTACHMENTS_PER_PROJECT"]
    if len(project.attachments) >= limit:
        raise AttachmentRefused(_("A project can have at most %(num)d attachments. Delete one before adding "
                                  "another.", num=limit))
    size_limit = max_attachment_bytes()
    data = stream.read(size_limit + 1)
    if len(data) > size_limit:
        raise AttachmentRefused(_("This file is larger than %(size)s. Please compress it or split it into "
                                  "several files.", size=size_label(size_limit)))
    if not data:
        raise AttachmentRefused(_("The file is empty."))
    kind = detect_type(data)
    if kind is None:
        raise AttachmentRefused(_("Only PDF, PNG or JPEG images and Word, Excel or PowerPoint documents can be "
                                  "attached. The content of this file is not one of these, whatever its name."))
    extension, mime = kind
    stored_name = secrets.token_hex(20)
    path = upload_folder() / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:
        handle.write(data)
    attachment = Attachment(
        original_name=display_name(filename, extension), stored_name=stored_name, mime_type=mime,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=actor.id)
    project.attachments.append(attachment)
    db.session.flush()
    record("attachment.uploaded", project, actor=actor, attachment_id=attachment.id, name=attachment.original_name,
           sha256=attachment.sha256)
    return attachment


def remove_attachment(attachment: Attachment, actor: User) -> Path:
    """Delete the record; returns the stored file's path, to unlink once the transaction is committed.
    Versions that listed the file keep its name and SHA-256."""
    path = attachment_path(attachment)
    record("attachment.deleted", attachment.project, actor=actor, attachment_id=attachment.id,
           name=attachment.original_name, sha256=attachment.sha256)
    attachment.project.attachments.remove(attachment)
    db.session.delete(attachment)
    return path


def find_attachment(project: Project, attachment_id: int) -> Attachment | None:
    return next((a for a in project.attachments if a.id == attachment_id), None)


# --- near duplicates -----------------------------------------------------------------------------------------

# Near duplicates come from the stored match index (its projects side: every submitted project's public summary and
# clinical need, never the confidential solution), which the matching domain keeps and answers
# `hooks.similar_projects` with. No index is fitted here.


def find_similar(project: Project, limit: int = 5, threshold: float = SIMILAR_THRESHOLD,
                 ) -> list[tuple[Project, float, tuple[str, ...]]]:
    """Submitted projects (any owner, not withdrawn) with a section whose text is close to one of this one's,
    best first."""
    found = hooks.collect(hooks.similar_projects, project=project, limit=limit, threshold=threshold)
    others = {p.id: p for p in db.session.scalars(select(Project).where(Project.id.in_([f[0] for f in found])))}
    return [(others[other], score, tuple(reasons)) for other, score, reasons in found if other in others][:limit]


def refresh_similar(project: Project) -> None:
    """Recompute and store the near duplicates of `project` (done at each submission)."""
    found = find_similar(project, _STORE_LIMIT, _STORE_FLOOR)
    db.session.execute(delete(ProjectSimilarity).where(ProjectSimilarity.project_id == project.id))
    db.session.expire(project, ["similarities"])
    now = utcnow()
    for other, score, reasons in found:
        db.session.add(ProjectSimilarity(project_id=project.id, similar_id=other.id, score=score,
                                         reasons=list(reasons), computed_at=now))
    db.session.flush()


def similar_projects(project: Project, limit: int = 5, threshold: float = SIMILAR_THRESHOLD,
                     refresh: bool = False) -> list[tuple[Project, float, tuple[str, ...]]]:
    """The near duplicates stored at the project's last submission, best first (for the clinician's project page
    and the administrators' formal check). refresh=True recomputes them now (from the stored index)."""
    if refresh:
        refresh_similar(project)
    rows = [row for row in project.similarities
            if row.score >= threshold and row.similar.status != Status.WITHDRAWN]
    return [(row.similar, row.score, tuple(row.reasons)) for row in rows[:limit]]


@dataclass(frozen=True)
class SimilarEntry:
    """What one viewer may learn about a similar project: others' unpublished ideas stay undisclosed."""

    project: Project
    score: float
    disclosed: bool  # title and summary may be shown
    linked: bool  # the viewer may open it
    reasons: tuple[str, ...]


def similar_for(viewer: User, project: Project, limit: int = 5) -> list[SimilarEntry]:
    entries = []
    for other, score, reasons in similar_projects(project, limit):
        linked = policy.can(viewer, "submission.view", other)
        disclosed = linked or other.status in machine.VISIBLE_TO_COMPANIES
        entries.append(SimilarEntry(other, score, disclosed, linked, reasons if linked else ()))
    return entries


# --- timeline and the clinician's to-do list --------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineStep:
    key: str
    label: Any
    state: str  # 'done' | 'current' | 'todo'
    note: Any = ""


def timeline(project: Project) -> list[TimelineStep]:
    """The TIMELINE stages with done/current marks; a withdrawn project shows where it stopped. A stage that other
    domains say is under way beside the status (matching while a connection is open) is current, with their note."""
    current = Status(project.status)
    if current == Status.WITHDRAWN:
        last = project.events[-1] if project.events else None
        current = Status(last.from_status) if last is not None else Status.DRAFT
    position = machine.timeline_position(current)
    under_way = dict(hooks.collect(hooks.stages_under_way, project=project)) if position >= 0 else {}
    steps = []
    for i, (key, label, _states) in enumerate(machine.TIMELINE):
        state = "done" if i < position else "current" if i == position else "todo"
        if key in under_way and state != "todo":
            state = "current"
        steps.append(TimelineStep(key, label, state, under_way.get(key, "")))
    return steps


def history(project: Project) -> list[tuple[Any, ProjectVersion | None]]:
    """Status events, oldest first, each submit event paired with the version it made (supplements make no
    status event)."""
    versions = iter([version for version in project.versions if not version.is_supplement])
    return [(event, next(versions, None) if event.event == Event.SUBMIT else None) for event in project.events]


def project_links(user: User, project: Project) -> list[tuple[str, str]]:
    """Links other domains add to the project page (review outcome, suggested companies, incubation plan), already
    filtered by what the user may see."""
    return hooks.collect(hooks.project_links, user=user, project=project)


def pending_actions(_sender, user: User) -> list[tuple[str, str]]:
    """Answers `hooks.pending_actions`: what the clinician is asked to do about their projects, as (text, link):
    questions to answer, revisions, returned projects, unsent drafts (from the read the panel of projects
    shares)."""
    if not policy.can(user, "submission.mine"):
        return []
    asks = {
        Status.REVISION_REQUESTED: N_("The panel asks for a revision of “%(title)s”. Revise it and submit again."),
        Status.RETURNED: N_("“%(title)s” was returned at the formal check. Complete it and submit again."),
        Status.DRAFT: N_("“%(title)s” is still a draft. Submit it when it is complete."),
    }
    from .clarifications import awaits_answer

    read = workspace_of(user)
    items = [(_("The reviewing experts asked a question about “%(title)s”. Please answer by %(date)s.",
                title=item.project.title, date=item.due_on.isoformat()),
              url_for("submissions.project", project_id=item.project.id, _anchor=f"clarification-{item.id}"))
             for item in read.questions if awaits_answer(item)]
    for project in read.projects:
        if project.status in asks:
            text = _(asks[project.status], title=project.title or _("Untitled project"))
            if project.note:  # what a project sent back is asked to change
                text = f"{text} {project.note}"
            items.append((text, url_for("submissions.project", project_id=project.id)))
    return items


def panel_context(user: User) -> dict:
    """The dashboard panel: the latest projects (withdrawn drafts never sent left out), read in one statement
    (workspace.py) that the to-do list shares."""
    listed = [project for project in workspace_of(user).projects if not withdrawn_unsent(project)]
    return {"projects": listed[:8]}
