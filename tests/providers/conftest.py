"""Providers on the platform, built through the real services: approved profiles of each kind, and incubations
started through incubation's own fixtures (tests/incubation/conftest.py)."""

from __future__ import annotations

import pytest

from chunfeng.accounts.models import Role, User
from chunfeng.db import db
from chunfeng.providers import profiles
from chunfeng.providers.models import ProviderProfile
from tests.incubation.conftest import MONDAY, Started, at, make_project, start  # noqa: F401 - fixtures reused

LAB = dict(kind="lab", summary="有源医疗器械注册检验，电气安全与电磁兼容。", region="上海市",
           device_classes=["II", "III"],
           categories="神经介入器械 导管 支架", standards="GB 9706.1 医用电气设备安全；YY/T 0287；导管类产品性能检验",
           turnaround_days=60)
SITE = dict(kind="trial_site", summary="国家药物临床试验机构，神经内科与神经介入专业备案。", region="北京市",
            device_classes=["II", "III"], categories="神经介入器械", specialties="神经内科 神经介入 取栓",
            ethics_cadence="每月两次伦理会", ethics_days=14, contract_days=30)
CDMO = dict(kind="cdmo", summary="导管与支架的受托生产。", region="江苏省", device_classes=["II", "III"],
            categories="导管 支架", capabilities="导管挤出、编织、激光切割支架、环氧乙烷灭菌",
            clean_room_class="十万级")


@pytest.fixture(autouse=True)
def _quick_password_hashes(fast_password_hashes):
    """These tests are not about passwords."""


@pytest.fixture
def make_provider(app, make_user):
    """A provider's staff member and their profile (approved unless told otherwise); returns (user, profile id)."""
    def make(values: dict = LAB, approved: bool = True, organization: str = "", admin: User | None = None):
        staff = make_user(Role.PROVIDER, organization=organization or f"{values['kind']} 服务机构 {id(values)}")
        admin = admin or make_user(Role.ADMIN, name="平台管理员")
        with app.test_request_context():
            user = db.session.get(User, staff.id)
            profile = profiles.save_profile(profiles.new_profile(user), values, user)
            if approved:
                profiles.decide_profile(profile, True, db.session.get(User, admin.id))
            db.session.commit()
            return staff, profile.id
    return make


def provider(profile_id: int) -> ProviderProfile:
    return db.session.get(ProviderProfile, profile_id)
