import re

import pytest
from sqlalchemy import select

from chunfeng.accounts.models import AccountStatus, Consent, Role, User
from chunfeng.db import db
from tests.conftest import PASSWORD, login


def register(client, **overrides):
    data = {
        "role": "clinician", "name": "李医生", "email": "li@example.cn", "organization": "中山大学附属第一医院",
        "province": "广东省", "department": "神经介入科", "title": "主任医师", "password": PASSWORD,
        "confirm": PASSWORD, "accept_privacy": "y",
    }
    data.update(overrides)
    return client.post("/account/register", data=data)


def test_clinician_registers_and_is_active_with_a_consent_record(app, client):
    response = register(client)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "li@example.cn"))
        assert user.status == AccountStatus.ACTIVE
        assert user.organization.name == "中山大学附属第一医院"
        assert user.password_hash.startswith("scrypt:")
        consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
        assert consent.kind == "privacy_policy" and consent.version == app.config["PRIVACY_POLICY_VERSION"]
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize("role", ["expert", "enterprise", "investor"])
def test_other_roles_wait_for_approval(app, client, role):
    register(client, role=role, email=f"{role}@example.cn")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == f"{role}@example.cn"))
        assert user.status == AccountStatus.PENDING
    page = client.get("/dashboard").get_data(as_text=True)
    assert "等待管理员审核" in page or "awaiting" in page


def test_clinician_approval_can_be_required_by_setting(app, client):
    app.config["CLINICIAN_APPROVAL_REQUIRED"] = True
    register(client)
    with app.app_context():
        assert db.session.scalar(select(User.status).where(User.email == "li@example.cn")) == AccountStatus.PENDING


def test_admin_cannot_self_register(client):
    response = register(client, role="admin")
    assert response.status_code == 200
    assert "不是有效的选择" in response.get_data(as_text=True) or "Not a valid choice" in response.get_data(
        as_text=True)


@pytest.mark.parametrize("password,message", [
    ("short", "至少"),
    ("password123", "过于常见"),
    ("aaaaaaaaaaaa", "过于常见"),
])
def test_weak_passwords_are_refused_with_a_clear_message(client, password, message):
    response = register(client, password=password, confirm=password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_long_passphrase_without_symbols_is_accepted(client):
    assert register(client, password="yellow river flows east", confirm="yellow river flows east").status_code == 302


def test_duplicate_email_is_refused_and_form_keeps_what_was_typed(client, make_user):
    make_user(email="li@example.cn")
    page = register(client).get_data(as_text=True)
    assert "已存在" in page
    assert "中山大学附属第一医院" in page


def test_login_and_logout(client, make_user):
    user = make_user()
    assert login(client, user.email).status_code == 302
    assert client.get("/dashboard").status_code == 200
    client.post("/account/logout")
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_is_refused(client, make_user):
    user = make_user()
    response = login(client, user.email, "not the password")
    assert "邮箱或密码不正确" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_is_rate_limited(app, client, make_user):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, user.email, "wrong password here")
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)


def test_replaying_the_session_cookie_after_logout_fails(app, make_user):
    user = make_user()
    first = app.test_client()
    login(first, user.email)
    cookie = first.get_cookie("session").value
    first.post("/account/logout")
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/dashboard").status_code == 302, "an old cookie must not log anyone in"


def test_password_change_signs_out_every_other_copy_of_the_session(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    old_laptop_cookie = laptop.get_cookie("session").value
    response = laptop.post("/account/password", data={"current": PASSWORD, "new": "a brand new passphrase",
                                                      "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 200, "the device that changed it stays signed in"
    assert phone.get("/dashboard").status_code == 302
    stale = app.test_client()
    stale.set_cookie("session", old_laptop_cookie)
    assert stale.get("/dashboard").status_code == 302


def test_profile_update(client, login_as):
    login_as()
    client.post("/account/profile", data={"name": "新名字", "phone": "13800000000", "department": "骨科",
                                          "title": "", "locale": "en"})
    page = client.get("/account/profile").get_data(as_text=True)
    assert "新名字" in page
    assert "Profile" in page, "the chosen language applies"


def test_suspended_user_cannot_log_in(app, client, make_user):
    user = make_user(status=AccountStatus.SUSPENDED)
    response = login(client, user.email)
    assert response.status_code == 200
    assert re.search("已关闭|已停用", response.get_data(as_text=True))


def test_create_admin_command(app, runner):
    result = runner.invoke(args=["create-admin", "--email", "ops@example.cn", "--name", "运维",
                                 "--password", "a long admin passphrase"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "ops@example.cn"))
        assert admin.role == Role.ADMIN and admin.is_approved


def test_create_admin_refuses_weak_password(runner):
    result = runner.invoke(args=["create-admin", "--email", "ops@example.cn", "--name", "运维",
                                 "--password", "123456"])
    assert result.exit_code != 0


def test_no_account_exists_before_an_operator_creates_one(app):
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 0
