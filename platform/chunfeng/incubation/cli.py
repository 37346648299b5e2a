"""Operator commands: `flask create-officer` (service officers are platform staff, created like administrators)
and `flask incubation-remind` (daily reminders of overdue steps)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("create-officer")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organization", default="平台运营中心", show_default=True, help="The service station he works for.")
@click.option("--phone", default="", help="Shown to the clinicians and companies he accompanies.")
@click.password_option(confirmation_prompt=True)
@with_appcontext
def create_officer(email: str, name: str, organization: str, phone: str, password: str) -> None:
    """Create a service officer account (一项目一专员)."""
    from ..accounts.models import AccountStatus, Role
    from ..accounts.services import AccountError, create_user
    from ..core.services import record

    try:
        user = create_user(email=email, name=name, password=password, role=Role.OFFICER, organization=organization,
                           phone=phone, status=AccountStatus.ACTIVE)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    record("account.officer_created", user)
    db.session.commit()
    click.echo(f"Service officer {user.email} created.")


@click.command("incubation-remind")
@with_appcontext
def incubation_remind() -> None:
    """Notify officers of overdue incubation steps (run daily, e.g. from cron)."""
    from .tracking import remind_overdue

    sent = remind_overdue()
    db.session.commit()
    click.echo(f"{sent} reminder(s) sent.")


COMMANDS = [create_officer, incubation_remind]
