"""Milestone documents on disk: type checked by content, stored outside static under random names.

Kept small and self-contained so it can be swapped for the intake domain's upload helper once that exists.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from flask import current_app
from flask_babel import gettext as _

# Extension (as detected from the content) -> MIME type served back.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
}


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
    kind = filetype.guess(data)
    if kind is None or kind.extension not in ALLOWED_TYPES:
        raise UploadError(_("This file type is not accepted. Please upload PDF, Word, Excel, PNG or JPEG files."))
    stored_name = f"{secrets.token_hex(16)}.{kind.extension}"
    path_for(stored_name).write_bytes(data)
    return StoredFile(
        original_name=_display_name(upload.filename or ""), stored_name=stored_name,
        mime_type=ALLOWED_TYPES[kind.extension], size=len(data), sha256=hashlib.sha256(data).hexdigest(),
    )


def remove(stored_name: str) -> None:
    path_for(stored_name).unlink(missing_ok=True)
