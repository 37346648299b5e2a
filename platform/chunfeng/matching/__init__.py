"""Matching: organisation profiles, stored matches kept fresh, browsing, connections with the clinician's consent
and share grants."""


def setup(app) -> None:
    from ..core import hooks
    from . import access, cli, connections, freshness, grants, routes, similar, store

    app.register_blueprint(routes.bp)
    hooks.connect(hooks.nav_items, routes.NAV)
    hooks.connect(hooks.dashboard_panels, routes.PANELS)
    hooks.connect(hooks.pending_actions, routes.pending_requests)
    hooks.connect(hooks.project_links, routes.suggestion_link)
    hooks.connect(hooks.result_offers, routes.interest_offer)
    hooks.connect(hooks.confidential_access, access.confidential_access)
    hooks.connect(hooks.personal_data_erase, grants.withdraw_grants_of_closed_account)
    hooks.connect(hooks.personal_data_erase, store.forget_expert_documents)
    hooks.connect(hooks.similar_projects, similar.similar_projects)
    hooks.connect(hooks.stages_under_way, connections.stages_under_way)
    hooks.connect(hooks.expertise_embeddings, store.expertise_embeddings)
    freshness.register()
    for command in cli.COMMANDS:
        app.cli.add_command(command)
