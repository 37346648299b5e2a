"""Backups of the database and uploaded files in one archive, and their restore.

The archive (tar.gz) holds:
  manifest.json    format, time, dialect, schema revision, row counts, columns, SHA-256 of every other member
  database.jsonl   every table in dependency order, one JSON object per row (portable: SQLite and PostgreSQL)
  database.sqlite  (SQLite only) the file itself, taken with SQLite's online backup API, for manual recovery
  uploads/...      the attachment files

Consistency: on SQLite the dump is read from the online-backup copy, a snapshot by construction; on
PostgreSQL every table is read in one REPEATABLE READ, read-only transaction. Files are copied after the
database, so every file a dumped row names is in the archive unless it was deleted in between.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from flask import current_app
from sqlalchemy import Connection, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from ..db import db, utcnow
from .rows import from_json, row_to_dict, to_json

FORMAT = "chunfeng-backup/1"
MANIFEST = "manifest.json"
DUMP = "database.jsonl"
SQLITE_COPY = "database.sqlite"
UPLOADS = "uploads"
BATCH = 1000


class BackupError(Exception):
    """The archive cannot be made or restored; the message says why."""


# --- writing ---------------------------------------------------------------------------------------------

def create_backup(out_dir: str | Path | None = None, label: str = "backup") -> Path:
    """Write one timestamped archive and return its path."""
    folder = Path(out_dir or current_app.config["BACKUP_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chunfeng-backup-") as tmp:
        staging = Path(tmp)
        manifest = _dump_database(staging)
        _copy_tree(Path(current_app.config["UPLOAD_FOLDER"]), staging / UPLOADS)
        members = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        manifest["files"] = {name: _sha256(staging / name) for name in members}
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        target = _unused_name(folder, f"chunfeng-{label}-{utcnow():%Y%m%dT%H%M%SZ}")
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for name in [MANIFEST, *members]:
                tar.add(staging / name, arcname=name, recursive=False)
        partial.rename(target)  # a half-written archive never carries the final name
    target.chmod(0o600)
    return target


def _unused_name(folder: Path, stem: str) -> Path:
    candidate, n = folder / f"{stem}.tar.gz", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}.tar.gz"
    return candidate


def _dump_database(staging: Path) -> dict[str, Any]:
    engine = db.engine
    manifest = {"format": FORMAT, "created_at": to_json(utcnow()), "dialect": engine.dialect.name}
    if engine.dialect.name == "sqlite":
        copy = staging / SQLITE_COPY
        _sqlite_online_backup(copy)
        snapshot = create_engine(make_url(f"sqlite:///{copy}"))
        try:
            with snapshot.connect() as conn:
                manifest.update(_write_rows(conn, staging / DUMP))
        finally:
            snapshot.dispose()
    else:
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**options) as conn, conn.begin():
            manifest.update(_write_rows(conn, staging / DUMP))
    return manifest


def _sqlite_online_backup(target: Path) -> None:
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(target) as copy:
            raw.driver_connection.backup(copy)
        copy.close()
    finally:
        raw.close()


def _write_rows(conn: Connection, path: Path) -> dict[str, Any]:
    present = set(inspect(conn).get_table_names())
    counts: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    with path.open("w", encoding="utf-8") as out:
        for table in db.metadata.sorted_tables:
            if table.name not in present:
                continue
            counts[table.name] = 0
            columns[table.name] = [c.name for c in table.columns]
            query = select(table).order_by(*table.primary_key.columns)
            for row in conn.execution_options(stream_results=True, max_row_buffer=BATCH).execute(query):
                line = {"t": table.name, "r": row_to_dict(table, row)}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                counts[table.name] += 1
    return {"schema_revision": schema_revision(conn), "tables": counts, "columns": columns}


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at, or None for a schema made without migrations."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    versions = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return ",".join(versions) or None


def _copy_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True, symlinks=False)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- restoring -------------------------------------------------------------------------------------------

def read_manifest(archive: str | Path) -> dict[str, Any]:
    with _open(archive) as tar:
        return _manifest(tar)


def restore_backup(archive: str | Path, force: bool = False) -> dict[str, int]:
    """Replace every table and the uploads folder with the archive's content; returns rows per table.

    Refuses an archive whose checksums do not match, whose schema revision differs from the database's
    (unless `force`), or whose tables or columns the code does not know."""
    with _open(archive) as tar:
        manifest = _manifest(tar)
        _verify_checksums(tar, manifest)
        db.session.remove()  # release the request's connection before the tables are emptied
        with db.engine.begin() as conn:  # one transaction: a failed restore leaves the database as it was
            _check_schema(conn, manifest, force)
            counts = _load_rows(conn, tar)
            if counts != {name: n for name, n in manifest["tables"].items() if n}:
                raise BackupError(f"row counts differ from the manifest: {counts} != {manifest['tables']}")
            _reset_sequences(conn)
        _restore_uploads(tar, manifest)
    return counts


@contextmanager
def _open(archive: str | Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed below; opening errors get a clear message
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read {archive}: {error}") from error
    with tar:
        yield tar


def _member(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    try:
        info = tar.getmember(name)
    except KeyError:
        raise BackupError(f"the archive has no {name}") from None
    handle = tar.extractfile(info) if info.isfile() else None
    if handle is None:
        raise BackupError(f"{name} in the archive is not a regular file")
    return handle


def _manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        manifest = json.load(_member(tar, MANIFEST))
    except ValueError as error:
        raise BackupError(f"the manifest is not valid JSON: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    for name in manifest["files"]:
        _safe_member_name(name)
    return manifest


def _safe_member_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"unsafe path in the archive: {name!r}")
    return path


def _verify_checksums(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    for name, expected in manifest["files"].items():
        digest = hashlib.sha256()
        handle = _member(tar, name)
        for block in iter(lambda h=handle: h.read(1 << 20), b""):
            digest.update(block)
        if digest.hexdigest() != expected:
            raise BackupError(f"checksum mismatch for {name}: the archive is damaged or was altered")
    if DUMP not in manifest["files"]:
        raise BackupError(f"the archive has no {DUMP}")


def _check_schema(conn: Connection, manifest: dict[str, Any], force: bool) -> None:
    ours = schema_revision(conn)
    if manifest["schema_revision"] != ours and not force:
        raise BackupError(f"the archive's schema revision {manifest['schema_revision']} differs from the "
                          f"database's {ours}: upgrade to the same revision first, or use --force")
    known = db.metadata.tables
    for name, columns in manifest["columns"].items():
        if name not in known:
            raise BackupError(f"the archive has a table the code does not know: {name}")
        unknown = set(columns) - {c.name for c in known[name].columns}
        if unknown:
            raise BackupError(f"the archive has columns {sorted(unknown)} that {name} does not have")


def _load_rows(conn: Connection, tar: tarfile.TarFile) -> dict[str, int]:
    _empty_tables(conn)
    counts: dict[str, int] = {}
    for table, rows in _batches(io.TextIOWrapper(_member(tar, DUMP), encoding="utf-8")):
        conn.execute(table.insert(), [{k: from_json(table.c[k], v) for k, v in row.items()} for row in rows])
        counts[table.name] = counts.get(table.name, 0) + len(rows)
    return counts


def _batches(lines: IO[str]) -> Iterator[tuple[Any, list[dict]]]:
    """(table, rows) groups of at most BATCH rows, in the dump's order (which is dependency order)."""
    table, rows = None, []
    for line in lines:
        item = json.loads(line)
        if table is not None and (item["t"] != table.name or len(rows) >= BATCH):
            yield table, rows
            rows = []
        table = db.metadata.tables[item["t"]]
        rows.append(item["r"])
    if rows:
        yield table, rows


def _empty_tables(conn: Connection) -> None:
    tables = db.metadata.sorted_tables
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for table in reversed(tables):
            conn.execute(table.delete())


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences, which inserted rows with explicit ids do not advance."""
    if conn.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not keys[0].autoincrement or keys[0].type.python_type is not int:
            continue
        sequence = conn.scalar(select(func.pg_get_serial_sequence(table.name, keys[0].name)))
        if sequence:
            highest = conn.scalar(select(func.max(keys[0])))
            conn.execute(select(func.setval(sequence, highest or 1, highest is not None)))


def _restore_uploads(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    folder = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    for name in manifest["files"]:
        path = _safe_member_name(name)
        if path.parts[0] != UPLOADS:
            continue
        target = folder.joinpath(*path.parts[1:]).resolve()
        if not target.is_relative_to(folder):
            raise BackupError(f"unsafe path in the archive: {name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            shutil.copyfileobj(_member(tar, name), out)
