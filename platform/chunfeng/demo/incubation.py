"""Demo incubations: 陈专员 accompanies one selected project (two steps done, one overdue, a service record for
every audience) and, when a second selected project exists, one that reached approval and is a success story."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ..accounts.models import Role, User
from ..core.clock import add_working_days, local_today
from ..db import db
from ..incubation import milestones, service_record, starting, stories
from ..incubation.involvement import COMPANY_ROLES, granted_organization_ids
from ..incubation.models import Audience, Incubation, MilestoneKey, MilestoneStatus
from ..submissions.models import DeviceClass, Pathway, Project
from .people import DemoPeople

K = MilestoneKey

# (step, working days after the start it began, working days after the start it finished or None)
RUNNING_PLAN = [
    (K.TECHNICAL_REQUIREMENTS, 0, 28),
    (K.REGISTRATION_TESTING, 20, 95),
    (K.CLINICAL_EVALUATION, 95, None),
]
APPROVED_PLAN = [
    (K.TECHNICAL_REQUIREMENTS, 0, 30),
    (K.REGISTRATION_TESTING, 25, 110),
    (K.CLINICAL_EVALUATION, 60, 190),
    (K.REGISTRATION_SUBMISSION, 190, 200),
    (K.ACCEPTANCE, 200, 202),
    (K.TECHNICAL_REVIEW, 202, 238),
    (K.APPROVAL, 238, 246),
]

ENTRIES = [
    # (working days after the start, kind, audience, text)
    (3, "consultation", Audience.BOTH,
     "启动会：专员、医生与企业注册负责人共同梳理注册路径，确定按第二类医疗器械申报，"
     "申请审评前置，由省局审评中心提前介入产品技术要求的审阅。"),
    (12, "guidance", Audience.COMPANY,
     "产品技术要求草案已转审评中心预审，意见：性能指标需补充取栓支架径向支撑力和"
     "输送系统推送力的检验方法，引用 YY/T 相关标准。"),
    (30, "site_visit", Audience.INTERNAL,
     "走访企业生产现场：洁净车间和检验室条件满足要求；企业注册团队经验不足，"
     "需重点跟进注册检验送样安排。"),
    (60, "guidance", Audience.CLINICIAN,
     "临床评价建议：先检索同品种产品及文献，如能完成同品种比对可免于开展临床试验；"
     "请医生团队整理近三年使用现有产品的病例数据（去标识化）。"),
]


def seed(people: DemoPeople, extra_projects: int = 0, extra_companies: int = 0) -> None:  # noqa: ARG001
    officers, admins = people.all(Role.OFFICER), people.all(Role.ADMIN)
    candidates = sorted(starting.eligible_projects(), key=lambda p: -len(granted_organization_ids(p)))
    if not officers or not admins or not candidates:
        return
    officer, admin = officers[0], admins[0]
    today = local_today()
    running = _start(candidates[0], officer, admin, today - timedelta(days=200))
    _walk(running, officer, RUNNING_PLAN)
    clinical = running.milestone(K.CLINICAL_EVALUATION)
    milestones.update_milestone(clinical, officer, planned_start=clinical.planned_start,
                              planned_due=today - timedelta(days=7), owner=clinical.owner,
                              notes="同品种比对资料收集中，原定上周完成，医院伦理审批延误。")
    _service_record(running, officer)
    if len(candidates) > 1:
        approved = _start(candidates[1], officer, admin, today - timedelta(days=400))
        _walk(approved, officer, APPROVED_PLAN)
        stories.set_success_story_consent(approved, approved.project.owner, True)
    db.session.flush()


def _start(project: Project, officer: User, admin: User, on: date) -> Incubation:
    pathway = starting.recommended_pathways(project)[0]
    if project.device_class == DeviceClass.III and pathway != Pathway.INNOVATION:
        pathway = Pathway.INNOVATION
    return starting.start_incubation(project, officer.id, pathway, admin, start=on)


def _walk(incubation: Incubation, officer: User, plan: list[tuple[MilestoneKey, int, int | None]]) -> None:
    """Start and finish the steps in the order of their days (a start before a finish on the same day), as the
    officer did: finishing a step starts the next one unless it is already running."""
    begin = incubation.started_on
    changes = sorted([(started, 0, key, "start") for key, started, _finished in plan]
                     + [(finished, 1, key, "complete") for key, _started, finished in plan if finished is not None])
    for day, _order, key, event in changes:
        step = incubation.milestone(key)
        if event == "complete" or step.status == MilestoneStatus.NOT_STARTED:
            milestones.change_milestone(step, event, officer, on=add_working_days(begin, day))
    owners = {K.TECHNICAL_REQUIREMENTS: "企业研发部", K.REGISTRATION_TESTING: "企业注册部 / 省医疗器械检验所",
              K.CLINICAL_EVALUATION: "医生团队与企业临床部"}
    for key, owner in owners.items():
        incubation.milestone(key).owner = owner


def _service_record(incubation: Incubation, officer: User) -> None:
    begin = incubation.started_on
    for offset, kind, audience, text in ENTRIES:
        service_record.add_entry(incubation, officer, kind=kind, audience=audience, text=text,
                           occurred_on=add_working_days(begin, offset))
    clinician = incubation.project.owner
    answered = service_record.ask_question(incubation, clinician, "注册检验需要送几台样机？检验周期大概多久？")
    answered.occurred_on = add_working_days(begin, 22)
    service_record.answer_question(answered, officer, "一般送检3台同批次样机，检验周期约2至3个月；"
                                                      "本项目已申请优先检验，预计可缩短至6周左右。")
    service_record.ask_question(incubation, clinician, "临床评价如果走同品种比对，需要我们提供哪些病例资料？")
    granted = db.session.scalars(select(User).where(
        User.organization_id.in_(granted_organization_ids(incubation.project)),
        User.role.in_(COMPANY_ROLES))).first()
    if granted is not None:
        service_record.ask_question(incubation, granted, "审评前置沟通会企业需要准备哪些材料？")
