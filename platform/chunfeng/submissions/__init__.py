"""Idea intake: a clinician's project in sections, drafts, submission with a digest, versions, attachments,
withdrawal and the project's state machine."""


def setup(app) -> None:
    from ..core import hooks
    from . import access, routes, services  # noqa: F401 - access registers the domain's rules

    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
    hooks.connect(hooks.personal_data_erase, services.erase_submitter)
