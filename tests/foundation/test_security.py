from chunfeng.accounts.models import Role
from tests.conftest import PASSWORD


def test_post_without_csrf_token_is_rejected(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    client = app.test_client()
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_post_with_csrf_token_is_accepted(app, make_user):
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/account/login?next=/dashboard" in response.headers["Location"]


def test_open_redirect_after_login_is_refused(client, make_user):
    user = make_user()
    response = client.post("/account/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def test_error_pages_are_friendly_in_both_languages(client):
    zh = client.get("/no-such-page")
    assert zh.status_code == 404 and "页面不存在" in zh.get_data(as_text=True)
    en = client.get("/no-such-page?lang=en")
    assert "Page not found" in en.get_data(as_text=True)


def test_upload_too_large_gives_a_friendly_413(app, client, login_as):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    login_as(Role.CLINICIAN)
    response = client.post("/account/profile", data={"name": "x" * 5000})
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_the_client_address_comes_from_its_header(tmp_path):
    from flask import request

    from chunfeng import create_app

    def seen_address(hops: int) -> str:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                          "INSTANCE_PATH": str(tmp_path / f"i{hops}"), "UPLOAD_FOLDER": str(tmp_path / f"u{hops}"),
                          "PROXY_HOPS": hops})
        found = []
        app.before_request(lambda: found.append(request.remote_addr))
        app.test_client().get("/", headers={"X-Forwarded-For": "203.0.113.7"},
                              environ_base={"REMOTE_ADDR": "127.0.0.2"})
        return found[0]

    assert seen_address(0) == "127.0.0.2", "no proxy trusted by default: a client cannot choose its address"
    assert seen_address(1) == "203.0.113.7"
