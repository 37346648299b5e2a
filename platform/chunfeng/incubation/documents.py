"""Milestone documents: type checked by content with the intake domain's rules (the same accepted types,
macro-enabled Office files refused), size-limited, stored outside static under random names, and given the same
display name as project attachments (no path, no control or bidirectional marks, the detected type's extension).
Downloads rebuild that name from what is stored, so an odd name kept from before never breaks the header."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import gettext as _

from ..core.services import record
from ..db import db
from ..submissions.services import detect_type, display_name, max_attachment_bytes
from . import status
from .errors import IncubationError
from .models import Milestone, MilestoneDocument


class UploadError(ValueError):
    """A refused upload, already translated for the user."""


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    mime_type: str
    size: int
    sha256: str


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "incubation"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_for(stored_name: str) -> Path:
    return folder() / PurePath(stored_name).name


def store(upload) -> StoredFile:
    """Check and keep an uploaded file (a werkzeug FileStorage); raise UploadError if it is refused."""
    data = upload.read()
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > max_attachment_bytes():
        raise UploadError(_("The file is larger than %(mb)d MB.", mb=max_attachment_bytes() // (1024 * 1024)))
    detected = detect_type(data)
    if detected is None:
        raise UploadError(_("This file type is not accepted. Please upload PDF, Word, Excel, PNG or JPEG files."))
    extension, mime_type = detected
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path_for(stored_name).write_bytes(data)
    return StoredFile(
        original_name=display_name(upload.filename or "", extension), stored_name=stored_name,
        mime_type=mime_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
    )


def remove(stored_name: str) -> None:
    path_for(stored_name).unlink(missing_ok=True)


def download_name(document: MilestoneDocument) -> str:
    """The name offered on download: the stored display name cleaned again, with the extension of the type
    detected at upload (kept in the stored name)."""
    extension = PurePath(document.stored_name).suffix.lstrip(".") or "bin"
    return display_name(document.original_name, extension)


def add_document(milestone: Milestone, upload, actor) -> MilestoneDocument:
    status.ensure_active(milestone.incubation)
    try:
        stored = store(upload)
    except UploadError as error:
        raise IncubationError(str(error), "file") from error
    document = MilestoneDocument(milestone=milestone, uploaded_by_id=getattr(actor, "id", None),
                                 original_name=stored.original_name, stored_name=stored.stored_name,
                                 mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256)
    db.session.add(document)
    db.session.flush()
    record("incubation.document_added", document, actor=actor, milestone_id=milestone.id, sha256=stored.sha256)
    return document


def record_download(document: MilestoneDocument, actor) -> None:
    record("incubation.document_viewed", document, actor=actor, milestone_id=document.milestone_id)
