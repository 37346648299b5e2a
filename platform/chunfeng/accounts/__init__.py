"""Accounts: users, organisations, roles, registration, log-in, sessions and profiles, links sent by e-mail,
joining an organisation."""


def setup(app) -> None:
    from ..core import hooks, mail
    from . import access, privacy, routes, views_join, views_links  # noqa: F401 - access registers the domain's rules

    mail.init_app(app)
    mail.configure_preferences("accounts/mail/preferences_footer.html", "accounts.profile")
    hooks.connect(hooks.pending_actions, views_join.pending_for)
    hooks.connect(hooks.personal_data_export, privacy.export)
    hooks.connect(hooks.personal_data_erase, privacy.erase)
    app.register_blueprint(routes.bp)
