def test_lang_parameter_switches_and_is_remembered(client):
    assert "Log in" in client.get("/account/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/account/login").get_data(as_text=True)
    assert "登录" in client.get("/account/login?lang=zh_Hans_CN").get_data(as_text=True)


def test_accept_language_is_honoured_when_nothing_was_chosen(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "How it works" in page
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "工作流程" in page


def test_user_setting_beats_accept_language(app, make_user):
    from tests.conftest import login

    user = make_user(locale="en")
    client = app.test_client()
    login(client, user.email)
    page = client.get("/dashboard", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "My workspace" in page
