"""PIPL rights: see my consents, export my data, close my account; retention purge with frozen time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from chunfeng.accounts.models import AccountStatus, Consent, LoginAttempt, LoginSession, Role, User
from chunfeng.admin import privacy
from chunfeng.admin.services import set_setting
from chunfeng.core import hooks
from chunfeng.core.models import AuditEntry, Notification
from chunfeng.core.services import notify
from chunfeng.db import db
from chunfeng.submissions.models import Attachment, Project
from tests.concurrency import count_rows
from tests.conftest import PASSWORD, login

START = datetime(2026, 1, 5, 9, 0)



def _consent(app, user, kind="privacy_policy", version="2026-11", **detail) -> None:
    with app.app_context():
        db.session.add(Consent(user_id=user.id, kind=kind, version=version, detail=detail))
        db.session.commit()


# --- my data page and export -------------------------------------------------------------------------------

def test_privacy_page_lists_my_consents_only(app, client, login_as, make_user):
    other = make_user(Role.CLINICIAN)
    _consent(app, other, version="1999-01")
    me = login_as(Role.ENTERPRISE, status=AccountStatus.PENDING)  # not yet approved: the right still applies
    _consent(app, me, version="2026-11")
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "隐私政策（注册时）" in page and "2026-11" in page and "1999-01" not in page


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/account/privacy")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_export_contains_my_profile_consents_notifications_and_authored_rows_but_nothing_of_others(
        app, client, login_as, make_user, make_project):
    other = make_user(Role.CLINICIAN, name="王芳医生", phone="13900000000")
    other_project = make_project(other, "submitted", title="别人的项目")
    me = login_as(Role.CLINICIAN, name="李明医生", phone="13800000000", organization="中山大学附属第一医院")
    _consent(app, me)
    mine = make_project(me, "submitted", title="我的取栓导管")
    with app.app_context():
        notify(db.session.get(User, me.id), "Your account has been approved.", "/")
        notify(db.session.get(User, other.id), "Your account has been approved.", "/")
        db.session.commit()

    response = client.post("/account/privacy/export")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["name"] == "李明医生" and data["profile"]["phone"] == "13800000000"
    assert "password_hash" not in data["profile"]
    assert data["organization"]["name"] == "中山大学附属第一医院"
    assert [c["kind"] for c in data["consents"]] == ["privacy_policy"]
    assert data["notifications"][0]["text"] == "您的账号已审核通过。"
    assert all("token" not in s for s in data["login_sessions"]) and len(data["login_sessions"]) == 1
    assert [p["id"] for p in data["records"]["projects"]] == [mine]
    assert data["records"]["projects"][0]["title"] == "我的取栓导管"
    assert {(a["table"], a["as"]) for a in data["actions"]} == {("status_events", "actor_id")}
    assert [a["action"] for a in data["activity"]] == ["project.submit"]
    text = json.dumps(data, ensure_ascii=False)
    assert "王芳医生" not in text and "13900000000" not in text and "别人的项目" not in text
    assert str(other_project) not in [str(p["id"]) for p in data["records"]["projects"]]
    assert count_rows(app, AuditEntry, AuditEntry.action == "privacy.exported", AuditEntry.actor_id == me.id) == 1


def test_records_acted_on_are_named_but_their_content_stays_out(app, make_user, make_project):
    doctor = make_user(Role.CLINICIAN)
    admin = make_user(Role.ADMIN)
    project = make_project(doctor, "submitted")
    with app.app_context():
        db.session.add(Attachment(project_id=project, original_name="患者影像资料.pdf", stored_name="x1",
                                  mime_type="application/pdf", size=1, sha256="0" * 64, uploaded_by_id=admin.id))
        db.session.commit()
        attachment_id = db.session.scalar(select(Attachment.id))
        data = privacy.export_user_data(db.session.get(User, admin.id))
    assert {"table": "attachments", "id": attachment_id, "as": "uploaded_by_id"} in data["actions"]
    assert "患者影像资料" not in json.dumps(data, ensure_ascii=False)
    assert "projects" not in data["records"]


def test_export_is_a_post_so_another_site_cannot_trigger_it(client, login_as):
    login_as(Role.CLINICIAN)
    assert client.get("/account/privacy/export").status_code == 405


def test_registered_exporters_add_their_part(app, client, login_as):
    def part(_sender, user):
        return {"example_domain": {"user": user.id}}

    hooks.personal_data_export.connect(part)
    try:
        me = login_as(Role.INVESTOR)
        data = json.loads(client.post("/account/privacy/export").get_data(as_text=True))
        assert data["example_domain"] == {"user": me.id}
    finally:
        hooks.personal_data_export.disconnect(part)


# --- closing an account ------------------------------------------------------------------------------------

def test_closing_needs_the_password_and_the_confirmation_and_keeps_what_was_typed(app, client, login_as):
    me = login_as(Role.CLINICIAN)
    page = client.post("/account/privacy/close", data={"password": "wrong password!", "understood": "y"})
    assert page.status_code == 400 and "密码不正确" in page.get_data(as_text=True)
    page = client.post("/account/privacy/close", data={"password": PASSWORD})
    assert page.status_code == 400 and "请确认您已了解注销账号的后果" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, me.id).status == AccountStatus.ACTIVE


def test_closing_pseudonymises_signs_out_and_keeps_the_audit_and_submitted_projects(
        app, client, login_as, make_project, tmp_path):
    me = login_as(Role.CLINICIAN, name="李明医生", phone="13800000000", department="神经介入科", title="主任医师")
    _consent(app, me)
    submitted = make_project(me, "submitted", title="取栓导管")
    draft = make_project(me, "draft", title="未提交的草稿")
    other_browser = app.test_client()
    login(other_browser, me.email)

    response = client.post("/account/privacy/close", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302

    with app.app_context():
        user = db.session.get(User, me.id)
        assert user.name == f"已注销用户 #{me.id}" and user.email == f"closed-{me.id}@invalid"
        assert (user.phone, user.department, user.title) == ("", "", "")
        assert user.status == AccountStatus.CLOSED and user.closed_at is not None
        assert db.session.scalar(select(func.count()).where(LoginSession.user_id == me.id)) == 0
        assert db.session.scalar(select(Consent.revoked_at).where(Consent.user_id == me.id)) is not None
        assert db.session.get(Project, submitted).owner_id == me.id  # kept for the record
        assert db.session.get(Project, draft) is None  # a draft nobody else saw is gone
        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == me.id)))
        assert {"project.submit", "account.closed"} <= actions
    assert other_browser.get("/dashboard").status_code == 302
    assert login(app.test_client(), me.email).status_code == 200  # the old credentials no longer work


def test_a_closed_account_name_is_gone_from_administrators_pages(app, client, login_as, make_user):
    doctor = make_user(Role.CLINICIAN, name="李明医生")
    with app.app_context():
        privacy.erase_account(db.session.get(User, doctor.id), actor=None)
        db.session.commit()
    login_as(Role.ADMIN)
    for url in ("/admin/accounts", f"/admin/accounts/{doctor.id}", "/admin/audit"):
        page = client.get(url).get_data(as_text=True)
        assert "李明医生" not in page
    assert f"已注销用户 #{doctor.id}" in client.get("/admin/accounts").get_data(as_text=True)


def test_the_last_administrator_cannot_close_their_account(app, client, login_as):
    admin = login_as(Role.ADMIN)
    page = client.post("/account/privacy/close", data={"password": PASSWORD, "understood": "y"})
    assert page.status_code == 400 and "唯一的管理员" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).status == AccountStatus.ACTIVE


def test_registered_erasers_run_before_pseudonymisation(app, make_user):
    seen = []

    def note_email(_sender, user):
        seen.append(user.email)

    hooks.personal_data_erase.connect(note_email)
    try:
        doctor = make_user(Role.CLINICIAN, email="li@example.cn")
        with app.app_context():
            privacy.erase_account(db.session.get(User, doctor.id), actor=None)
        assert seen == ["li@example.cn"]
    finally:
        hooks.personal_data_erase.disconnect(note_email)


# --- retention purge with frozen time ----------------------------------------------------------------------

@pytest.fixture
def aged_platform(app, make_user, make_project):
    """Data created at START, and more a year later; returns the ids the assertions need."""
    with time_machine.travel(START, tick=False):
        old_closed = make_user(Role.CLINICIAN)
        _consent(app, old_closed)
        rejected = make_user(Role.EXPERT, name="被拒专家", status=AccountStatus.PENDING)
        keeper = make_user(Role.CLINICIAN)
        old_draft = make_project(keeper, "draft", title="旧草稿")
        old_withdrawn = make_project(keeper, "withdrawn", title="旧撤回")
        old_submitted = make_project(keeper, "submitted", title="旧的已提交项目")
        with app.app_context():
            for who in (old_closed, keeper):
                user = db.session.get(User, who.id)
                notify(user, "Your account has been approved.", "/").read_at = START
                db.session.add(LoginSession(user_id=who.id, created_at=START))
            notify(db.session.get(User, keeper.id), "New account awaiting approval: %(name)s", name="x")  # unread
            db.session.add(LoginAttempt(key="email:someone@example.cn", at=START))
            db.session.add(Attachment(project_id=old_draft, original_name="a.pdf", stored_name="stored-a.pdf",
                                      mime_type="application/pdf", size=3, sha256="0" * 64))
            from chunfeng.accounts.services import decide_approval
            decide_approval(db.session.get(User, rejected.id), False, db.session.get(User, keeper.id))
            privacy.erase_account(db.session.get(User, old_closed.id), actor=None)
            db.session.commit()
            (privacy.attachment_path("stored-a.pdf")).write_bytes(b"pdf")
    with time_machine.travel(START + timedelta(days=360), tick=False):
        recent_closed = make_user(Role.CLINICIAN)
        _consent(app, recent_closed)
        recent_draft = make_project(keeper, "draft", title="新草稿")
        with app.app_context():
            privacy.erase_account(db.session.get(User, recent_closed.id), actor=None)
            db.session.add(LoginAttempt(key="email:recent@example.cn"))
            db.session.commit()
    return {"old_closed": old_closed.id, "rejected": rejected.id, "keeper": keeper.id, "old_draft": old_draft,
            "old_withdrawn": old_withdrawn, "old_submitted": old_submitted, "recent_closed": recent_closed.id,
            "recent_draft": recent_draft}


def test_purge_erases_only_what_is_past_retention(app, runner, aged_platform):
    ids = aged_platform
    with app.app_context():
        set_setting("retention_days", 180, db.session.get(User, ids["keeper"]))
        db.session.commit()
    with time_machine.travel(START + timedelta(days=361), tick=False):
        dry = runner.invoke(args=["purge-expired", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "closed accounts: 1" in dry.output and "abandoned projects: 2" in dry.output
        assert count_rows(app, Project) == 4  # a dry run changes nothing

        result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    for line in ("closed accounts: 1", "rejected applications: 1", "abandoned projects: 2",
                 "read notifications: 1", "login attempts: 1", "login sessions: 1"):
        assert line in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Consent.user_id == ids["old_closed"])) == 0
        assert db.session.scalar(select(func.count()).where(Consent.user_id == ids["recent_closed"])) == 1
        rejected = db.session.get(User, ids["rejected"])
        assert rejected.status == AccountStatus.CLOSED and "被拒专家" not in rejected.name
        assert db.session.get(Project, ids["old_draft"]) is None
        assert db.session.get(Project, ids["old_withdrawn"]) is None
        assert db.session.get(Project, ids["old_submitted"]) is not None
        assert db.session.get(Project, ids["recent_draft"]) is not None
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1  # the unread one
        assert list(db.session.scalars(select(LoginAttempt.key))) == ["email:recent@example.cn"]
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "privacy.purged"))[
            "abandoned_projects"] == 2
        assert not privacy.attachment_path("stored-a.pdf").exists()

    with time_machine.travel(START + timedelta(days=362), tick=False):
        again = runner.invoke(args=["purge-expired"])
    assert "closed accounts: 0" in again.output and "abandoned projects: 0" in again.output


def test_nothing_is_purged_within_the_retention_period(app, runner, aged_platform):
    with time_machine.travel(START + timedelta(days=361), tick=False):  # default: three years
        result = runner.invoke(args=["purge-expired"])
    assert "closed accounts: 0" in result.output and "abandoned projects: 0" in result.output
    assert count_rows(app, Project) == 4


def test_retention_settings_page_validates_and_saves(app, client, login_as):
    login_as(Role.ADMIN)
    page = client.post("/admin/settings", data={"retention_days": "5", "session_days": "30"})
    assert page.status_code == 200 and "请输入 30 到 3650 之间的数字" in page.get_data(as_text=True)
    assert 'value="5"' in page.get_data(as_text=True)
    assert client.post("/admin/settings", data={"retention_days": "400", "session_days": "14"}).status_code == 302
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="400"' in page and 'value="14"' in page
    assert count_rows(app, AuditEntry, AuditEntry.action == "settings.changed") == 2


def test_only_administrators_change_retention(client, login_as):
    login_as(Role.OFFICER)
    assert client.post("/admin/settings", data={"retention_days": "30", "session_days": "1"}).status_code == 403
