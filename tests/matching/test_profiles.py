"""Organisation profiles: edited by the organisation's own users, approved by an administrator before matching."""

from __future__ import annotations

from sqlalchemy import select

from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.matching.models import OrgProfile, ProfileKind, ProfileStatus
from tests.conftest import login

from .conftest import THROMBECTOMY, org_ids_ranked_for

SCOPE = "神经介入器械：颅内取栓支架、抽吸导管、血流导向装置的研发与生产"


def _profile(app, organization_id: int) -> OrgProfile | None:
    with app.app_context():
        profile = db.session.scalar(select(OrgProfile).where(OrgProfile.organization_id == organization_id))
        if profile is not None:
            db.session.expunge(profile)
        return profile


def test_an_enterprise_user_fills_in_the_profile_which_waits_for_approval(app, client, make_user, clinician,
                                                                          add_project):
    admin = make_user("admin")
    company = make_user("enterprise", organization="上海神经介入器械有限公司")
    project_id = add_project(clinician, **THROMBECTOMY)
    login(client, company.email)
    page = client.get("/matching/profile").get_data(as_text=True)
    assert "经营范围" in page and "注册经验" in page and "投资阶段" not in page
    response = client.post("/matching/profile", data={
        "business_scope": SCOPE, "product_lines": "取栓支架", "registration_experience": ["III"],
        "region": "上海市", "cooperation_modes": ["codev", "licensing"]})
    assert response.status_code == 302
    profile = _profile(app, company.organization_id)
    assert profile.status == ProfileStatus.PENDING and profile.kind == ProfileKind.ENTERPRISE
    assert profile.registration_experience == ["III"] and profile.cooperation_modes == ["codev", "licensing"]
    assert org_ids_ranked_for(app, project_id) == [], "not matched before approval"
    page = client.get("/matching/projects").get_data(as_text=True)
    assert "等待管理员审核" in page and THROMBECTOMY["title"] not in page
    with app.app_context():
        assert db.session.scalar(select(Notification.id).where(Notification.user_id == admin.id)) is not None

    client.post("/account/logout")
    login(client, admin.email)
    assert "上海神经介入器械有限公司" in client.get("/matching/admin/profiles?status=pending").get_data(as_text=True)
    response = client.post(f"/matching/admin/profiles/{profile.id}", data={"decision": "approve"})
    assert response.status_code == 302
    assert _profile(app, company.organization_id).status == ProfileStatus.APPROVED
    assert org_ids_ranked_for(app, project_id) == [company.organization_id], "matched once approved"

    client.post("/account/logout")
    login(client, company.email)
    assert THROMBECTOMY["title"] in client.get("/matching/projects").get_data(as_text=True)


def test_a_rejected_form_keeps_what_was_typed_and_says_why(app, client, login_as):
    user = login_as("enterprise", organization="某医疗器械公司")
    response = client.post("/matching/profile", data={"business_scope": "支架", "product_lines": "外周球囊导管"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "外周球囊导管" in page and "字段长度必须介于 10 到 2000 个字符之间" in page
    assert _profile(app, user.organization_id) is None


def test_an_investor_fills_in_focus_stages_and_ticket_size(app, client, login_as):
    user = login_as("investor", organization="大湾区医疗基金")
    page = client.get("/matching/profile").get_data(as_text=True)
    assert "关注领域" in page and "投资阶段" in page and "经营范围" not in page
    data = {"focus_areas": "神经介入、眼科人工智能、手术机器人", "stages": ["prototype", "animal"],
            "ticket_min": "5000", "ticket_max": "500"}
    page = client.post("/matching/profile", data=data).get_data(as_text=True)
    assert "最高投资额不能低于最低投资额" in page and _profile(app, user.organization_id) is None
    assert client.post("/matching/profile", data={**data, "ticket_max": "8000"}).status_code == 302
    profile = _profile(app, user.organization_id)
    assert profile.kind == ProfileKind.INVESTOR and profile.stages == ["prototype", "animal"]
    assert (profile.ticket_min, profile.ticket_max) == (5000, 8000)


def test_colleagues_share_one_profile_and_other_roles_have_none(app, client, make_user):
    first = make_user("enterprise", organization="上海神经介入器械有限公司")
    colleague = make_user("enterprise", organization="上海神经介入器械有限公司")
    login(client, first.email)
    client.post("/matching/profile", data={"business_scope": SCOPE})
    client.post("/account/logout")
    login(client, colleague.email)
    assert SCOPE in client.get("/matching/profile").get_data(as_text=True)
    client.post("/account/logout")
    for role in ("clinician", "expert"):
        login(client, make_user(role).email)
        assert client.get("/matching/profile").status_code == 403
        client.post("/account/logout")


def test_an_unapproved_company_account_cannot_edit(client, make_user):
    from chunfeng.accounts.models import AccountStatus

    pending = make_user("enterprise", status=AccountStatus.PENDING)
    login(client, pending.email)
    assert client.post("/matching/profile", data={"business_scope": SCOPE}).status_code == 403


def test_returning_a_profile_needs_a_note_and_tells_the_company(app, client, make_user):
    company = make_user("enterprise", organization="某医疗器械公司")
    login(client, company.email)
    client.post("/matching/profile", data={"business_scope": SCOPE})
    profile_id = _profile(app, company.organization_id).id
    client.post("/account/logout")
    login(client, make_user("admin").email)
    response = client.post(f"/matching/admin/profiles/{profile_id}", data={"decision": "return"})
    assert response.status_code == 400 and "请说明需要该机构修改的内容" in response.get_data(as_text=True)
    client.post(f"/matching/admin/profiles/{profile_id}", data={"decision": "return", "note": "请补充已注册产品"})
    assert _profile(app, company.organization_id).status == ProfileStatus.REJECTED
    client.post("/account/logout")
    login(client, company.email)
    assert "请补充已注册产品" in client.get("/matching/profile").get_data(as_text=True)
    client.post("/matching/profile", data={"business_scope": SCOPE, "registered_products": "取栓支架（III类）"})
    assert _profile(app, company.organization_id).status == ProfileStatus.PENDING, "saving resubmits it"


def test_only_administrators_review_profiles(client, login_as):
    login_as("enterprise")
    assert client.get("/matching/admin/profiles").status_code == 403
    assert client.get("/matching/admin/connections").status_code == 403


def test_administrators_read_many_profiles_a_page_at_a_time_those_waiting_first(app, client, make_user):
    from chunfeng.accounts.models import Organization

    admin = make_user("admin")
    with app.app_context():
        for n in range(53):
            organization = Organization(name=f"第{n:02d}号医疗器械公司", kind="enterprise")
            db.session.add(organization)
            db.session.flush()
            status = ProfileStatus.PENDING if n >= 50 else ProfileStatus.APPROVED
            db.session.add(OrgProfile(organization_id=organization.id, kind=ProfileKind.ENTERPRISE, status=status,
                                      business_scope=SCOPE))
        db.session.commit()
    login(client, admin.email)
    first = client.get("/matching/admin/profiles").get_data(as_text=True)
    assert all(f"第{n}号医疗器械公司" in first for n in (50, 51, 52)), "those waiting for a decision come first"
    assert first.count("号医疗器械公司") == 50 and "1 / 2" in first
    second = client.get("/matching/admin/profiles?page=2").get_data(as_text=True)
    assert second.count("号医疗器械公司") == 3
    assert client.get("/matching/admin/profiles?status=pending&page=9").get_data(as_text=True).count(
        "号医疗器械公司") == 3
