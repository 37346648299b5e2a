"""Operator commands of the review domain: `flask --app chunfeng seed-rubric | send-review-reminders |
refresh-review-figures`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from .errors import ReviewError


@click.command("seed-rubric")
@with_appcontext
def seed_rubric() -> None:
    """Create the reference rubric v1 (docs/rubric.md) unless an active rubric exists."""
    from .rubrics import ensure_default_rubric

    try:
        rubric = ensure_default_rubric()
    except ReviewError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Active rubric: {rubric.name_zh} v{rubric.version} ({len(rubric.criteria)} criteria).")


@click.command("send-review-reminders")
@click.option("--days-before", default=3, show_default=True, help="Remind about reviews due within this many days.")
@with_appcontext
def send_review_reminders(days_before: int) -> None:
    """Remind experts of reviews due soon or overdue: in the app, and by e-mail when MAIL_SERVER is set.
    Safe to schedule daily (or more often): each expert is reminded at most once a day."""
    from ..core.clock import local_today
    from .reminders import send_reminders

    run = send_reminders(local_today(), days_before)
    db.session.commit()
    click.echo(f"Reminded {run.experts} experts about {run.assignments} reviews; {run.emails} e-mails sent.")


@click.command("refresh-review-figures")
@with_appcontext
def refresh_review_figures() -> None:
    """Store the panel figures of every round and the totals of reviews submitted before they were stored (once,
    after upgrading; the pages compute what is missing meanwhile)."""
    from sqlalchemy import select

    from . import figures
    from .models import ReviewRound

    rounds = list(db.session.scalars(select(ReviewRound)))
    totals = sum(figures.store_missing_totals(round_) for round_ in rounds)
    stored = sum(figures.refresh_round(round_) for round_ in rounds)
    db.session.commit()
    click.echo(f"Stored the figures of {stored} project versions in {len(rounds)} rounds; {totals} review totals.")


COMMANDS = [seed_rubric, send_review_reminders, refresh_review_figures]
