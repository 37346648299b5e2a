"""Backup and restore round trip on a seeded database with an uploaded file (SQLite, and PostgreSQL when
TEST_DATABASE_URL points at it)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chunfeng.accounts.models import Role, User
from chunfeng.accounts.services import create_user
from chunfeng.admin.backup import BackupError, read_manifest, restore_backup
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.submissions.models import Attachment, Project
from tests.conftest import PASSWORD


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


@pytest.fixture
def content(app, make_user, make_project):
    """A clinician, a submitted project with its history and an uploaded file in a sub-folder."""
    doctor = make_user(Role.CLINICIAN, name="备份测试医生")
    project_id = make_project(doctor, "submitted", title="备份测试项目")
    with app.app_context():
        db.session.add(Attachment(project_id=project_id, original_name="说明书.pdf", stored_name="ab/cd-file.pdf",
                                  mime_type="application/pdf", size=11, sha256="0" * 64))
        db.session.commit()
    stored = Path(app.config["UPLOAD_FOLDER"]) / "ab" / "cd-file.pdf"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"%PDF-1.4 ok")
    return {"doctor": doctor.id, "project": project_id, "file": stored}


def _backup(runner) -> Path:
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    return Path(result.output.split("Backup written: ")[1].split()[0])


@pytest.fixture
def seeded(runner, content):
    """The whole demo (every domain's demo data) on top of `content`."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return content


def test_round_trip_restores_rows_values_and_files(app, runner, seeded):
    before = _row_counts(app)
    archive = _backup(runner)
    manifest = read_manifest(archive)
    assert manifest["tables"]["users"] == before["users"] and "uploads/ab/cd-file.pdf" in manifest["files"]

    with app.app_context():  # damage: rename, delete, add, lose the file
        db.session.get(User, seeded["doctor"]).name = "改过的名字"
        db.session.delete(db.session.get(Project, seeded["project"]))
        create_user(email="later@example.cn", name="后来的人", password=PASSWORD, role=Role.INVESTOR)
        db.session.commit()
    seeded["file"].unlink()
    (seeded["file"].parent / "stray.txt").write_text("not in the backup")

    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert "pre-restore" in result.output  # the state before the restore was saved first

    assert _row_counts(app) == before
    with app.app_context():
        assert db.session.get(User, seeded["doctor"]).name == "备份测试医生"
        project = db.session.get(Project, seeded["project"])
        assert project.title == "备份测试项目" and project.submitted_at is not None
        assert [e.to_status for e in project.events] == ["submitted"]
        assert db.session.scalar(select(User.id).where(User.email == "later@example.cn")) is None
        assert db.session.scalar(select(User).where(User.email == "admin@demo.chunfeng.cn")).role == Role.ADMIN
        # new rows get fresh ids after a restore (PostgreSQL sequences are reset)
        newcomer = create_user(email="after@example.cn", name="恢复后", password=PASSWORD, role=Role.CLINICIAN)
        db.session.commit()
        assert newcomer.id > max(db.session.scalars(select(User.id).where(User.id != newcomer.id)))
    assert seeded["file"].read_bytes() == b"%PDF-1.4 ok"
    assert not (seeded["file"].parent / "stray.txt").exists()


def _rewrite(archive: Path, target: Path, change: dict[str, bytes]) -> Path:
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            data = change.get(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return target


def test_a_tampered_archive_is_refused_and_nothing_changes(app, runner, content, tmp_path):
    archive = _backup(runner)
    with tarfile.open(archive) as tar:
        dump = tar.extractfile("database.jsonl").read().replace("备份测试医生".encode(), "篡改".encode())
    forged = _rewrite(archive, tmp_path / "forged.tar.gz", {"database.jsonl": dump})
    with app.app_context():
        db.session.get(User, content["doctor"]).name = "现在的名字"
        db.session.commit()

    result = runner.invoke(args=["restore", str(forged), "--yes", "--no-safety-backup"])
    assert result.exit_code != 0 and "checksum mismatch" in result.output
    with app.app_context():
        assert db.session.get(User, content["doctor"]).name == "现在的名字"


def test_a_different_schema_revision_needs_force(app, runner, content, tmp_path):
    archive = _backup(runner)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    manifest["schema_revision"] = "9999_future"
    other = _rewrite(archive, tmp_path / "other.tar.gz",
                     {"manifest.json": json.dumps(manifest).encode()})
    with app.app_context(), pytest.raises(BackupError, match="schema revision"):
        restore_backup(other)
    with app.app_context():
        counts = restore_backup(other, force=True)
    assert counts["users"] == manifest["tables"]["users"]


def test_an_archive_with_unknown_columns_is_refused(app, runner, content, tmp_path):
    archive = _backup(runner)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    manifest["columns"]["users"].append("shoe_size")
    other = _rewrite(archive, tmp_path / "other.tar.gz", {"manifest.json": json.dumps(manifest).encode()})
    with app.app_context(), pytest.raises(BackupError, match="shoe_size"):
        restore_backup(other, force=True)


def test_restore_asks_for_confirmation(app, runner, content):
    archive = _backup(runner)
    result = runner.invoke(args=["restore", str(archive)], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output


def test_backups_are_readable_by_the_owner_only(runner, content):
    assert _backup(runner).stat().st_mode & 0o077 == 0


def test_restore_leaves_the_audit_log_as_it_was_in_the_backup(app, runner, content):
    archive = _backup(runner)
    before = _row_counts(app)["audit_log"]
    with app.app_context():
        db.session.add(AuditEntry(action="test.after_backup"))
        db.session.commit()
    runner.invoke(args=["restore", str(archive), "--yes", "--no-safety-backup"])
    assert _row_counts(app)["audit_log"] == before
