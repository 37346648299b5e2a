"""Demo data for expert review: the reference rubric, expert profiles, a published spring round (reviews, the
panel's discussion with a lead reviewer's meta-review and a revised review, decisions, public results) and an
autumn round in progress (formal check passed, invitations, drafts, a decline, one submitted review whose expert
is the lead reviewer). With extra projects (load tests): a round of ~200 projects with synthetic experts."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import AccountStatus, OrgKind, Role, User
from ..accounts.services import find_or_create_org, hash_password
from ..db import db, utcnow
from ..reviews import assignment as assigning
from ..reviews import deliberation, lead, services
from ..reviews.models import Assignment, AssignmentStatus, DeclineReason, ExpertProfile, Outcome, ReviewRound
from ..reviews.panel import project_panel
from ..reviews.reviewing import ReviewInput, as_input, save
from ..reviews.rubrics import ensure_default_rubric
from ..submissions.models import Project
from ..submissions.status import Status
from .people import DemoPeople

# e-mail: (specialties, keywords, maximum load per round, biography)
EXPERT_PROFILES = {
    "expert@demo.chunfeng.cn": (
        "心血管内科, 心脏外科, 结构性心脏病",
        "冠脉支架, 心脏瓣膜, 二尖瓣反流, 人工腱索, 经导管介入, 心力衰竭, 心脏术后引流",
        8, "从事冠心病与结构性心脏病介入诊疗三十年，参与多项心血管创新器械临床试验。"),
    "expert2@demo.chunfeng.cn": (
        "神经内科, 脑血管病, 神经介入", "急性缺血性脑卒中, 机械取栓, 取栓支架, 血管再通, 颅内动脉瘤, 神经重症",
        8, "脑血管病诊疗与卒中中心建设，担任多项取栓器械注册临床试验主要研究者。"),
    "expert3@demo.chunfeng.cn": (
        "生物医学工程, 医疗器械研发与注册", "镍钛合金, 植入材料, 传感器, 医学影像, 人工智能软件, 注册检验, 气管插管",
        12, "医疗器械设计验证与注册检验，熟悉创新医疗器械特别审查程序。"),
    "expert4@demo.chunfeng.cn": (
        "眼科, 眼科影像", "眼底照相, 视网膜病变, 早产儿视网膜病变, 青光眼, 白内障, 眼科人工智能",
        8, "眼底病与眼科影像诊断，参与眼科人工智能软件临床评价。"),
}

# criterion scores (need, benefit, novelty, feasibility, ip, translation, team), overall, confidence, comments
SPRING_REVIEWS = [
    ((5, 5, 4, 4, 4, 4, 4), 5, 1,
     "临床需求明确，远端栓塞是取栓术后预后不良的重要原因；体外模型数据有说服力，建议尽快完成动物实验。",
     "建议补充不同血栓硬度下的体外对比数据，并尽早与检验机构沟通注册检验方案。"),
    ((5, 4, 4, 4, 4, 5, 4), 4, 2,
     "一体化远端保护设计有新意，需关注网篮回收时的血管损伤风险。",
     "请在动物实验中评估网篮回收对血管内膜的影响，这是审评关注重点。"),
    ((4, 4, 5, 3, 4, 4, 3), 4, 1,
     "材料与结构设计可行，镍钛合金热处理工艺需与企业共同验证。",
     "建议尽早引入有III类神经介入产品经验的企业。"),
    ((4, 5, 4, 4, 5, 4, 4), 4, 1,
     "不停跳腱索植入可惠及高危患者，国内尚无同类产品获批。",
     "请补充慢性动物实验及腱索耐久性数据。"),
    ((4, 4, 3, 4, 5, 3, 4), 3, 2,
     "与国外已上市产品相比差异化有限，需明确光纤反馈的临床价值。",
     "建议梳理与国外同类产品的差异，明确创新点。"),
    ((4, 4, 4, 3, 5, 4, 3), 4, 1, "输送系统设计合理，长度调节装置需进行可靠性验证。", ""),
]


def seed(people: DemoPeople, extra_projects: int = 0, extra_companies: int = 0) -> None:  # noqa: ARG001
    admin = people.first(Role.ADMIN)
    ensure_default_rubric(admin)
    _profiles(people)
    db.session.flush()
    accepted = _projects(Status.ACCEPTED)
    submitted = _projects(Status.SUBMITTED)
    if accepted:
        _spring_round(admin, accepted)
    if submitted:
        _autumn_round(admin, submitted, people)
    if extra_projects:
        load_test_round(admin, people)


def _profiles(people: DemoPeople) -> None:
    for email, (specialties, keywords, max_load, bio) in EXPERT_PROFILES.items():
        expert = people.by_email.get(email)
        if expert is not None:
            db.session.add(ExpertProfile(user=expert, specialties=specialties, keywords=keywords,
                                         max_load_per_round=max_load, bio=bio))


def _projects(status: Status) -> list[Project]:
    """Demo projects of the intake domain in `status` (never the synthetic load-test ones)."""
    return list(db.session.scalars(select(Project).join(User, Project.owner_id == User.id).where(
        Project.status == status, User.email.like("%@demo.chunfeng.cn")).order_by(Project.id)))


def _settings(name: str, start: int, close: int, deadline: int, per_project: int) -> services.RoundSettings:
    today = utcnow().date()
    return services.RoundSettings(
        name=name, opens_on=today + timedelta(days=start), closes_on=today + timedelta(days=close),
        review_deadline=today + timedelta(days=deadline), experts_per_project=per_project,
        description="春雨行动医疗器械创新项目征集与专家评审")


def _spring_round(admin: User, projects: list[Project]) -> None:
    """Reviewed, decided and published: its selected projects go on to matching and incubation."""
    round_ = services.create_round(_settings("2026年春季批次", -240, -180, -150, 3), admin)
    services.change_round_status(round_, "open", admin)
    for project in projects[:2]:
        services.enter_round(round_, project, admin)
    assigning.propose(round_, admin)
    assigning.send_proposals(round_, admin)
    sheets = iter(SPRING_REVIEWS)
    for assignment in _sent(round_):
        scores, overall, confidence, panel, to_clinician = next(sheets, SPRING_REVIEWS[-1])
        _review(assignment, scores, overall, confidence, panel, to_clinician)
    services.change_round_status(round_, "close_intake", admin)
    if round_.entries:
        _deliberate(round_.entries[0], admin)
    outcomes = [Outcome.SELECTED_PRIORITY, Outcome.SELECTED]
    for entry, outcome in zip(round_.entries, outcomes, strict=False):
        _decide(round_, entry, outcome, admin)
    services.change_round_status(round_, "conclude", admin)
    services.publish(round_, admin)


def _autumn_round(admin: User, projects: list[Project], people: DemoPeople) -> None:
    """In progress: two projects passed the formal check into it, the rest wait in the queue."""
    round_ = services.create_round(_settings("2026年秋季批次", -30, 20, 45, 3), admin)
    services.change_round_status(round_, "open", admin)
    for project in projects[:2]:
        services.pass_formal_check(project, admin, round_, "材料齐全，进入专家评审。")
    assigning.propose(round_, admin)
    assigning.send_proposals(round_, admin)
    sent = _sent(round_)
    if sent:
        _review(sent[0], (4, 4, 4, 3, 3, 4, 4), 4, 1, "需求真实，方案可行，建议补充临床试验设计。",
                "建议尽早开展多中心临床试验设计。")
    if len(sent) > 1:
        assigning.accept(sent[1], sent[1].expert)  # a draft in progress
        save(sent[1], ReviewInput({"need": 4, "benefit": 4}, {}, None, None, "", ""), sent[1].expert)
    if len(sent) > 2:
        assigning.decline(sent[2], sent[2].expert, DeclineReason.UNAVAILABLE, "本月出国开会，无法按期完成。")
    if sent:
        lead.designate(services.entry_for(round_, sent[0].project), sent[0].expert, admin)


def _deliberate(entry, admin: User) -> None:
    """Before deciding, the panel discusses the project: a lead reviewer, two messages, a review revised after the
    discussion (its earlier scores kept), the meta-review and the others' answers."""
    submitted = [a for a in assigning.round_assignments(entry.round)
                 if a.project_id == entry.project_id and a.status == AssignmentStatus.SUBMITTED]
    if len(submitted) < 2:
        return
    chief, second = submitted[0], submitted[1]
    lead.designate(entry, chief.expert, admin)
    deliberation.post(entry, second.expert, "远端保护伞的回收路径是否会增加血管痉挛风险？体外模型没有覆盖迂曲血管。")
    deliberation.post(entry, chief.expert, "同意需要补充迂曲血管模型；但远端栓塞减少约60%的数据足以支持重点培育。")
    answers = as_input(second.review)
    scores = {**answers.scores, "feasibility": max(1, answers.scores.get("feasibility", 4) - 1)}
    deliberation.revise(second, ReviewInput(scores, answers.gates, answers.overall, answers.confidence,
                                            answers.comment_panel, answers.comment_submitter), second.expert,
                        "讨论后认为迂曲血管中的回收可靠性尚未验证，下调技术可行性一分。")
    lead.write_summary(entry, chief.expert, "三位专家一致认可临床需求和远端保护设计的创新性；分歧在于技术成熟度："
                       "迂曲血管中的回收可靠性需补充验证。综合建议：推荐重点培育，并在动物实验中专项评估。")
    for other in submitted[1:]:
        lead.respond(entry, other.expert, True)


def _sent(round_: ReviewRound) -> list[Assignment]:
    return [a for a in assigning.round_assignments(round_) if a.status == AssignmentStatus.INVITED]


def _review(assignment: Assignment, scores, overall: int, confidence: int, panel: str, to_clinician: str) -> None:
    assigning.accept(assignment, assignment.expert)
    keys = [c.key for c in assignment.round.rubric.criteria]
    data = ReviewInput(dict(zip(keys, scores, strict=True)), {g.key: True for g in assignment.round.rubric.gates},
                       overall, confidence, panel, to_clinician)
    save(assignment, data, assignment.expert, submit=True)


def _decide(round_: ReviewRound, entry, outcome: Outcome, admin: User) -> None:
    """The demo panel follows the rubric's suggestion, and recommends the class's pathway to every selected project
    (a departure from the suggestion for projects below the priority band, so it gives its reason)."""
    suggestion = project_panel(round_, entry).suggestion
    pathways = ["innovation"] if entry.project.device_class.value == "III" else ["pre_review"]
    departs = outcome.value != suggestion.outcome or set(pathways) != set(suggestion.pathways)
    reason = "专家会议讨论：该项目属第三类创新产品，建议按创新医疗器械特别审查程序准备。" if departs else ""
    services.decide(round_, entry, services.DecisionInput(outcome, pathways, reason,
                                                          "祝贺入选，平台将安排专员跟踪服务。"), admin)


# --- load tests --------------------------------------------------------------------------------------------

LOAD_SPECIALTIES = [
    ("神经介入科", "取栓支架, 血流导向装置, 弹簧圈, 抽吸导管, 颅内动脉瘤, 卒中"),
    ("心脏外科", "人工腱索, 瓣膜成形环, 心尖封堵, 体外循环, 术后引流"),
    ("心血管内科", "冠脉支架, 药物涂层球囊, 左心耳封堵, 射频消融, 房颤"),
    ("眼科", "眼底相机, 青光眼引流, 人工晶状体, 玻璃体切割, 视网膜病变"),
    ("呼吸与危重症医学科", "机械通气, 气囊压力, 肺功能, 支气管镜, 雾化"),
    ("骨科", "椎弓根螺钉, 骨折固定, 关节置换, 脊柱融合, 外固定"),
    ("普通外科", "吻合器, 疝修补补片, 止血夹, 腹腔镜, 负压伤口治疗"),
    ("泌尿外科", "输尿管软镜, 双J管, 前列腺消融, 碎石, 膀胱冲洗"),
    ("妇产科", "宫腔压迫球囊, 产后出血, 胎心监护, 宫腔镜, 盆底康复"),
    ("儿科", "新生儿无创通气, 留置针, 经皮胆红素, 儿童雾化, 输液泵"),
    ("麻醉科", "可视喉镜, 神经阻滞, 麻醉深度, 困难气道, 镇痛泵"),
    ("康复医学科", "康复机器人, 吞咽训练, 外骨骼, 步态分析, 经颅磁刺激"),
]
LOAD_ROUND_SIZE = 200
LOAD_EXPERTS = 48


def load_test_round(admin: User, people: DemoPeople, size: int = LOAD_ROUND_SIZE) -> ReviewRound | None:
    """~200 submitted synthetic projects passed into one round, proposed to synthetic experts and sent; about a
    third reviewed, so the expert and panel pages carry realistic weight."""
    projects = list(db.session.scalars(select(Project).where(Project.status == Status.SUBMITTED)
                                       .order_by(Project.id.desc()).limit(size)))
    if not projects:
        return None
    _load_experts(people)
    round_ = services.create_round(_settings("压力测试批次", -10, 30, 60, 3), admin)
    services.change_round_status(round_, "open", admin)
    for project in projects:
        services.pass_formal_check(project, admin, round_)
    assigning.propose(round_, admin)
    assigning.send_proposals(round_, admin)
    rng = random.Random(2026)  # nosec B311
    for assignment in _sent(round_)[::3]:
        scores = tuple(rng.randint(2, 5) for _ in round_.rubric.criteria)
        _review(assignment, scores, rng.randint(2, 5), rng.randint(1, 3), "压力测试评审意见。", "")
    return round_


def _load_experts(people: DemoPeople) -> None:
    """Synthetic experts sharing the demo password (hashed once: scrypt per user would take seconds)."""
    password_hash = hash_password(people.password)
    for n in range(1, LOAD_EXPERTS + 1):
        specialty, keywords = LOAD_SPECIALTIES[n % len(LOAD_SPECIALTIES)]
        email = f"expert{n}@load.chunfeng.cn"
        org = find_or_create_org(f"评审专家库第{n % 16 + 1}中心", OrgKind.HOSPITAL)
        expert = User(email=email, name=f"测试专家{n:02d}", password_hash=password_hash, role=Role.EXPERT,
                      status=AccountStatus.ACTIVE, organization=org, department=specialty, approved_at=utcnow())
        db.session.add(ExpertProfile(user=expert, specialties=specialty, keywords=keywords, max_load_per_round=20))
        people.by_email[email] = expert
    db.session.flush()
