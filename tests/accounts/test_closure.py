"""Closing an account erases what the accounts domain keeps about the person beyond the account row."""

from sqlalchemy import select

from chunfeng.accounts.models import AccountToken, JoinRequest, LoginAttempt, Role
from chunfeng.db import db
from tests.conftest import PASSWORD, login
from tests.foundation.test_accounts import register


def test_closure_erases_links_join_requests_and_throttling_records(app, client, make_user):
    make_user(Role.ENTERPRISE, organization="迈瑞医疗")
    register(client, role="enterprise", organization="迈瑞医疗", email="leaving@example.cn")
    client.post("/account/password/forgot", data={"email": "leaving@example.cn"})
    login(app.test_client(), "leaving@example.cn", "a wrong password")
    exported = client.post("/account/privacy/export").get_json()
    assert exported["accounts"]["join_requests"][0]["organization"] == "迈瑞医疗"
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AccountToken)) == 1
    assert client.post("/account/privacy/close", data={"password": PASSWORD, "understood": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AccountToken)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(JoinRequest)) == 0
        keys = db.session.scalars(select(LoginAttempt.key)).all()
        assert not [k for k in keys if "leaving@example.cn" in k]
