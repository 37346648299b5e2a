"""The application factory: configuration, extensions, and every domain's blueprint, models, CLI and demo."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask

from .config import INSTANCE_PATH, REPO_ROOT, load_config

# Each domain is a sub-package with a `routes.bp` blueprint (optional) and its models module.
DOMAINS = ("accounts", "core", "main", "submissions", "reviews", "matching", "admin", "incubation", "community")


def _domain_module(domain: str, name: str):
    try:
        return importlib.import_module(f"{__package__}.{domain}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.{domain}.{name}" and exc.name != f"{__package__}.{domain}":
            raise
        return None


def import_models() -> None:
    """Import every domain's models so SQLAlchemy's metadata knows all tables (migrations, create_all)."""
    for domain in DOMAINS:
        _domain_module(domain, "models")


def translation_directories() -> str:
    package = Path(__file__).parent
    dirs = [package / "translations"] + [package / d / "translations" for d in DOMAINS]
    return ";".join(str(d) for d in dirs if d.is_dir())


def create_app(overrides: dict | None = None) -> Flask:
    overrides = overrides or {}
    instance = Path(overrides.get("INSTANCE_PATH", INSTANCE_PATH))
    app = Flask(
        __package__,
        instance_path=str(instance),
        template_folder=str(REPO_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(load_config(instance, overrides))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)

    from . import errors, i18n, security
    from .extensions import csrf, db, login_manager, migrate

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    login_manager.init_app(app)

    for domain in DOMAINS:
        routes = _domain_module(domain, "routes")
        if routes is not None and hasattr(routes, "bp"):
            app.register_blueprint(routes.bp)

    from .cli import register_cli

    register_cli(app)
    _check_every_route_has_a_rule(app)
    return app


def _check_every_route_has_a_rule(app: Flask) -> None:
    """Every view must declare who may use it (policy.guard or policy.public): fail at start-up otherwise."""
    missing = [
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "policy_action")
    ]
    if missing:
        raise RuntimeError(f"routes without a policy rule: {', '.join(sorted(missing))}")
