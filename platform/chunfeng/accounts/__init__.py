"""Accounts: users, organisations, roles, registration, log-in, sessions and profiles."""


def setup(app) -> None:
    from . import access, routes  # noqa: F401 - access registers the domain's rules

    app.register_blueprint(routes.bp)
