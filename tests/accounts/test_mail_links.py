"""E-mail through a real SMTP server on loopback: password reset, address confirmation, invitations, the word to an
address owner when someone registers with it, and the mail module's rules (language, no server, SMTP failure)."""

from datetime import timedelta

from sqlalchemy import select

from chunfeng.accounts.models import AccountStatus, AccountToken, Role, User
from chunfeng.core import mail
from chunfeng.core.models import AuditEntry
from chunfeng.db import db, utcnow
from tests.conftest import PASSWORD, login
from tests.foundation.test_accounts import register
from tests.smtp_server import body, link_path, subject

NEW_PASSWORD = "a fresh spring passphrase"


def _reset_link(client, inbox, user) -> str:
    response = client.post("/account/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    [message] = inbox.to(user.email)
    assert subject(message) == "重设您的春风平台密码"
    return link_path(message)


def test_forgotten_password_is_reset_by_a_single_use_link_that_ends_every_session(app, client, make_user, smtp):
    user = make_user()
    laptop = app.test_client()
    login(laptop, user.email)
    assert "忘记密码" in client.get("/account/login").get_data(as_text=True)
    path = _reset_link(client, smtp, user)
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalars(select(AccountToken)).all()
        assert len(stored) == 1 and stored[0].digest != token and token not in stored[0].digest
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    response = client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    assert laptop.get("/dashboard").status_code == 302, "every session of the account ended"
    assert login(client, user.email, PASSWORD).status_code == 200
    assert login(client, user.email, NEW_PASSWORD).status_code == 302
    again = app.test_client()
    assert again.get(path).status_code == 302, "the link works once"
    assert again.post(path, data={"new": "yet another passphrase", "confirm": "yet another passphrase"}
                      ).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_reset"))


def test_reset_link_expires(app, client, make_user, smtp):
    user = make_user()
    path = _reset_link(client, smtp, user)
    with app.app_context():
        token = db.session.scalar(select(AccountToken))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(path).status_code == 302
    response = client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert "无效或已过期" in response.get_data(as_text=True)
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 200


def test_reset_of_an_unknown_address_answers_the_same_and_sends_nothing(client, make_user, smtp):
    user = make_user()
    known = client.post("/account/password/forgot", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/account/password/forgot", data={"email": "nobody@example.cn"}, follow_redirects=True)
    assert "如果该地址有账户" in known.get_data(as_text=True)
    assert "如果该地址有账户" in unknown.get_data(as_text=True)
    assert len(smtp.messages) == 1


def test_reset_requests_are_limited_per_address(app, client, make_user, smtp):
    user = make_user()
    for _ in range(app.config["ACCOUNT_MAILS_PER_HOUR"] + 3):
        client.post("/account/password/forgot", data={"email": user.email})
    assert len(smtp.to(user.email)) == app.config["ACCOUNT_MAILS_PER_HOUR"]


def test_registration_with_a_mail_server_confirms_the_address_first(app, client, smtp):
    response = register(client)
    assert response.status_code == 200
    assert "请查收邮件" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302, "not signed in before confirming"
    [message] = smtp.to("li@example.cn")
    assert subject(message) == "请确认您在春风平台的邮箱地址"
    refused = login(client, "li@example.cn")
    assert refused.status_code == 200 and "请先确认您的邮箱地址" in refused.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    path = link_path(message)
    assert client.get(path).status_code == 200
    assert client.post(path).headers["Location"] == "/account/login"
    assert login(client, "li@example.cn").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_a_new_confirmation_link_can_be_asked_for(app, client, smtp):
    register(client)
    response = client.post("/account/confirm", data={"email": "li@example.cn"}, follow_redirects=True)
    assert "尚未确认的账户" in response.get_data(as_text=True)
    first, second = smtp.to("li@example.cn")
    assert client.get(link_path(first)).status_code == 302, "a new link voids the older one"
    assert client.get(link_path(second)).status_code == 200


def test_registering_with_a_taken_address_answers_alike_and_tells_the_owner(app, client, make_user, smtp):
    owner = make_user(email="owner@example.cn", organization="协和医院")
    fresh = register(app.test_client(), email="new@example.cn").get_data(as_text=True)
    taken = register(client, email="owner@example.cn").get_data(as_text=True)

    def message_of(page, address):
        return page.split('id="registered-message">', 1)[1].split("</p>", 1)[0].replace(address, "ADDRESS")

    assert message_of(fresh, "new@example.cn") == message_of(taken, "owner@example.cn")
    [warning] = smtp.to(owner.email)
    assert subject(warning) == "有人尝试用您的邮箱地址注册"
    assert "/account/password/forgot" in body(warning)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 2
        assert db.session.scalar(select(User.name).where(User.email == owner.email)) == owner.name


def test_mail_is_written_in_the_recipients_language(app, client, make_user, smtp):
    user = make_user(locale="en")
    client.post("/account/password/forgot", data={"email": user.email})
    [message] = smtp.messages
    assert subject(message) == "Reset your Chunfeng password"
    assert "choose a new password" in body(message)


def test_without_a_mail_server_nothing_is_sent_and_registration_signs_in_directly(app, client, smtp):
    app.config["MAIL_SERVER"] = ""
    assert register(client).status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert smtp.messages == []


def test_an_smtp_failure_does_not_fail_the_request(app, client, make_user, smtp, caplog):
    user = make_user()
    from tests.smtp_server import free_port

    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    response = client.post("/account/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    assert "could not be sent" in caplog.text


def test_notification_mails_follow_each_persons_choices(app, client, login_as, smtp):
    user = login_as()
    page = client.get("/account/profile").get_data(as_text=True)
    assert "邮件通知" in page and "邀请我评审项目" in page
    client.post("/account/mail", data={mail.PROJECT_DECISION: "y"})  # every other kind switched off
    with app.test_request_context():
        person = db.session.get(User, user.id)
        assert not mail.wants(person, mail.REVIEW_INVITATION) and mail.wants(person, mail.PROJECT_DECISION)
        assert mail.notify_by_mail(person, mail.REVIEW_INVITATION, "Reset your Chunfeng password",
                                   "accounts/mail/registration_attempt.html", login_link="", reset_link="") is False
        assert mail.notify_by_mail(person, mail.PROJECT_DECISION, "Reset your Chunfeng password",
                                   "accounts/mail/registration_attempt.html", login_link="", reset_link="") is True
    [message] = smtp.messages
    assert "http://chunfeng.test/account/profile" in body(message), "the mail says where to change the choice"


def test_an_administrator_invites_an_officer_who_sets_a_password(app, client, login_as, smtp):
    login_as(Role.ADMIN)
    response = client.post("/account/invite", data={"role": "officer", "name": "王干事", "email": "wang@nmpa.cn",
                                                      "organization": "省药监局"})
    assert response.status_code == 200
    [message] = smtp.to("wang@nmpa.cn")
    assert subject(message) == "邀请您加入春风平台"
    path = link_path(message)
    assert path in response.get_data(as_text=True)
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == "wang@nmpa.cn"))
        assert officer.role == Role.OFFICER and officer.status == AccountStatus.ACTIVE
    visitor = app.test_client()
    assert login(visitor, "wang@nmpa.cn", "").status_code == 200
    assert "欢迎，王干事" in visitor.get(path).get_data(as_text=True)
    assert visitor.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert login(visitor, "wang@nmpa.cn", NEW_PASSWORD).status_code == 302


def test_only_administrators_invite(client, login_as):
    login_as(Role.OFFICER)
    assert client.get("/account/invite").status_code == 403
    response = client.post("/account/invite", data={"role": "officer", "name": "x", "email": "x@example.cn",
                                                      "organization": "y"})
    assert response.status_code == 403
