"""Static files served from memory: each file is read once per worker (again when it changes on disk), so a
browser that drops a request halfway leaves no file open behind it, and no request waits on the disk."""

from __future__ import annotations

import functools
import mimetypes
import os
from stat import S_ISREG

from flask import abort, current_app, request
from werkzeug.security import safe_join


def static_from_memory(filename: str):
    path = safe_join(current_app.static_folder, filename)
    try:
        stat = os.stat(path) if path is not None else None
    except (OSError, ValueError):
        stat = None
    if stat is None or not S_ISREG(stat.st_mode):
        abort(404)
    response = current_app.response_class(_read(path, stat.st_mtime_ns, stat.st_size),
                                          mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response.set_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}")
    response.last_modified = int(stat.st_mtime)
    response.cache_control.public = True
    max_age = current_app.get_send_file_max_age(filename)
    if max_age is not None:
        response.cache_control.max_age = max_age
    return response.make_conditional(request)


@functools.lru_cache(maxsize=256)  # every file of the folder; a file changed on disk leaves its old copy to age out
def _read(path: str, _modified: int, _size: int) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def setup(app) -> None:
    app.view_functions["static"] = static_from_memory
