"""Operator commands: `flask backup`, `flask restore ARCHIVE`, `flask purge-expired`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..db import db
from .backup import BackupError, create_backup, read_manifest, restore_backup
from .privacy import purge_expired


@click.command("backup")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder for the archive "
              "(default: BACKUP_FOLDER).")
@with_appcontext
def backup_command(out_dir: str | None) -> None:
    """Write one archive with a consistent database dump and the uploaded files."""
    path = create_backup(out_dir)
    manifest = read_manifest(path)
    click.echo(f"Backup written: {path}")
    click.echo(f"  {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
               f"{sum(1 for name in manifest['files'] if name.startswith('uploads/'))} uploaded files, "
               f"schema revision {manifest['schema_revision'] or 'none'}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Restore even if the schema revision differs.")
@click.option("--no-safety-backup", is_flag=True, help="Do not back up the current data first.")
@with_appcontext
def restore_command(archive: str, yes: bool, force: bool, no_safety_backup: bool) -> None:
    """Replace ALL data and uploaded files with the archive's content."""
    try:
        manifest = read_manifest(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Archive of {manifest['created_at']} (UTC), {manifest['dialect']}, "
               f"schema revision {manifest['schema_revision'] or 'none'}, {sum(manifest['tables'].values())} rows.")
    if not yes:
        click.confirm("This replaces every table and uploaded file of this instance. Continue?", abort=True)
    if not no_safety_backup:
        click.echo(f"Current data saved first to {create_backup(label='pre-restore')}")
    try:
        counts = restore_backup(archive, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables and the uploaded files.")


@click.command("purge-expired")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Erase personal data past the retention period (see the administrators' retention settings)."""
    counts = purge_expired(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo("Would erase:" if dry_run else "Erased:")
    for kind, count in counts.items():
        click.echo(f"  {kind.replace('_', ' ')}: {count}")


COMMANDS = [backup_command, restore_command, purge_command]
