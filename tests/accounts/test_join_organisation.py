"""Registering with an existing company's name asks to join it: a member (or an administrator) decides. A hospital
is joined directly (it is given no shared material, and conflict-of-interest checks rely on membership)."""

from sqlalchemy import select

from chunfeng.accounts.models import JoinRequest, JoinStatus, Role, User
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from tests.conftest import login
from tests.foundation.test_accounts import register

COMPANY = "迈瑞医疗"


def _stranger(app, client) -> User:
    response = register(client, role="enterprise", organization=COMPANY, email="stranger@example.cn", name="陌生人")
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == "stranger@example.cn"))


def test_registering_with_an_existing_organisation_is_a_request_not_membership(app, client, make_user):
    make_user(Role.ENTERPRISE, organization=COMPANY, name="张主任")
    stranger = _stranger(app, client)
    assert stranger.organization_id is None
    page = client.get("/dashboard").get_data(as_text=True)
    assert "已申请加入该单位" in page
    assert "正在等待该单位成员或管理员批准" in client.get("/account/profile").get_data(as_text=True)
    with app.app_context():
        join = db.session.scalar(select(JoinRequest))
        assert join.status == JoinStatus.PENDING and join.user_id == stranger.id


def test_a_member_sees_who_asks_beside_the_current_members_and_approves(app, client, make_user):
    member = make_user(Role.ENTERPRISE, organization=COMPANY, name="张主任")
    stranger = _stranger(app, client)
    approver = app.test_client()
    login(approver, member.email)
    page = approver.get("/account/organization/requests").get_data(as_text=True)
    assert "陌生人" in page and "张主任" in page and "现有成员" in page
    with app.app_context():
        join_id = db.session.scalar(select(JoinRequest.id))
    assert approver.post(f"/account/organization/requests/{join_id}", data={"decision": "approve"}
                         ).status_code == 302
    with app.app_context():
        joined = db.session.get(User, stranger.id)
        assert joined.organization.name == COMPANY
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "join_request.approved"))


def test_members_of_other_organisations_and_the_requester_cannot_decide(app, client, make_user):
    make_user(Role.ENTERPRISE, organization=COMPANY)
    outsider = make_user(Role.ENTERPRISE, organization="另一家公司")
    _stranger(app, client)
    with app.app_context():
        join_id = db.session.scalar(select(JoinRequest.id))
    other = app.test_client()
    login(other, outsider.email)
    assert "陌生人" not in other.get("/account/organization/requests").get_data(as_text=True)
    assert other.post(f"/account/organization/requests/{join_id}", data={"decision": "approve"}
                      ).status_code == 404
    assert client.post(f"/account/organization/requests/{join_id}", data={"decision": "approve"}
                       ).status_code in (403, 404)
    with app.app_context():
        assert db.session.get(JoinRequest, join_id).status == JoinStatus.PENDING


def test_an_administrator_may_decline(app, client, make_user):
    make_user(Role.ENTERPRISE, organization=COMPANY)
    admin = make_user(Role.ADMIN)
    stranger = _stranger(app, client)
    with app.app_context():
        join_id = db.session.scalar(select(JoinRequest.id))
    boss = app.test_client()
    login(boss, admin.email)
    boss.post(f"/account/organization/requests/{join_id}", data={"decision": "decline"})
    with app.app_context():
        assert db.session.get(JoinRequest, join_id).status == JoinStatus.REJECTED
        assert db.session.get(User, stranger.id).organization_id is None


def test_a_hospital_is_joined_directly(app, client, make_user):
    colleague = make_user(Role.EXPERT, organization="北京协和医院")
    register(client, organization="北京协和医院")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "li@example.cn"))
        assert user.organization_id == colleague.organization_id
        assert db.session.scalar(select(db.func.count()).select_from(JoinRequest)) == 0
