"""`flask refresh-challenge-suggestions`: recompute the clinicians suggested for every open company challenge
(new clinicians and new community posts change them; pages read the stored suggestions)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("refresh-challenge-suggestions")
@with_appcontext
def refresh_challenge_suggestions() -> None:
    """Recompute the suggested clinicians of every open, visible challenge."""
    from .suggestions import refresh_open_challenges

    started = time.perf_counter()
    count = refresh_open_challenges()
    db.session.commit()
    click.echo(f"Suggestions recomputed for {count} open challenges in {time.perf_counter() - started:.2f} s.")


COMMANDS = [refresh_challenge_suggestions]
