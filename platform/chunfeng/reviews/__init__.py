"""Expert review: rubrics, review rounds, formal check, expert profiles and conflicts, assignment, blind reviews,
aggregation for the panel, decisions, published results, reminders and exports."""


def setup(app) -> None:
    from ..core import hooks
    from . import access, clarify_hooks, cli, routes  # noqa: F401 - access registers the domain's rules

    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
    hooks.connect(hooks.project_links, routes.outcome_link)
    hooks.connect(hooks.project_experts, clarify_hooks.project_experts)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
