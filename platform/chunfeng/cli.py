"""Operator commands of the platform itself: `flask --app chunfeng create-admin | seed-demo`. Each domain adds
its own in its setup."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .extensions import db


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(confirmation_prompt=True)
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator account (there is no default one)."""
    from .accounts.models import AccountStatus, Role
    from .accounts.services import AccountError, create_user
    from .core.services import record

    try:
        user = create_user(email=email, name=name, password=password, role=Role.ADMIN,
                           organization="平台运营中心", status=AccountStatus.ACTIVE)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    record("account.admin_created", user)
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


@click.command("seed-demo")
@click.option("--projects", default=0, help="Extra synthetic projects for load tests.")
@click.option("--companies", default=0, help="Extra synthetic companies for load tests.")
@with_appcontext
def seed_demo(projects: int, companies: int) -> None:
    """Fill an empty database with a realistic demo (idempotent: does nothing to an already seeded one)."""
    from . import demo

    created = demo.run(extra_projects=projects, extra_companies=companies)
    click.echo("Demo data created." if created else "Demo data already present; nothing changed.")


COMMANDS = (create_admin, seed_demo)
