"""`flask refresh-matches`: recompute every stored match (the way to go for large volumes)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("refresh-matches")
@with_appcontext
def refresh_matches() -> None:
    """Recompute the top-k matches of every matchable project and approved organisation profile."""
    from .refresh import refresh_matches as refresh

    started = time.perf_counter()
    counts = refresh()
    db.session.commit()
    click.echo(f"{counts.rows} matches stored for {counts.projects} projects and {counts.profiles} profiles "
               f"({counts.explained} explained) in {time.perf_counter() - started:.2f} s.")


COMMANDS = [refresh_matches]
