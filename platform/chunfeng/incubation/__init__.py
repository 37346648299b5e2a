"""Incubation tracking (培育跟踪): one service officer per selected project, the pathway plan, service record,
timers and success stories."""


def setup(app) -> None:
    from ..core import hooks
    from . import access, cli, routes

    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
    hooks.connect(hooks.project_links, routes.incubation_link)
    hooks.connect(hooks.confidential_access, access.confidential_access)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
