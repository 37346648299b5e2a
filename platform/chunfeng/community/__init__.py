"""The lead-user community: open clinical needs, company challenges, consultations and appointments."""


def setup(app) -> None:
    from ..core import hooks
    from . import access, cli, routes  # noqa: F401 - access registers the domain's rules

    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
    hooks.connect(hooks.pending_actions, routes.pending_invitations)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
