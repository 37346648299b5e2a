"""Demo profiles (the demo companies, the fund and real device makers), matches and one connection."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from ..accounts.models import Organization, OrgKind
from ..accounts.services import find_or_create_org
from ..db import db, utcnow
from ..matching import connections, grants, messages
from ..matching.common import matchable_clause, profile_of
from ..matching.lifecycles import ProfileEvent, profile_lifecycle
from ..matching.models import Connection, MatchResult, OrgProfile, ProfileKind
from ..matching.refresh import refresh_matches
from ..submissions.models import Project
from .makers import MAKERS
from .people import DemoPeople

DEMO_PROFILES = {
    "深圳迈瑞康医疗器械有限公司": dict(
        kind=ProfileKind.ENTERPRISE,
        region="广东省",
        business_scope="监护、超声影像与体外诊断（IVD）设备的研发、生产和销售，覆盖重症监护、急诊、麻醉与床旁检测。",
        product_lines="多参数监护仪；便携式彩色超声诊断系统；床旁血气与凝血分析仪；化学发光免疫分析试剂",
        registered_products="多参数患者监护仪（II类）\n彩色多普勒超声诊断系统（II类）\n全自动化学发光免疫分析仪（II类）\n"
        "心肌标志物检测试剂盒（III类）",
        rd_capability="300人研发团队，具备嵌入式硬件、超声探头、算法与软件、生物试剂开发能力，设有EMC与可靠性实验室。",
        manufacturing_capability="深圳光明生产基地，十万级洁净车间，通过ISO 13485质量管理体系认证，"
        "具备规模化生产能力。",
        registration_experience=["II", "III"],
        cooperation_modes=["codev", "licensing", "transfer"],
        stages=["prototype", "animal", "clinical"],
    ),
    "上海微创介入医疗科技有限公司": dict(
        kind=ProfileKind.ENTERPRISE,
        region="上海市",
        business_scope="血管介入与神经介入器械：冠脉和外周支架、颅内取栓支架、血流导向装置、微导管、球囊导管的研发与生产。",
        product_lines="冠脉药物洗脱支架；颅内取栓支架；抽吸导管；微导管与导引导丝；外周球囊",
        registered_products="钴铬合金冠脉药物洗脱支架系统（III类）\n颅内取栓支架（III类）\n一次性使用微导管（III类）",
        rd_capability="镍钛合金激光切割与热定型、编织、亲水涂层、药物涂层工艺；动物实验与台架测试平台。",
        manufacturing_capability="上海张江万级洁净车间，III类植入器械生产许可，年产支架数十万套。",
        registration_experience=["III"],
        cooperation_modes=["codev", "licensing", "transfer"],
        stages=["design", "prototype", "animal"],
    ),
    "成都视康医学影像科技有限公司": dict(
        kind=ProfileKind.ENTERPRISE,
        region="四川省",
        business_scope="眼科影像设备与人工智能辅助诊断软件：眼底照相、OCT光学相干断层成像、眼底图像AI筛查。",
        product_lines="免散瞳眼底照相机；OCT；糖尿病视网膜病变与青光眼AI辅助诊断软件；远程眼科筛查平台",
        registered_products="免散瞳眼底照相机（II类）\n眼底图像辅助诊断软件（III类）",
        rd_capability="光学设计、图像处理与深度学习团队，拥有十万张以上标注眼底图像数据库，与华西眼科合作开展临床试验。",
        manufacturing_capability="成都高新区光学装配与检测产线，通过ISO 13485认证。",
        registration_experience=["II", "III"],
        cooperation_modes=["codev", "licensing"],
        stages=["prototype", "clinical"],
    ),
    "粤港澳大湾区医疗健康产业基金": dict(
        kind=ProfileKind.INVESTOR,
        region="广东省",
        focus_areas="创新医疗器械：心血管与神经介入、结构性心脏病、手术机器人、医学影像与人工智能、体外诊断；"
        "重点关注具有临床原创性、已完成样机或动物实验的项目。",
        stages=["prototype", "animal", "clinical"],
        ticket_min=500,
        ticket_max=5000,
        cooperation_modes=["funding"],
    ),
}

# Where the makers in the candidates file are based (None: abroad or not stated).
CITY_PROVINCE = {
    "深圳": "广东省", "上海": "上海市", "北京": "北京市", "苏州": "江苏省", "无锡": "江苏省", "常熟": "江苏省",
    "南通": "江苏省", "南京": "江苏省", "江苏": "江苏省", "浙江": "浙江省", "杭州": "浙江省", "武汉": "湖北省",
    "成都": "四川省", "重庆": "重庆市", "河南": "河南省", "沈阳": "辽宁省", "兰州": "甘肃省", "河北": "河北省",
    "通桥": "上海市", "航天泰心": "北京市",
}  # fmt: skip
SOFTWARE_OR_IVD = ("软件", "试剂", "检测", "测量")


def _province(company: str) -> str:
    return next((province for key, province in CITY_PROVINCE.items() if key in company), "")


def _candidate_profiles() -> dict[str, dict]:
    """The real device makers, one profile per company."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for company, product, description, _source in MAKERS:
        grouped.setdefault(company, []).append((product, description))
    profiles = {}
    for company, rows in grouped.items():
        products = [product for product, _description in rows]
        classes = ["II", "III"] if any(w in "".join(products) for w in SOFTWARE_OR_IVD) else ["III"]
        profiles[company] = dict(
            kind=ProfileKind.ENTERPRISE,
            region=_province(company),
            business_scope="；".join(description for _product, description in rows),
            product_lines="；".join(products),
            registered_products="\n".join(f"{p}（{classes[-1]}类）" for p in products),
            registration_experience=classes,
            cooperation_modes=["codev", "licensing"],
        )
    return profiles


def _add_profile(org: Organization, fields: dict, approved_by) -> OrgProfile:
    """A profile submitted and approved by the administrator, through the profile lifecycle."""
    profile = profile_lifecycle.begin(OrgProfile(
        organization_id=org.id,
        **{"registration_experience": [], "cooperation_modes": [], "stages": [], **fields},
    ))
    db.session.add(profile)
    db.session.flush()
    profile.approved_by_id, profile.approved_at = approved_by.id, utcnow()
    profile_lifecycle.apply(profile, ProfileEvent.APPROVE, approved_by)
    return profile


# Synthetic companies for load tests: a few specialties, each with products and capabilities.
_SYNTH = {
    "心血管": ("冠脉药物洗脱支架", "药物涂层球囊", "外周血管支架", "血管内超声导管", "主动脉覆膜支架"),
    "神经介入": ("颅内取栓支架", "抽吸导管", "血流导向装置", "弹簧圈", "颈动脉支架"),
    "眼科": ("人工晶状体", "眼底照相机", "OCT成像系统", "青光眼引流装置", "角膜塑形镜"),
    "骨科": ("脊柱内固定系统", "人工髋关节", "3D打印椎间融合器", "骨科手术导航", "可吸收骨钉"),
    "呼吸": ("经支气管镜活检导管", "无创呼吸机", "高流量氧疗仪", "电磁导航支气管镜", "肺功能检测仪"),
    "体外诊断": ("化学发光试剂", "基因测序试剂盒", "POCT血气分析仪", "病原体核酸检测", "肿瘤甲基化检测"),
    "影像": ("超声诊断系统", "移动DR", "CT探测器", "MRI线圈", "AI影像辅助诊断软件"),
    "手术器械": ("腔镜吻合器", "超声刀", "手术机器人", "电外科平台", "一次性穿刺器"),
}
_PROVINCES = ("广东省", "上海市", "北京市", "江苏省", "浙江省", "四川省", "湖北省", "山东省", "福建省")


def _synthetic_companies(count: int, admin) -> None:
    """Bulk-insert `count` organisations with approved profiles (2,000 in a few seconds): rows written in bulk, as
    the approved profiles of a data import, without going through the profile lifecycle one by one."""
    rng = random.Random(2026)  # nosec B311
    specialties = list(_SYNTH)
    approved = profile_lifecycle.next_status(profile_lifecycle.initial, ProfileEvent.APPROVE)
    orgs, profiles = [], []
    for n in range(count):
        specialty = rng.choice(specialties)
        products = rng.sample(_SYNTH[specialty], 3)
        province = rng.choice(_PROVINCES)
        name = f"{province[:2]}{specialty}器械测试企业{n + 1:05d}"
        orgs.append({"name": name, "kind": OrgKind.ENTERPRISE, "province": province, "city": ""})
        profiles.append({
            "kind": ProfileKind.ENTERPRISE, "status": approved, "region": province,
            "business_scope": f"{specialty}领域医疗器械研发与生产，主要产品：{'、'.join(products)}。",
            "product_lines": "；".join(products),
            "registration_experience": rng.sample(["II", "III"], rng.randint(1, 2)),
            "cooperation_modes": rng.sample(["codev", "licensing", "transfer"], 2), "stages": [],
            "approved_by_id": admin.id, "approved_at": utcnow(),
        })  # fmt: skip
    now = utcnow()
    db.session.execute(insert(Organization), [{**o, "created_at": now, "updated_at": now} for o in orgs])
    ids = dict(
        db.session.execute(
            select(Organization.name, Organization.id).where(Organization.name.in_([o["name"] for o in orgs]))
        ).all()
    )
    db.session.execute(
        insert(OrgProfile),
        [
            {**p, "organization_id": ids[o["name"]], "created_at": now, "updated_at": now}
            for o, p in zip(orgs, profiles, strict=True)
        ],
    )


def _demo_connection(people: DemoPeople) -> None:
    """An accepted connection with a shared timeline and messages, a pending request and a clinician's invitation
    awaiting a company's answer, if published projects exist."""
    from ..accounts.models import Role

    companies = people.all(Role.ENTERPRISE)
    chosen: list[tuple] = []
    for user in companies:
        best = db.session.scalar(
            select(MatchResult)
            .join(Project, Project.id == MatchResult.project_id)
            .where(MatchResult.organization_id == user.organization_id, matchable_clause())
            .order_by(MatchResult.score.desc())
            .limit(1)
        )
        if best is not None:
            chosen.append((best.score, user, best.project))
    if not chosen:
        return
    chosen.sort(key=lambda item: -item[0])
    _score, user, project = chosen[0]
    connection = connections.request_connection(
        project, user, "我们在该领域有成熟的III类产品注册经验和生产线，希望与您探讨联合开发和临床评价方案。"
    )
    connections.decide_connection(connection, project.owner, accept=True, note="欢迎联系，期待合作。")
    _backdate(connection, days=12)
    today = utcnow().date()
    connections.add_event(
        connection,
        user,
        "meeting",
        today - timedelta(days=7),
        "线上首次沟通：介绍临床需求与样机进展，企业介绍工艺平台与注册检验计划。",
    )
    connections.add_event(
        connection,
        project.owner,
        "nda_signed",
        today - timedelta(days=2),
        "双方签署保密协议，约定下月到企业研发中心现场交流。",
    )
    _demo_messages(connection, user)
    for _score, other, other_project in chosen[1:2]:
        connections.request_connection(
            other_project, other, "贵项目与我司产品线高度相关，希望了解样机与临床数据，探讨技术许可或共同开发。"
        )
    _demo_invitation(project, companies)


def _demo_messages(connection: Connection, company_user) -> None:
    """Two messages after the NDA, in the order they were written."""
    clinician = connection.project.owner
    written = [
        messages.post_message(connection, company_user,
                              "医生您好，保密协议已签署。下周三上午方便来我司研发中心看样机工艺吗？"),
        messages.post_message(connection, clinician,
                              "周三上午可以，我会带上最近的动物实验数据，请准备台架测试方案。"),
    ]
    for hours_ago, message in zip((30, 26), written, strict=True):
        message.created_at = utcnow() - timedelta(hours=hours_ago)


def _demo_invitation(project: Project, companies: list) -> None:
    """The clinician invites a demo company suggested for the project that has no open connection with it."""
    for user in companies:
        profile = profile_of(user.organization_id)
        if profile is None or not profile.is_approved:
            continue
        if connections.open_connection(project.id, user.organization_id) is None:
            connections.invite_company(
                project, user.organization, project.owner,
                "您好，我在贵公司的产品线中看到了与本项目相近的技术平台，希望邀请贵公司一起评估样机并探讨联合开发。")
            return


def _backdate(connection: Connection, days: int) -> None:
    """Requested `days` ago and accepted two days later, so the timeline reads in order."""
    requested = utcnow() - timedelta(days=days)
    accepted = requested + timedelta(days=2)
    connection.created_at, connection.decided_at = requested, accepted
    for event, when in zip(connection.events, (requested, accepted), strict=False):
        event.happened_on = when.date()
    grant = grants.active_grant(connection.project_id, connection.organization_id)
    grant.granted_at = accepted
    grant.consent.granted_at = accepted


def seed(people: DemoPeople, extra_projects: int = 0, extra_companies: int = 0) -> None:  # noqa: ARG001
    from ..accounts.models import Role

    admin = people.first(Role.ADMIN)
    for name, fields in DEMO_PROFILES.items():
        org = db.session.scalar(select(Organization).where(Organization.name == name))
        if org is not None:
            _add_profile(org, fields, admin)
    for name, fields in _candidate_profiles().items():
        org = find_or_create_org(name, OrgKind.ENTERPRISE, fields["region"])
        if profile_of(org.id) is None:
            _add_profile(org, fields, admin)
    if extra_companies > 0:
        db.session.flush()
        _synthetic_companies(extra_companies, admin)
    refresh_matches()
    db.session.commit()
    _demo_connection(people)
