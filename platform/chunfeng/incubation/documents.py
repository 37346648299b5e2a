"""Milestone documents on disk: type checked by content with the intake domain's rules (the same accepted types,
macro-enabled Office files refused), size-limited, stored outside static under random names."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import gettext as _

from ..submissions.services import detect_type, max_attachment_bytes


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


def _display_name(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip()
    return name[-200:] or "document"


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
        original_name=_display_name(upload.filename or ""), stored_name=stored_name,
        mime_type=mime_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
    )


def remove(stored_name: str) -> None:
    path_for(stored_name).unlink(missing_ok=True)
