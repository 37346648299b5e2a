"""The shell: home page, the workspace built from the domains' panels, notifications."""


def setup(app) -> None:
    from ..core import hooks
    from . import routes, static

    app.register_blueprint(routes.bp)
    static.setup(app)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
