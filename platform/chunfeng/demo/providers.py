"""Demo providers: a testing lab, a clinical trial site and a contract manufacturer, each with a staff account and an
approved profile; the lab has accepted 陈专员's request for the registration test of the demo incubation; a
matchmaking day (对接会) in two weeks has its participants and a proposed schedule."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from ..accounts.models import AccountStatus, Role, User
from ..accounts.services import create_user
from ..core.clock import local_today
from ..db import db
from ..incubation.models import Incubation, MilestoneKey
from ..providers import events, profiles
from ..providers import requests as service
from ..providers.errors import ProviderError
from .people import DemoPeople

PROVIDERS = [
    # e-mail, name, organisation, province, profile
    ("lab@demo.chunfeng.cn", "许工程师", "广东省医疗器械质量监督检验所", "广东省", dict(
        kind="lab", summary="国家级医疗器械检验机构，承担第二、三类医疗器械注册检验。", device_classes=["II", "III"],
        categories="神经介入器械 血管内导管 取栓支架 有源医疗器械",
        standards="GB 9706.1 医用电气设备安全；YY 0285 血管内导管；YY/T 0663 血管内支架；生物相容性 GB/T 16886",
        turnaround_days=60)),
    ("gcp@demo.chunfeng.cn", "欧阳主任", "中山大学附属第一医院药物临床试验机构", "广东省", dict(
        kind="trial_site", summary="国家药物和医疗器械临床试验机构，神经介入、心血管、眼科专业备案。",
        device_classes=["II", "III"], categories="神经介入器械 心血管器械",
        specialties="神经介入 神经内科 心血管内科 眼科",
        ethics_cadence="每月第一、三周周三召开伦理审查会", ethics_days=18, contract_days=30)),
    ("cdmo@demo.chunfeng.cn", "梁厂长", "东莞精工医疗器械受托生产有限公司", "广东省", dict(
        kind="cdmo", summary="第二、三类介入器械受托生产（CDMO）。", device_classes=["II", "III"],
        categories="导管 支架", capabilities="导管挤出与编织、镍钛支架激光切割与热定型、环氧乙烷灭菌",
        clean_room_class="十万级（ISO 8）")),
]


def seed(people: DemoPeople, extra_projects: int = 0, extra_companies: int = 0) -> None:  # noqa: ARG001
    admins = people.all(Role.ADMIN)
    if not admins:
        return
    admin = admins[0]
    made = {}
    for email, name, org, province, values in PROVIDERS:
        staff = create_user(email=email, name=name, password=people.password, role=Role.PROVIDER, organization=org,
                            province=province, status=AccountStatus.ACTIVE)
        people.by_email[email] = staff
        profile = profiles.save_profile(profiles.new_profile(staff), values, staff)
        profiles.decide_profile(profile, True, admin)
        made[values["kind"]] = (staff, profile)
    db.session.flush()
    incubation = db.session.scalar(select(Incubation).order_by(Incubation.id))
    if incubation is not None and incubation.officer is not None:
        lab_staff, lab = made["lab"]
        request = service.send_request(
            incubation, lab, incubation.officer, milestone_key=MilestoneKey.REGISTRATION_TESTING,
            scope="注册检验：电气安全、生物相容性与产品技术要求中的全部性能指标，送样 3 批。",
            wanted_start=local_today() + timedelta(days=7))
        service.accept(request, lab_staff, quote="检验费 8.6 万元，含整改后复测一次",
                       agreed_date=local_today() + timedelta(days=10), turnaround_days=60)
    _matchmaking_day(people, admin, made, incubation)


def _matchmaking_day(people: DemoPeople, admin: User, made: dict, incubation: Incubation | None) -> None:
    event = events.create_event(admin, title="2026 大湾区医工对接会", held_on=local_today() + timedelta(days=14),
                                starts_at=time(9, 0), place="广州国际生物岛会议中心", online=False, tables=4,
                                slot_minutes=20, slots=6)
    if incubation is not None:
        events.register(event, incubation.project.owner, [0, 1, 2, 3], incubation.project_id)
    for role in (Role.ENTERPRISE, Role.INVESTOR):
        for user in people.all(role):
            try:
                events.register(event, user, [1, 2, 3, 4])
            except ProviderError:  # an organisation whose profile is not approved does not take part
                continue
    for staff, _profile in made.values():
        events.register(event, staff, [0, 2, 4, 5])
    db.session.flush()
    events.propose_schedule(event, admin)
