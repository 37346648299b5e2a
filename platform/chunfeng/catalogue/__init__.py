"""After approval (新优药械目录): the innovative-product catalogue, hospitals' admission assessment (入院评估) and
first purchase and use (首购首用), the regulator's view and the open data API."""


def setup(app) -> None:
    from ..core import hooks
    from . import access, cli, routes  # noqa: F401 - access registers the domain's rules

    app.config.setdefault("CATALOGUE_ADMISSION_DAYS", 30)
    app.config.setdefault("CATALOGUE_ADMISSION_DAY_KIND", "calendar")  # or "working"
    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
    hooks.connect(hooks.project_links, routes.project_link)
    hooks.connect(hooks.result_offers, routes.result_offer)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
