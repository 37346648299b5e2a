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


def test_notifications_with_a_count_agree_with_their_number(app, make_user):
    """A notification's count reads "1 overdue step" / "2 overdue steps" in English, in Chinese without plural."""
    from flask_babel import force_locale

    from chunfeng.accounts.models import Role
    from chunfeng.core.services import Nn_, notification_texts, notify
    from chunfeng.db import db

    officer = make_user(Role.OFFICER)
    message = Nn_("%(title)s has %(num)d overdue step.", "%(title)s has %(num)d overdue steps.")
    with app.test_request_context():
        notes = [notify(officer, message, title="取栓支架", num=n) for n in (1, 2)]
        db.session.flush()
        with force_locale("en"):
            assert notification_texts(notes) == ["取栓支架 has 1 overdue step.", "取栓支架 has 2 overdue steps."]
        with force_locale("zh_Hans_CN"):
            assert notification_texts(notes) == ["“取栓支架”有 1 个节点已逾期。", "“取栓支架”有 2 个节点已逾期。"]
        db.session.rollback()


def test_a_mail_written_in_another_language_leaves_the_page_in_its_own(app):
    """Each request keeps the catalogue of its language; a mail to someone who reads English, written in the
    middle of a Chinese page, gets English, and the rest of the page stays Chinese."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext, lazy_gettext

    with app.test_request_context("/?lang=zh_Hans_CN"):
        assert gettext("Log in") == "登录"
        with force_locale("en"):
            assert gettext("Log in") == "Log in"
            assert render_template_string("{{ _('Log in') }}") == "Log in"
        assert gettext("Log in") == "登录"
        assert str(lazy_gettext("Log in")) == "登录"
        assert render_template_string("{{ _('Log in') }}") == "登录"
    with app.test_request_context("/?lang=en"):
        assert render_template_string("{{ _('Log in') }}") == "Log in"


def test_label_tables_are_read_in_each_readers_language(app, client):
    """Tables of labels are resolved once per language: a Chinese page and an English one in turn each get theirs."""
    from chunfeng.i18n import in_locale
    from chunfeng.matching.forms import LABELS

    with app.test_request_context("/?lang=zh_Hans_CN"):
        chinese = in_locale(LABELS)
    with app.test_request_context("/?lang=en"):
        english = in_locale(LABELS)
    with app.test_request_context("/?lang=zh_Hans_CN"):
        assert in_locale(LABELS) is chinese
    assert "\u4e00" <= chinese["status"]["requested"][0] <= "\u9fff"
    assert english["status"]["requested"].isascii() and english["status"]["requested"] != chinese["status"]["requested"]


def test_times_are_written_as_babel_writes_them_in_the_platforms_zone(app):
    from datetime import UTC, date, datetime

    from flask_babel import format_datetime

    from chunfeng.i18n import NUMERIC_PATTERNS, shown_time

    moments = [datetime(2026, 11, 30, 17, 5), datetime(2026, 12, 31, 23, 59, 59),
               datetime(2026, 3, 1, 0, 0, tzinfo=UTC)]
    for lang in ("zh_Hans_CN", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for moment in moments:
                for pattern in NUMERIC_PATTERNS:
                    assert shown_time(moment, pattern) == format_datetime(moment, pattern), (moment, pattern)
            assert shown_time(datetime(2026, 11, 30, 17, 5)) == "2026-12-01 01:05"  # Beijing time
            assert shown_time(None) == "" and shown_time(date(2026, 3, 1), "yyyy-MM-dd") == "2026-03-01"
