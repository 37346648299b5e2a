"""`flask catalogue-reminders`: daily reminders of overdue admission assessments."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("catalogue-reminders")
@with_appcontext
def catalogue_reminders() -> None:
    """Remind hospitals' equipment offices of overdue admission assessments (run daily, e.g. from cron)."""
    from .admission import remind_overdue

    sent = remind_overdue()
    db.session.commit()
    click.echo(f"{sent} reminder(s) sent.")


COMMANDS = [catalogue_reminders]
