"""Log-in that tells nothing and locks no owner out, and sessions that end on the server."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from chunfeng.accounts import services, throttle
from chunfeng.accounts.models import LoginAttempt, LoginSession
from chunfeng.db import db, utcnow
from tests.conftest import PASSWORD, login

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER_ELSEWHERE = {"REMOTE_ADDR": "198.51.100.7"}


def test_unknown_and_known_accounts_cost_one_hash_check_of_the_same_scheme(app, client, make_user, monkeypatch):
    user = make_user()
    checked = []

    def counting(stored, password):
        checked.append(stored.split(":", 1)[0])
        return False

    monkeypatch.setattr(services, "check_password_hash", counting)
    login(client, user.email, "wrong password here")
    login(client, "nobody@example.cn", "wrong password here")
    assert checked == ["scrypt", "scrypt"]


def test_failures_from_one_source_do_not_lock_the_owner_out_elsewhere(app, make_user):
    user = make_user()
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attacker.post("/account/login", data={"email": user.email, "password": "guessing again"},
                      environ_base=ATTACKER)
    refused = attacker.post("/account/login", data={"email": user.email, "password": PASSWORD},
                            environ_base=ATTACKER)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "尝试次数过多" in refused.get_data(as_text=True)
    owner = app.test_client()
    response = owner.post("/account/login", data={"email": user.email, "password": PASSWORD},
                          environ_base=OWNER_ELSEWHERE)
    assert response.status_code == 302


def test_a_browser_that_logged_in_before_is_not_slowed_by_an_attacker_on_the_same_address(app, make_user):
    user = make_user()
    owner, attacker = app.test_client(), app.test_client()
    assert login(owner, user.email).status_code == 302
    owner.post("/account/logout")
    for n in range(app.config["LOGIN_MAX_FAILURES"] * throttle.SOURCE_FACTOR + 1):
        login(attacker, f"user{n % 3}@example.cn", "guessing again")
        login(attacker, user.email, "guessing again")
    assert login(attacker, user.email).status_code == 429
    assert login(owner, user.email).status_code == 302


def test_waits_grow_with_each_failure_up_to_a_cap(app):
    with app.app_context():
        free, base = app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_DELAY_SECONDS"]
        assert throttle.delay_for(free - 1, free) == 0
        assert throttle.delay_for(free, free) == base
        assert throttle.delay_for(free + 1, free) == 2 * base
        assert throttle.delay_for(free + 3, free) == 8 * base
        assert throttle.delay_for(free + 40, free) == app.config["LOGIN_MAX_DELAY_SECONDS"]


def test_the_wait_passes(app, client, make_user):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, user.email, "guessing again")
    assert login(client, user.email).status_code == 429
    with app.app_context():
        db.session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(
            seconds=app.config["LOGIN_DELAY_SECONDS"] + 1)))
        db.session.commit()
    assert login(client, user.email).status_code == 302
    with app.app_context():
        assert not db.session.scalars(select(LoginAttempt).where(LoginAttempt.key.startswith("pair:"))).all(), \
            "a successful log-in clears the pair's failures"


def _age_session(app, **moments):
    with app.app_context():
        db.session.execute(update(LoginSession).values(**moments))
        db.session.commit()


@pytest.mark.parametrize("moments", [
    {"last_seen_at": lambda app: utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)},
    {"created_at": lambda app: utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"] + 1),
     "last_seen_at": lambda app: utcnow()},
], ids=["idle", "too-old"])
def test_sessions_end_on_the_server_when_idle_or_too_old(app, client, login_as, moments):
    app.config.update(SESSION_IDLE_MINUTES=120, SESSION_MAX_HOURS=24 * 7)
    login_as()
    assert client.get("/dashboard").status_code == 200
    _age_session(app, **{name: make(app) for name, make in moments.items()})
    assert client.get("/dashboard").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LoginSession)) == 0


def test_last_seen_is_written_at_most_once_a_minute(app, client, login_as):
    app.config.update(SESSION_IDLE_MINUTES=120, SESSION_MAX_HOURS=24 * 7)
    login_as()
    recent = utcnow() - timedelta(seconds=20)
    _age_session(app, last_seen_at=recent)
    client.get("/dashboard")
    with app.app_context():
        assert db.session.scalar(select(LoginSession.last_seen_at)) == recent
    _age_session(app, last_seen_at=utcnow() - timedelta(minutes=2))
    client.get("/dashboard")
    with app.app_context():
        assert db.session.scalar(select(LoginSession.last_seen_at)) > utcnow() - timedelta(seconds=30)


def test_a_limit_of_zero_is_no_limit(app, client, login_as):
    app.config.update(SESSION_IDLE_MINUTES=0, SESSION_MAX_HOURS=0)
    login_as()
    _age_session(app, created_at=utcnow() - timedelta(days=400), last_seen_at=utcnow() - timedelta(days=400))
    assert client.get("/dashboard").status_code == 200
