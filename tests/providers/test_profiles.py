"""Provider profiles: the staff fill them in, an administrator approves or returns them, and only approved ones are
offered to projects."""

from __future__ import annotations

from sqlalchemy import select

from chunfeng.accounts.models import Role
from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.matching.models import ProfileStatus
from chunfeng.providers.models import ProviderProfile
from tests.conftest import login

from .conftest import LAB, SITE


def _profile_of(user) -> ProviderProfile:
    return db.session.scalar(select(ProviderProfile).where(ProviderProfile.organization_id == user.organization_id))


def test_staff_fill_in_the_profile_and_it_waits_for_approval(app, client, login_as, make_user):
    admin = make_user(Role.ADMIN)
    staff = login_as(Role.PROVIDER, organization="华东医疗器械检验所")
    page = client.get("/providers/profile")
    assert page.status_code == 200 and "服务机构资料" in page.get_data(as_text=True)
    response = client.post("/providers/profile", data={**LAB, "device_classes": ["II", "III"]})
    assert response.status_code == 302
    with app.app_context():
        profile = _profile_of(staff)
        assert profile.status == ProfileStatus.PENDING and profile.turnaround_days == 60
        assert profile.device_classes == ["II", "III"] and "GB 9706.1" in profile.standards
        told = db.session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
        assert len(told) == 1
    assert "待审核" in client.get("/providers/profile").get_data(as_text=True)


def test_an_empty_profile_is_refused_with_a_chinese_message(app, client, login_as):
    staff = login_as(Role.PROVIDER)
    bad_days = client.post("/providers/profile", data={**LAB, "turnaround_days": "-3"})
    assert bad_days.status_code == 400 and "请填写 1 到 3650 之间的天数" in bad_days.get_data(as_text=True)
    empty = client.post("/providers/profile", data={"kind": "lab", "region": "上海市"})
    assert empty.status_code == 400 and "请描述贵机构提供的服务" in empty.get_data(as_text=True)
    with app.app_context():
        assert _profile_of(staff) is None


def test_the_administrator_returns_with_a_note_then_approves_the_resubmitted_profile(app, client, login_as,
                                                                                       make_provider):
    staff, profile_id = make_provider(SITE, approved=False)
    admin = login_as(Role.ADMIN)
    queue = client.get("/admin/providers").get_data(as_text=True)
    assert "待审核" in queue and "临床试验机构" in queue
    refused = client.post(f"/admin/providers/{profile_id}", data={"decision": "return", "note": ""})
    assert refused.status_code == 400 and "请告诉服务机构需要修改什么" in refused.get_data(as_text=True)
    returned = client.post(f"/admin/providers/{profile_id}", data={"decision": "return", "note": "请补充伦理审查周期"})
    assert returned.status_code == 302
    with app.app_context():
        profile = db.session.get(ProviderProfile, profile_id)
        assert profile.status == ProfileStatus.REJECTED and profile.review_note == "请补充伦理审查周期"
        told = db.session.scalars(select(Notification).where(Notification.user_id == staff.id)).all()
        assert told, "the provider's staff are told"
    client.post("/account/logout")
    login(client, staff.email)
    assert "请补充伦理审查周期" in client.get("/providers/profile").get_data(as_text=True)
    assert client.post("/providers/profile", data={**SITE, "ethics_cadence": "每月第一、三周周三"}).status_code == 302
    with app.app_context():
        assert db.session.get(ProviderProfile, profile_id).status == ProfileStatus.PENDING
    client.post("/account/logout")
    login(client, admin.email)
    assert client.post(f"/admin/providers/{profile_id}", data={"decision": "approve"}).status_code == 302
    with app.app_context():
        assert db.session.get(ProviderProfile, profile_id).status == ProfileStatus.APPROVED


def test_only_providers_edit_profiles_and_only_administrators_decide(client, login_as, make_provider):
    _staff, profile_id = make_provider(LAB, approved=False)
    login_as(Role.ENTERPRISE)
    assert client.get("/providers/profile").status_code == 403
    assert client.get("/admin/providers").status_code == 403
    assert client.post(f"/admin/providers/{profile_id}", data={"decision": "approve"}).status_code == 403
