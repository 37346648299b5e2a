"""Idea intake: a clinician's project in sections, drafts, submission with a digest, versions, attachments,
withdrawal and the project's state machine."""


def setup(app) -> None:
    from ..core import hooks

    # access registers the domain's rules; the views modules add their routes to the blueprint before it is registered
    from . import access, routes, services, views_clarifications, views_supplements  # noqa: F401

    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
    hooks.connect(hooks.pending_actions, services.pending_actions)
    hooks.connect(hooks.personal_data_erase, services.erase_submitter)
