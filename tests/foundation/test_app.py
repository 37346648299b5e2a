from chunfeng import create_app


def test_factory_reads_database_url_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.db"
    assert (tmp_path / "secret_key").exists()
    again = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"], "the generated key is kept, not regenerated"


def test_default_database_is_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'chunfeng.db'}"


def test_home_page_explains_the_platform_in_chinese_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert "春雨行动" in page
    assert "征集" in page and "评审" in page and "发布" in page and "对接" in page and "培育" in page
    assert '<html lang="zh-CN">' in page


def test_static_assets_are_served_locally(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    assert "cdn" not in page.lower()
    response = client.get("/static/vendor/bootstrap/bootstrap.min.css")
    assert response.status_code == 200
    response.close()


def test_security_headers_on_every_response(client):
    for path in ("/", "/account/login", "/no-such-page"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_every_route_declares_a_policy_rule(app):
    for endpoint, view in app.view_functions.items():
        if endpoint != "static":
            assert hasattr(view, "policy_action"), endpoint


def test_the_home_page_names_each_step_once_and_the_site_has_an_icon(client):
    chinese = client.get("/").get_data(as_text=True)
    assert "征集 · 征集" not in chinese and "征集" in chinese
    english = client.get("/?lang=en").get_data(as_text=True)
    assert 'Collection · <span lang="zh-CN">征集</span>' in english
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
