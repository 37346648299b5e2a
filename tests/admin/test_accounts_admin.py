"""The approval queue, suspension and organisations, as an administrator uses them."""

from __future__ import annotations

from sqlalchemy import func, select

from chunfeng.accounts.models import AccountStatus, LoginSession, Organization, Role, User
from chunfeng.core.models import AuditEntry, Notification
from chunfeng.db import db
from tests.conftest import login


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_non_admins_cannot_open_the_accounts_page(client, login_as):
    login_as(Role.OFFICER)
    assert client.get("/admin/accounts").status_code == 403


def test_pending_applications_come_first_and_can_be_filtered(client, login_as, make_user):
    make_user(Role.CLINICIAN, name="钱医生")
    make_user(Role.EXPERT, name="孙专家", status=AccountStatus.PENDING, organization="北京协和医院")
    make_user(Role.ENTERPRISE, name="周经理", status=AccountStatus.PENDING)
    login_as(Role.ADMIN)

    page = client.get("/admin/accounts").get_data(as_text=True)
    assert page.index("孙专家") < page.index("周经理") < page.index("钱医生")

    pending = client.get("/admin/accounts?status=pending").get_data(as_text=True)
    assert "孙专家" in pending and "周经理" in pending and "钱医生" not in pending

    experts = client.get("/admin/accounts?role=expert").get_data(as_text=True)
    assert "孙专家" in experts and "周经理" not in experts

    by_org = client.get("/admin/accounts?q=协和").get_data(as_text=True)
    assert "孙专家" in by_org and "钱医生" not in by_org

    literal = client.get("/admin/accounts?q=%25").get_data(as_text=True)  # '%' is searched for, not a wildcard
    assert "钱医生" not in literal


def test_approving_activates_notifies_and_audits(app, client, login_as, make_user):
    expert = make_user(Role.EXPERT, status=AccountStatus.PENDING)
    admin = login_as(Role.ADMIN)

    response = client.post(f"/admin/accounts/{expert.id}/approve", data={"next": "/admin/accounts?status=pending"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/accounts?status=pending")
    with app.app_context():
        assert db.session.get(User, expert.id).status == AccountStatus.ACTIVE
        assert db.session.scalar(select(Notification.message).where(Notification.user_id == expert.id))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.approved"))
        assert entry.actor_id == admin.id and entry.object_id == expert.id


def test_rejecting_keeps_the_person_out(app, client, login_as, make_user):
    company = make_user(Role.ENTERPRISE, status=AccountStatus.PENDING, name="周经理")
    login_as(Role.ADMIN)
    page = client.post(f"/admin/accounts/{company.id}/reject", follow_redirects=True).get_data(as_text=True)
    assert "周经理的申请已被拒绝" in page
    assert _user(app, company.id).status == AccountStatus.REJECTED
    assert login(app.test_client(), company.email).status_code == 200  # the log-in form again, not a redirect


def test_suspending_ends_every_session_and_reinstating_allows_log_in_again(app, make_user):
    doctor = make_user(Role.CLINICIAN)
    admin = make_user(Role.ADMIN)
    doctor_client, admin_client = app.test_client(), app.test_client()
    login(doctor_client, doctor.email)
    login(admin_client, admin.email)
    assert doctor_client.get("/dashboard").status_code == 200

    admin_client.post(f"/admin/accounts/{doctor.id}/suspend")
    assert _user(app, doctor.id).status == AccountStatus.SUSPENDED
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(LoginSession.user_id == doctor.id)) == 0
    assert doctor_client.get("/dashboard").status_code == 302  # the open browser is signed out
    assert login(doctor_client, doctor.email).status_code == 200  # and cannot log in again

    admin_client.post(f"/admin/accounts/{doctor.id}/reinstate")
    assert _user(app, doctor.id).status == AccountStatus.ACTIVE
    assert login(doctor_client, doctor.email).status_code == 302


def test_an_action_that_no_longer_applies_is_refused_with_a_message(app, client, login_as, make_user):
    doctor = make_user(Role.CLINICIAN)
    admin = login_as(Role.ADMIN)
    page = client.post(f"/admin/accounts/{doctor.id}/reject", follow_redirects=True).get_data(as_text=True)
    assert "不再允许" in page
    assert _user(app, doctor.id).status == AccountStatus.ACTIVE
    client.post(f"/admin/accounts/{admin.id}/suspend")
    assert _user(app, admin.id).status == AccountStatus.ACTIVE


def test_unknown_account_is_404(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/accounts/99999").status_code == 404
    assert client.post("/admin/accounts/99999/approve").status_code == 404


def test_account_page_shows_details_and_organisation(client, login_as, make_user):
    expert = make_user(Role.EXPERT, name="孙专家", organization="北京协和医院", phone="13800000000",
                       status=AccountStatus.PENDING)
    login_as(Role.ADMIN)
    page = client.get(f"/admin/accounts/{expert.id}").get_data(as_text=True)
    assert "孙专家" in page and "北京协和医院" in page and "13800000000" in page
    assert f"/admin/accounts/{expert.id}/approve" in page


def test_organisations_list_counts_members_and_can_be_edited(app, client, login_as, make_user):
    make_user(Role.CLINICIAN, organization="中山大学附属第一医院")
    make_user(Role.EXPERT, organization="中山大学附属第一医院")
    login_as(Role.ADMIN)
    with app.app_context():
        org = db.session.scalar(select(Organization).where(Organization.name == "中山大学附属第一医院"))
        org_id = org.id
    page = client.get("/admin/organizations?q=中山").get_data(as_text=True)
    assert "中山大学附属第一医院" in page and ">2</a>" in page

    response = client.post(f"/admin/organizations/{org_id}", data={
        "name": "中山大学附属第一医院", "kind": "hospital", "province": "广东省", "city": "广州市"})
    assert response.status_code == 302
    with app.app_context():
        org = db.session.get(Organization, org_id)
        assert (org.province, org.city) == ("广东省", "广州市")


def test_renaming_to_an_existing_name_is_refused_and_keeps_the_input(app, client, login_as, make_user):
    make_user(Role.CLINICIAN, organization="甲医院")
    make_user(Role.CLINICIAN, organization="乙医院")
    login_as(Role.ADMIN)
    with app.app_context():
        org_id = db.session.scalar(select(Organization.id).where(Organization.name == "乙医院"))
    page = client.post(f"/admin/organizations/{org_id}", data={"name": "甲医院", "kind": "hospital",
                                                                "city": "深圳市"}).get_data(as_text=True)
    assert "已有同名机构" in page and "深圳市" in page


def test_merging_duplicates_moves_members_and_deletes_the_duplicate(app, client, login_as, make_user):
    first = make_user(Role.CLINICIAN, organization="中山一院")
    second = make_user(Role.CLINICIAN, organization="中山大学附属第一医院")
    login_as(Role.ADMIN)
    with app.app_context():
        duplicate = db.session.get(User, first.id).organization_id
        keep = db.session.get(User, second.id).organization_id
    response = client.post(f"/admin/organizations/{duplicate}/merge", data={"keep_id": keep})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organization, duplicate) is None
        assert db.session.get(User, first.id).organization_id == keep
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == keep,
                                                                 AuditEntry.object_type == "organizations"))
