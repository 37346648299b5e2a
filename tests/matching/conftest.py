"""Small known corpora for matching: clinicians' released projects and approved company profiles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.db import db, utcnow
from chunfeng.matching.models import MatchResult, OrgProfile, ProfileKind, ProfileStatus
from chunfeng.submissions.models import DeviceClass, Project, Stage
from chunfeng.submissions.status import Status

THROMBECTOMY = dict(
    title="可调节直径的颅内取栓支架",
    specialty="神经介入",
    public_summary="急性缺血性卒中大血管闭塞机械取栓时，取栓支架尺寸固定，难以贴合粗细不一的血管。"
    "设想一种术中可调节直径、全程显影的取栓支架。",
    need_problem="取栓支架直径固定导致首次再通率低。",
    solution="机密：编织结构与体外调节手柄的具体设计方案。",
    device_class=DeviceClass.III,
    stage=Stage.PROTOTYPE,
    cooperation=["codev", "licensing"],
)
GLAUCOMA = dict(
    title="眼底照片青光眼人工智能筛查",
    specialty="眼科",
    public_summary="青光眼早期无症状，视神经损害不可逆。设想由AI根据眼底照相判断视盘青光眼样改变，提示图像质量。",
    need_problem="基层缺少眼科医生读片，青光眼漏诊多。",
    solution="机密：深度学习模型结构与训练数据来源。",
    device_class=DeviceClass.III,
    stage=Stage.IDEA,
    cooperation=["codev"],
)

STENT_COMPANY = dict(
    kind=ProfileKind.ENTERPRISE,
    region="上海市",
    business_scope="神经介入器械：颅内取栓支架、抽吸导管、血流导向装置的研发与生产。",
    product_lines="取栓支架；抽吸导管；微导管",
    registration_experience=["III"],
    cooperation_modes=["codev"],
)
EYE_COMPANY = dict(
    kind=ProfileKind.ENTERPRISE,
    region="四川省",
    business_scope="眼科影像设备与人工智能：眼底照相机、眼底图像AI辅助诊断软件、青光眼筛查。",
    product_lines="眼底照相机；OCT；AI辅助诊断软件",
    registration_experience=["II"],
    cooperation_modes=["licensing"],
)
ORTHO_COMPANY = dict(
    kind=ProfileKind.ENTERPRISE,
    region="北京市",
    business_scope="骨科植入物：3D打印钛合金人工椎体、髋臼杯，脊柱内固定系统。",
    product_lines="人工椎体；髋臼杯；椎弓根螺钉",
    registration_experience=["III"],
)


@pytest.fixture(autouse=True)
def _quick_password_hashes(fast_password_hashes):
    """Matching tests make many accounts and test no password rule."""


@pytest.fixture
def clinician(make_user) -> User:
    return make_user(Role.CLINICIAN, name="李明", organization="中山大学附属第一医院", province="广东省",
                     phone="13800138000", email="liming@hospital.cn")


@pytest.fixture
def add_project(app):
    """Create a project of `owner` (released for matching unless told otherwise); returns its id."""

    def add(owner: User, status: Status = Status.MATCHING, **fields) -> int:
        with app.app_context():
            project = Project(owner_id=owner.id, status=status, **fields)
            if status in (Status.MATCHING, Status.SELECTED):
                project.published_at = utcnow()
            db.session.add(project)
            db.session.commit()
            return project.id

    return add


@pytest.fixture
def add_company(app, make_user):
    """A company user whose organisation has a profile (approved unless told otherwise); returns the user."""

    def add(name: str, fields: dict, approved: bool = True, role: Role | None = None) -> User:
        role = role or (Role.INVESTOR if fields["kind"] == ProfileKind.INVESTOR else Role.ENTERPRISE)
        user = make_user(role, organization=name)
        with app.app_context():
            db.session.add(OrgProfile(
                organization_id=user.organization_id,
                status=ProfileStatus.APPROVED if approved else ProfileStatus.PENDING,
                **{"registration_experience": [], "cooperation_modes": [], "stages": [], **fields},
            ))
            db.session.commit()
        return user

    return add


def matches_of_project(app, project_id: int) -> list[MatchResult]:
    """The stored matches of a project, in its own ranking order."""
    with app.app_context():
        rows = db.session.scalars(select(MatchResult).where(
            MatchResult.project_id == project_id, MatchResult.rank_for_project.is_not(None))
            .order_by(MatchResult.rank_for_project)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def org_ids_ranked_for(app, project_id: int) -> list[int]:
    return [m.organization_id for m in matches_of_project(app, project_id)]


def profile_id_of(app, user: User) -> int:
    """The id of the profile of a company user's organisation."""
    with app.app_context():
        return db.session.scalar(select(OrgProfile.id).where(OrgProfile.organization_id == user.organization_id))
