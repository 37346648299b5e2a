"""Shared fixtures: an app on a fresh schema per test, a client, a CLI runner and people to log in as.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://...) to run the suite against PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine

from chunfeng import create_app, import_models
from chunfeng.accounts.models import AccountStatus, Role, User
from chunfeng.db import db

PASSWORD = "correct horse battery staple"
pytest_plugins = ["tests.smtp_server"]  # the `smtp` fixture: a real SMTP server on loopback


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:
            url = _worker_database(url, worker)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _worker_database(url: str, worker: str) -> str:
    """Under xdist each PostgreSQL worker gets its own database, created on demand."""
    base, _, name = url.rpartition("/")
    worker_name = f"{name}_{worker}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (worker_name,)).scalar()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{worker_name}"')
    admin.dispose()
    return f"{base}/{worker_name}"


@contextmanager
def seeded_demo(tmp_path_factory, name: str, **config) -> Iterator:
    """`flask seed-demo` in a database of its own (a SQLite file, or a PostgreSQL database per worker that no other
    test empties), every demo password set to the test password (cheaply hashed); yields the app."""
    from werkzeug.security import generate_password_hash

    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = (_worker_database(url, f"{worker}_{name}") if url
           else f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.db'}")
    import_models()
    engine = create_engine(url)
    db.metadata.drop_all(engine)
    db.metadata.create_all(engine)
    engine.dispose()
    folder = tmp_path_factory.mktemp(f"{name}-instance")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(folder / "instance"), "UPLOAD_FOLDER": str(folder / "uploads"),
        "BACKUP_FOLDER": str(folder / "backups"), "WTF_CSRF_ENABLED": False,
        "MATCH_SEMANTIC": False,  # ranking is not what these tests look at
        **config,
    })
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        db.session.execute(db.update(User).values(password_hash=fast))
        db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url):
    """Create the schema once per session; each test then starts from empty tables."""
    import_models()
    engine = create_engine(database_url)
    db.metadata.drop_all(engine)
    db.metadata.create_all(engine)
    engine.dispose()
    return database_url


@pytest.fixture
def app(_schema, tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _schema,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "BACKUP_FOLDER": str(tmp_path / "backups"),
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_MIN_LENGTH": 10,
        "SESSION_IDLE_MINUTES": 0,  # tests travel in time while signed in; tests/accounts set their own limits
        "SESSION_MAX_HOURS": 0,
    })
    yield app
    with app.app_context():
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


def _empty_all_tables() -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def fast_password_hashes(monkeypatch):
    """scrypt costs about 0.2 s per account and log-in. Domains whose tests make many accounts and test no
    password rule request this from an autouse fixture in their own conftest."""
    from werkzeug.security import generate_password_hash

    from chunfeng.accounts import services as account_services

    monkeypatch.setattr(account_services, "hash_password",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Create a user (approved unless told otherwise) and return it, detached with its id and e-mail loaded."""
    from chunfeng.accounts.services import create_user

    counter = iter(range(1, 10_000))

    def make(role: Role | str = Role.CLINICIAN, *, email: str | None = None, organization: str = "",
             status: AccountStatus = AccountStatus.ACTIVE, **fields) -> User:
        role = Role(role)
        n = next(counter)
        accepted = {k: fields.pop(k) for k in ("phone", "department", "title", "province") if k in fields}
        with app.app_context():
            user = create_user(
                email=email or f"{role.value}{n}@example.cn", name=fields.pop("name", f"{role.value} {n}"),
                password=PASSWORD, role=role, organization=organization or f"{role.value} org {n}",
                status=status, **accepted,
            )
            for key, value in fields.items():
                setattr(user, key, value)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


def login(client, email: str, password: str = PASSWORD):
    return client.post("/account/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client, make_user):
    """Create a user of the role and log the test client in as them."""
    def do(role: Role | str = Role.CLINICIAN, **kw) -> User:
        user = make_user(role, **kw)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user
    return do


def pytest_sessionstart(session):
    """Compile the translation catalogues so tests see the Chinese UI without a prior build step."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "i18n.py"
    spec = importlib.util.spec_from_file_location("chunfeng_i18n_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.compile_all()
