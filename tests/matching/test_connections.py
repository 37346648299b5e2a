"""Connections (对接) and the consent gate: summary only without a grant, details with it, nothing after revocation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chunfeng.accounts.models import Consent
from chunfeng.core import todo
from chunfeng.core.models import AuditEntry, Notification
from chunfeng.db import db
from chunfeng.matching.models import Connection, ConnectionStatus, ShareGrant
from chunfeng.submissions.models import Attachment
from tests.conftest import login

from .conftest import EYE_COMPANY, STENT_COMPANY, THROMBECTOMY

REASON = "我们有成熟的III类取栓支架注册经验和生产线，希望探讨联合开发。"


@pytest.fixture
def setup(app, clinician, add_project, add_company, tmp_path):
    """A released project with an attachment, the stent company (will ask) and the eye company (never asks)."""
    project_id = add_project(clinician, **THROMBECTOMY)
    with app.app_context():
        (tmp_path / "uploads").mkdir(exist_ok=True)
        (tmp_path / "uploads" / "design.bin").write_bytes(b"%PDF-1.4 confidential design")
        db.session.add(Attachment(project_id=project_id, original_name="设计图.pdf", stored_name="design.bin",
                                  mime_type="application/pdf", size=28, sha256="0" * 64))
        db.session.commit()
    return {"project": project_id, "clinician": clinician,
            "stent": add_company("上海神经介入器械有限公司", STENT_COMPANY),
            "eye": add_company("成都眼科影像有限公司", EYE_COMPANY)}


def _as(client, user):
    client.post("/account/logout")
    login(client, user.email)


def _connect(client, setup) -> int:
    _as(client, setup["stent"])
    response = client.post(f"/matching/projects/{setup['project']}/connect", data={"reason": REASON})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _accept(client, setup, connection_id: int):
    _as(client, setup["clinician"])
    response = client.post(f"/matching/connections/{connection_id}/decide",
                           data={"decision": "accept", "consent": "y"})
    assert response.status_code == 302


def _grant_views(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "grant.view"))


def _assert_summary_only(client, setup):
    response = client.get(f"/matching/projects/{setup['project']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert THROMBECTOMY["public_summary"] in page
    for secret in (THROMBECTOMY["solution"], THROMBECTOMY["need_problem"], "李明", "13800138000", "liming@hospital.cn",
                   "中山大学附属第一医院", "设计图.pdf"):
        assert secret not in page
    attachment = f"/projects/{setup['project']}/attachments/1"
    assert client.get(attachment).status_code == 404


def test_without_a_grant_a_company_sees_the_summary_only(client, setup):
    _as(client, setup["stent"])
    _assert_summary_only(client, setup)
    assert "申请对接" in client.get(f"/matching/projects/{setup['project']}").get_data(as_text=True)


def test_a_request_needs_a_reason_and_keeps_what_was_typed(client, setup):
    _as(client, setup["stent"])
    response = client.post(f"/matching/projects/{setup['project']}/connect", data={"reason": "想合作"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "想合作" in page and "请用10至2000个字说明对接意向" in page


def test_request_reaches_the_clinician_who_accepts_and_the_company_then_sees_the_details(app, client, setup):
    connection_id = _connect(client, setup)
    assert "已与该项目建立对接" in client.post(
        f"/matching/projects/{setup['project']}/connect", data={"reason": REASON}, follow_redirects=True
    ).get_data(as_text=True)
    with app.test_request_context():
        clinician = db.session.get(type(setup["clinician"]), setup["clinician"].id)
        assert any("上海神经介入器械有限公司" in text for text, _link in todo.asked_of(clinician))
        assert db.session.scalar(select(Notification.id).where(Notification.user_id == clinician.id)) is not None

    _as(client, setup["clinician"])
    page = client.get(f"/matching/connections/{connection_id}").get_data(as_text=True)
    assert REASON in page and "本人同意 上海神经介入器械有限公司 查看本人项目" in page
    refused = client.post(f"/matching/connections/{connection_id}/decide", data={"decision": "accept"})
    assert refused.status_code == 400 and "请勾选同意授权" in refused.get_data(as_text=True)
    _accept(client, setup, connection_id)
    with app.app_context():
        grant = db.session.scalar(select(ShareGrant))
        consent = db.session.get(Consent, grant.consent_id)
        assert consent.kind == "share_grant" and consent.user_id == setup["clinician"].id
        assert consent.detail["organization"] == "上海神经介入器械有限公司"
        assert "上海神经介入器械有限公司" in consent.text

    _as(client, setup["stent"])
    views = _grant_views(app)
    page = client.get(f"/matching/projects/{setup['project']}").get_data(as_text=True)
    details = (THROMBECTOMY["solution"], "李明", "13800138000", "liming@hospital.cn", "中山大学附属第一医院")
    for detail in details:
        assert detail in page
    client.get(f"/matching/projects/{setup['project']}")
    assert _grant_views(app) == views + 2, "every view of granted material is audited"
    download = client.get(f"/projects/{setup['project']}/attachments/1")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()


def test_another_company_without_a_grant_still_sees_nothing_confidential(client, setup):
    _accept(client, setup, _connect(client, setup))
    _as(client, setup["eye"])
    _assert_summary_only(client, setup)


def test_revoking_the_grant_takes_the_details_away_at_once(app, client, setup):
    connection_id = _connect(client, setup)
    _accept(client, setup, connection_id)
    with app.app_context():
        grant_id = db.session.scalar(select(ShareGrant.id))
    response = client.post(f"/matching/grants/{grant_id}/revoke")
    assert response.status_code == 302
    with app.app_context():
        grant = db.session.get(ShareGrant, grant_id)
        assert grant.revoked_at is not None and db.session.get(Consent, grant.consent_id).revoked_at is not None
        assert db.session.get(Connection, connection_id).status == ConnectionStatus.ACCEPTED  # kept for the record

    _as(client, setup["stent"])
    views = _grant_views(app)
    _assert_summary_only(client, setup)
    assert _grant_views(app) == views
    assert "医生已撤回详细资料的查阅授权" in client.get(f"/matching/connections/{connection_id}").get_data(as_text=True)


def test_declining_tells_the_company_and_shares_nothing(app, client, setup):
    connection_id = _connect(client, setup)
    _as(client, setup["clinician"])
    client.post(f"/matching/connections/{connection_id}/decide", data={"decision": "decline", "note": "方向不符"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShareGrant)) == 0
        note = db.session.scalar(select(Notification).where(Notification.user_id == setup["stent"].id))
        assert "declined" in note.message
    _as(client, setup["stent"])
    _assert_summary_only(client, setup)


def test_only_the_projects_clinician_may_answer(client, setup, make_user):
    connection_id = _connect(client, setup)
    _as(client, make_user("clinician"))
    assert client.get(f"/matching/connections/{connection_id}").status_code == 404
    assert client.post(f"/matching/connections/{connection_id}/decide",
                       data={"decision": "accept", "consent": "y"}).status_code == 404


def test_both_sides_share_a_timeline_that_a_third_company_cannot_see(app, client, setup, make_user):
    connection_id = _connect(client, setup)
    _accept(client, setup, connection_id)
    client.post(f"/matching/connections/{connection_id}/events",
                data={"kind": "meeting", "happened_on": "2026-03-02", "text": "首次线上会谈，介绍样机"})
    _as(client, setup["stent"])
    client.post(f"/matching/connections/{connection_id}/events",
                data={"kind": "nda_signed", "happened_on": "2026-03-09", "text": "双方签署保密协议"})
    page = client.get(f"/matching/connections/{connection_id}").get_data(as_text=True)
    assert "首次线上会谈，介绍样机" in page and "双方签署保密协议" in page and "2026-03-09" in page
    with app.app_context():
        assert db.session.get(Connection, connection_id).stage == "nda"
    empty = client.post(f"/matching/connections/{connection_id}/events",
                        data={"kind": "note", "happened_on": "2026-03-10", "text": ""})
    assert empty.status_code == 400

    _as(client, setup["clinician"])
    assert "双方签署保密协议" in client.get(f"/matching/connections/{connection_id}").get_data(as_text=True)
    _as(client, setup["eye"])
    assert client.get(f"/matching/connections/{connection_id}").status_code == 404
    assert client.post(f"/matching/connections/{connection_id}/events",
                       data={"kind": "note", "happened_on": "2026-03-10", "text": "x"}).status_code == 404

    _as(client, make_user("admin"))
    page = client.get("/matching/admin/connections").get_data(as_text=True)
    assert "上海神经介入器械有限公司" in page and THROMBECTOMY["title"] in page and "签署保密协议" in page
    assert client.get(f"/matching/connections/{connection_id}").status_code == 200
    assert client.get("/matching/admin/connections?stage=agreement").get_data(as_text=True).count(
        THROMBECTOMY["title"]) == 0


def test_a_company_may_withdraw_an_unanswered_request(app, client, setup):
    connection_id = _connect(client, setup)
    client.post(f"/matching/connections/{connection_id}/withdraw")
    with app.app_context():
        assert db.session.get(Connection, connection_id).status == ConnectionStatus.WITHDRAWN
    _as(client, setup["clinician"])
    assert client.post(f"/matching/connections/{connection_id}/decide",
                       data={"decision": "accept", "consent": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShareGrant)) == 0


def test_workspaces_show_requests_to_the_clinician_and_matches_to_the_company(client, setup, make_user):
    connection_id = _connect(client, setup)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "匹配项目" in page and "机构画像" in page and "我的对接" in page  # navigation
    assert THROMBECTOMY["title"] in page and "等待医生答复" in page
    _as(client, setup["clinician"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert "对接请求" in page and f"/matching/connections/{connection_id}" in page
    assert "上海神经介入器械有限公司 希望就" in page
    _as(client, make_user("admin"))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "对接管理" in page and "1个等待医生答复" in page


def test_closing_the_clinicians_account_withdraws_every_grant(app, client, setup):
    from chunfeng.accounts.models import User
    from chunfeng.admin.privacy import erase_account

    connection_id = _connect(client, setup)
    _accept(client, setup, connection_id)
    with app.app_context():
        erase_account(db.session.get(User, setup["clinician"].id), actor=None)
        db.session.commit()
        assert db.session.scalar(select(ShareGrant.revoked_at)) is not None
    _as(client, setup["stent"])
    _assert_summary_only(client, setup)
