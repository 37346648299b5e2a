"""Service providers (testing labs, clinical trial sites, CROs, CDMOs), their service requests, and matchmaking
days (对接会)."""


def setup(app) -> None:
    from ..core import hooks
    from . import access, routes  # noqa: F401 - access registers the rules

    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
    hooks.connect(hooks.incubation_sections, routes.incubation_section)
