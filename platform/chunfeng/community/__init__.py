"""The lead-user community: open clinical needs, company challenges, consultations and appointments."""


def setup(app) -> None:
    from ..core import hooks
    from . import access, cli, routes, shell  # noqa: F401 - access registers the domain's rules

    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, shell.NAV)
    hooks.connect(hooks.dashboard_panels, shell.PANELS)
    hooks.connect(hooks.pending_actions, shell.pending_invitations)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
