"""The application factory: configuration, extensions, then each domain's `setup(app)`, which registers its
blueprint, access rules, hooks, session listeners and commands."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from flask import Flask

from .config import INSTANCE_PATH, REPO_ROOT, load_config

# In the order they build on each other: a domain imports only domains before it (docs/architecture.md).
DOMAINS = ("core", "accounts", "main", "submissions", "reviews", "matching", "incubation", "providers", "catalogue",
           "community", "admin")


def _domain(name: str):
    return importlib.import_module(f"{__package__}.{name}")


def import_models() -> None:
    """Import every domain's models so SQLAlchemy's metadata knows all tables (migrations, create_all)."""
    for name in DOMAINS:
        if importlib.util.find_spec(f"{__package__}.{name}.models") is not None:
            importlib.import_module(f"{__package__}.{name}.models")


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

    from . import cli, edge, errors, i18n, policy, security
    from .extensions import csrf, db, login_manager, migrate

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    edge.init_app(app)
    login_manager.init_app(app)

    for name in DOMAINS:
        _domain(name).setup(app)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
    policy.check_routes(app)
    if app.config.get("PROXY_HOPS"):
        _trust_proxies(app, app.config["PROXY_HOPS"])
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` load balancers or reverse proxies, the client's address and scheme are read from the headers
    they add (X-Forwarded-For, X-Forwarded-Proto), so throttling and limits count per client, not per balancer."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
