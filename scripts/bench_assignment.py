#!/usr/bin/env python3
"""Expert assignment, optimal against greedy, on a synthetic round and on the demo.

    .venv/bin/python scripts/bench_assignment.py                          # 200 projects x 50 experts, 15 specialties
    .venv/bin/python scripts/bench_assignment.py --projects 40 --experts 15 --seed 7
    .venv/bin/python scripts/bench_assignment.py --demo                   # the demo's round in progress
    .venv/bin/python scripts/bench_assignment.py --demo --demo-projects 200   # ... and its 200-project round
    .venv/bin/python scripts/bench_assignment.py --lexical                 # affinity without the semantic stage

Each case runs in a fresh SQLite database in a temporary folder. The synthetic round: clinicians and experts
at twenty hospitals (an expert at the applicant's hospital is a conflict), experts over the specialties with
keywords from their field, most declaring a related specialty (as the demo's experts do), biographies that
share everyday clinical words across fields (内科, 导管, 反流 ...), a few declared conflicts, maximum loads of
12-20, three experts per project.

For each round the same plan (the allowed pairs with their affinity and specialty fit, reviews/assignment.plan)
goes to both methods, reviews/solver.solve (min-cost flow) and reviews/solver.greedy (the previous method).
Printed per method: places filled, share inside the project's specialty, conflicts among the chosen pairs
(checked again with reviews/conflicts.conflict_reason), experts beyond their maximum load, the busiest expert's
load share, total affinity, projects left short, and the solver's time, and on the synthetic round the share of
assignments whose project's device is among the expert's keywords (a finer fit than the specialty, which the
affinity alone decides). The synthetic round is planned twice, the affinity by its words alone (MATCH_SEMANTIC off)
and with the semantic stage (unless --lexical or without a model), with the time of each plan: the first semantic
plan embeds the experts' documents and the projects' sections, a second one embeds nothing. Affinities of the two
ways are on different scales: compare the methods within a way. Then `propose` end to end (planning, solving,
reasons, writing the proposals) with its time, and three proposals' reasons as the page shows them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from flask import current_app  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from chunfeng import create_app, import_models  # noqa: E402
from chunfeng.accounts.models import AccountStatus, OrgKind, Role, User  # noqa: E402
from chunfeng.accounts.services import find_or_create_org  # noqa: E402
from chunfeng.db import db  # noqa: E402
from chunfeng.matching import store  # noqa: E402
from chunfeng.matching.models import MatchDocument  # noqa: E402
from chunfeng.reviews import assignment as assigning  # noqa: E402
from chunfeng.reviews import services  # noqa: E402
from chunfeng.reviews.conflicts import conflict_reason, declare_project  # noqa: E402
from chunfeng.reviews.models import Assignment, ExpertProfile, ReviewRound  # noqa: E402
from chunfeng.reviews.solver import Figures, figures, greedy, solve  # noqa: E402
from chunfeng.submissions.models import Project, ProjectVersion  # noqa: E402
from chunfeng.submissions.services import project_fields  # noqa: E402
from chunfeng.submissions.status import Event, Status, apply  # noqa: E402

# specialty -> (device ideas, problem, population, expertise keywords)
THEMES = {
    "神经介入科": (
        ["取栓支架", "血流导向装置", "弹簧圈解脱系统", "抽吸导管"],
        "颅内血管病变介入治疗中器械通过性差", "急性缺血性脑卒中和颅内动脉瘤患者",
        "机械取栓, 颅内动脉瘤, 血流导向, 弹簧圈"),
    "神经内科": (
        ["鼻饲营养管", "吞咽障碍筛查仪", "防误吸胃管", "脑电监测帽"],
        "卒中后吞咽障碍患者鼻饲时胃内容物反流误吸", "脑卒中后吞咽障碍和长期管饲患者",
        "吞咽障碍, 鼻饲, 误吸, 脑电监测, 神经重症"),
    "心脏外科": (
        ["人工腱索输送系统", "瓣膜成形环", "心尖封堵器", "心脏固定器"],
        "开胸手术创伤大、体外循环并发症多", "瓣膜病和冠心病需手术治疗的患者",
        "人工腱索, 瓣膜成形, 体外循环, 心尖封堵"),
    "心血管内科": (
        ["可降解冠脉支架", "药物涂层球囊", "左心耳封堵器", "射频消融导管"],
        "支架内再狭窄和长期抗栓带来出血风险", "冠心病和房颤患者",
        "冠脉支架, 药物涂层球囊, 左心耳封堵, 射频消融, 二尖瓣反流"),
    "眼科": (
        ["手持眼底相机", "青光眼引流支架", "人工晶状体推注器", "玻璃体切割头"],
        "基层缺乏眼底筛查设备与阅片医生", "糖尿病视网膜病变和青光眼患者",
        "眼底相机, 青光眼引流, 人工晶状体, 视网膜病变"),
    "呼吸与危重症医学科": (
        ["气囊压力控制器", "便携式肺功能仪", "经鼻高流量湿化装置", "支气管镜活检钳"],
        "机械通气相关并发症和慢阻肺急性加重发现晚", "ICU机械通气和慢阻肺患者",
        "机械通气, 气囊压力, 肺功能, 支气管镜"),
    "骨科": (
        ["椎弓根螺钉导航模板", "可吸收骨折固定钉", "膝关节置换截骨导板", "脊柱融合器"],
        "置钉偏差和内固定取出二次手术", "脊柱退变、骨折和关节炎患者",
        "椎弓根螺钉, 骨折固定, 关节置换, 脊柱融合"),
    "普通外科": (
        ["腹腔镜切割吻合器", "疝修补补片", "可吸收止血夹", "负压伤口治疗装置"],
        "吻合口瘘和术后伤口愈合不良", "胃肠道肿瘤和疝手术患者",
        "吻合器, 疝修补补片, 止血夹, 负压伤口治疗"),
    "泌尿外科": (
        ["输尿管软镜鞘", "防结壳双J管", "前列腺消融导管", "碎石吸引装置"],
        "结石残留和导管相关感染", "泌尿系结石和前列腺增生患者",
        "输尿管软镜, 双J管, 前列腺消融, 碎石"),
    "妇产科": (
        ["宫颈扩张球囊", "产后出血宫腔压迫球囊", "胎心监护贴片", "宫腔镜刨削器"],
        "产后出血处理不及时和宫腔操作损伤", "孕产妇和妇科手术患者",
        "宫腔压迫球囊, 产后出血, 胎心监护, 宫腔镜"),
    "儿科": (
        ["新生儿无创通气接口", "儿童静脉留置针固定装置", "新生儿经皮胆红素仪", "婴儿输液泵"],
        "儿童专用器械缺乏", "新生儿和儿童住院患者",
        "新生儿无创通气, 留置针, 经皮胆红素, 输液泵"),
    "麻醉科": (
        ["可视喉镜", "神经阻滞超声引导针", "麻醉深度监测电极", "困难气道导管"],
        "困难气道插管失败和区域阻滞定位不准", "全麻和区域麻醉手术患者",
        "可视喉镜, 神经阻滞, 麻醉深度, 困难气道"),
    "康复医学科": (
        ["上肢康复机器人", "吞咽功能训练仪", "下肢外骨骼", "步态分析鞋垫"],
        "康复训练依赖治疗师、训练量不足", "脑卒中和脊髓损伤后康复患者",
        "康复机器人, 吞咽训练, 外骨骼, 步态分析"),
    "消化内科": (
        ["胃食管反流监测胶囊", "内镜下止血夹", "结肠镜辅助帽", "胆道支架"],
        "胃食管反流与消化道出血诊断不及时", "胃食管反流病和消化道出血患者",
        "胃食管反流, 内镜止血, 结肠镜, 胆道支架"),
    "耳鼻咽喉科": (
        ["鼻窦球囊扩张导管", "人工耳蜗电极", "声带监测贴片", "鼻腔止血海绵"],
        "鼻窦手术创伤大和听力重建效果不稳", "慢性鼻窦炎和重度耳聋患者",
        "鼻窦球囊, 人工耳蜗, 声带, 鼻腔止血"),
}
# an expert may declare one of these beside their own
RELATED = {"神经介入科": "神经内科", "神经内科": "康复医学科", "心脏外科": "心血管内科", "心血管内科": "心脏外科",
           "呼吸与危重症医学科": "麻醉科", "普通外科": "消化内科", "消化内科": "普通外科", "康复医学科": "神经内科",
           "儿科": "妇产科", "妇产科": "儿科", "麻醉科": "呼吸与危重症医学科", "骨科": "康复医学科"}
# everyday clinical words every field shares: the trap of a lexical match
COMMON_BIO = ["长期从事内科与介入诊疗，熟悉各类导管操作，关注反流与误吸等并发症。",
              "擅长危重患者的综合判断与处理，参与多项器械临床试验。",
              "从事临床一线工作二十年，关注导致患者预后不良的器械相关问题。"]
NO_PASSWORD = "!"  # noqa: S105  (no hash matches it: these users cannot log in)
QUALIFIERS = ["可回收", "一次性使用", "智能", "可视化", "微创", "一体化", "便携式", "低成本"]


def synthetic_round(n_projects: int = 200, n_experts: int = 50, n_specialties: int = 15, per_project: int = 3,
                    seed: int = 2026) -> int:
    """Make the synthetic round described in the module's docstring (inside an app context); its id."""
    rng = random.Random(seed)  # nosec B311
    specialties = list(THEMES)[:n_specialties]
    hospitals = [find_or_create_org(f"合成第{n}人民医院", OrgKind.HOSPITAL) for n in range(1, 21)]
    admin = _user(Role.ADMIN, "bench-admin", "评审管理员", find_or_create_org("合成创新服务站", OrgKind.OTHER), "")
    clinicians = [_user(Role.CLINICIAN, f"bench-clinician{n}", f"合成医生{n:02d}", hospitals[n % len(hospitals)],
                        specialties[n % len(specialties)]) for n in range(1, 41)]
    experts = []
    for n in range(n_experts):
        specialty = specialties[n % len(specialties)]
        ideas, _problem, _population, keywords = THEMES[specialty]
        declared = specialty
        if specialty in RELATED and RELATED[specialty] in specialties and rng.random() < 0.6:
            declared += ", " + RELATED[specialty]
        expert = _user(Role.EXPERT, f"bench-expert{n}", f"合成专家{n:02d}", rng.choice(hospitals), specialty)
        db.session.add(ExpertProfile(user=expert, specialties=declared, max_load_per_round=rng.randint(12, 20),
                                     keywords=", ".join([keywords, *rng.sample(ideas, 2)]),
                                     bio=f"{specialty}主任医师。" + rng.choice(COMMON_BIO)))
        experts.append(expert)
    db.session.flush()
    projects = [_project(rng, rng.choice(clinicians), rng.choice(specialties)) for _ in range(n_projects)]
    for expert in rng.sample(experts, min(10, len(experts))):
        declare_project(expert, rng.choice(projects), "曾参与该项目前期讨论")
    round_ = services.create_round(services.RoundSettings(
        name="合成评审批次", opens_on=date.today() - timedelta(days=5), closes_on=date.today() + timedelta(days=30),
        review_deadline=date.today() + timedelta(days=60), experts_per_project=per_project), admin)
    services.change_round_status(round_, "open", admin)
    for project in projects:
        services.pass_formal_check(project, admin, round_)
    db.session.commit()
    return round_.id


def _user(role: Role, key: str, name: str, org, department: str) -> User:
    user = User(email=f"{key}@bench.chunfeng.cn", name=name, password_hash=NO_PASSWORD, role=role, organization=org,
                department=department, status=AccountStatus.ACTIVE, approved_at=db.func.now())
    db.session.add(user)
    return user


def _project(rng: random.Random, owner: User, specialty: str) -> Project:
    ideas, problem, population, _keywords = THEMES[specialty]
    idea = rng.choice(ideas)
    title = rng.choice(QUALIFIERS) + idea
    project = Project(owner=owner, status=Status.DRAFT, attests_no_patient_data=True, title=title,
                      specialty=specialty, device_type=idea, need_population=population,
                      public_summary=f"针对{problem}的问题，本项目提出一种{title}，面向{population}。",
                      need_problem=f"临床上{problem}，现有器械难以满足需要，导致患者预后不良。")
    db.session.add(project)
    db.session.flush()
    content = {"fields": project_fields(project), "attachments": [],
               "submitter": {"id": owner.id, "name": owner.name, "organization": owner.org_name}}
    project.versions.append(ProjectVersion(
        number=1, content=content, created_by_id=owner.id,
        sha256=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()))
    apply(project, Event.SUBMIT, owner)
    return project


# --- comparing the two methods on one plan --------------------------------------------------------------------

def compare(round_: ReviewRound, device_share: dict[str, float] | None = None) -> dict[str, tuple[Figures, int, float]]:
    """method -> (figures, conflicts among its chosen pairs, solver seconds), on the same plan; `device_share`, if
    given, gets each method's share of chosen pairs whose project's device is among the expert's keywords."""
    planned = assigning.plan(round_)
    keywords = {e: p.keywords for e, p in assigning.profiles_by_expert(list(planned.experts.values())).items()}
    out = {}
    for name, method in (("greedy", greedy), ("optimal", solve)):
        t0 = time.perf_counter()
        chosen = method(planned.problem)
        seconds = time.perf_counter() - t0
        conflicts = sum(1 for c in chosen if conflict_reason(planned.experts[c.expert_id],
                                                             planned.entries[c.project_id].project) is not None)
        out[name] = (figures(planned.problem, chosen), conflicts, seconds)
        if device_share is not None:
            hits = sum(1 for c in chosen if planned.entries[c.project_id].project.device_type
                       and planned.entries[c.project_id].project.device_type in keywords[c.expert_id])
            device_share[name] = hits / len(chosen) if chosen else 0.0
    return out


def _print_comparison(title: str, results: dict[str, tuple[Figures, int, float]],
                      device_share: dict[str, float] | None = None) -> None:
    print(f"\n{title}")
    print(f"  {'method':8} {'filled':>9} {'inside':>8} {'conflicts':>9} {'over max':>8} {'busiest':>8} "
          f"{'affinity':>9} {'short':>6} {'time':>8}" + (f" {'device':>7}" if device_share else ""))
    for name, (f, conflicts, seconds) in results.items():
        print(f"  {name:8} {f.assigned:>4}/{f.places:<4} {f.inside_share:>8.1%} {conflicts:>9} {f.over_load:>8} "
              f"{f.max_load_share:>8.0%} {f.total_affinity:>9.2f} {f.short_projects:>6} {seconds * 1000:>6.0f}ms"
              + (f" {device_share[name]:>7.1%}" if device_share else ""))
    greedy_total, optimal_total = results["greedy"][0].total_affinity, results["optimal"][0].total_affinity
    if greedy_total:
        print(f"  total affinity, optimal against greedy: {optimal_total / greedy_total - 1:+.1%}")


def _print_proposal(round_: ReviewRound, actor: User) -> None:
    t0 = time.perf_counter()
    result = assigning.propose(round_, actor)
    seconds = time.perf_counter() - t0
    created = result.created
    conflicts = sum(1 for a in created if conflict_reason(a.expert, a.project) is not None)
    loads = assigning.round_loads(round_)
    profiles = assigning.profiles_by_expert(assigning.expert_pool())
    over = sum(1 for e, n in loads.items() if n > profiles[e].max_load_per_round)
    print(f"  propose end to end: {len(created)} proposals in {seconds:.2f}s, {result.outside} outside the "
          f"specialty (flagged), {conflicts} conflicts, {over} experts beyond their maximum load, "
          f"{len(result.short)} projects short")
    for a in created[:: max(len(created) // 3, 1)][:3]:
        reasons = ", ".join(r["term"] + "·" + r["where"] if "term" in r else "outside:" + r["outside"]
                            for r in a.affinity_terms)
        print(f"    {a.project.specialty} · {a.project.title} <- {a.expert.name} "
              f"({a.expert.department}) {a.affinity:.2f}: {reasons}")


def _app(folder: Path, semantic: bool = True):
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
                      "INSTANCE_PATH": str(folder / "instance"), "UPLOAD_FOLDER": str(folder / "uploads"),
                      "BACKUP_FOLDER": str(folder / "backups"), "MATCH_SEMANTIC": semantic})
    with app.app_context():
        import_models()
        db.create_all()
    return app


def run_synthetic(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="chunfeng-bench-") as folder, \
            (app := _app(Path(folder), semantic=not args.lexical)).app_context():
        t0 = time.perf_counter()
        round_id = synthetic_round(args.projects, args.experts, args.specialties, args.per_project, args.seed)
        round_ = db.session.get(ReviewRound, round_id)
        made = time.perf_counter() - t0
        print(f"synthetic round: {args.projects} projects x {args.experts} experts over {args.specialties} "
              f"specialties, {args.per_project} per project, seed {args.seed} (made in {made:.1f}s)")
        ways = [("lexical", False)] + ([] if args.lexical else [("semantic", True), ("semantic again", True)])
        for way, semantic in ways:
            app.config["MATCH_SEMANTIC"] = semantic
            shares: dict[str, float] = {}
            t0 = time.perf_counter()
            results = compare(round_, shares)
            seconds = time.perf_counter() - t0
            db.session.commit()
            _print_comparison(f"affinity {way} (plan and both methods in {seconds:.1f}s){_embedded()}:", results,
                              shares)
        _print_proposal(round_, db.session.scalar(select(User).where(User.role == Role.ADMIN)))


def _embedded() -> str:
    """What the stored embeddings hold now (the experts' documents, the projects' sections)."""
    if not current_app.config["MATCH_SEMANTIC"]:
        return ""
    model = store.default_embedder()
    if model is None:
        return ", no embedding model: lexical"
    counts = dict(db.session.execute(select(MatchDocument.side, func.count()).where(
        MatchDocument.embedding.is_not(None)).group_by(MatchDocument.side)).all())
    return (f", {model.name}: {counts.get(store.EXPERTS, 0)} expert documents and "
            f"{counts.get('projects', 0)} project sections stored with their embedding")


def run_demo(args: argparse.Namespace) -> None:
    from chunfeng import demo

    with tempfile.TemporaryDirectory(prefix="chunfeng-bench-") as folder, \
            (app := _app(Path(folder), semantic=not args.lexical)).app_context():
        demo.run(extra_projects=args.demo_projects)
        for round_ in db.session.scalars(select(ReviewRound).order_by(ReviewRound.id)):
            made = assigning.round_assignments(round_)
            if not made or not assigning.entries_needing_review(round_):
                continue
            inside = sum(1 for a in made if not any("outside" in r for r in a.affinity_terms if isinstance(r, dict)))
            conflicts = sum(1 for a in made if conflict_reason(a.expert, a.project) is not None)
            print(f"\ndemo round {round_.name}: {len(made)} assignments as seeded, {inside / len(made):.1%} inside "
                  f"the specialty, {conflicts} conflicts (an expert may have declared one after being invited)")
            nested = db.session.begin_nested()
            db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id))
            for way, semantic in [("lexical", False)] + ([] if args.lexical else [("semantic", True)]):
                app.config["MATCH_SEMANTIC"] = semantic
                _print_comparison(f"  proposed afresh, affinity {way}, both methods on the same plan"
                                  f"{_embedded()}:", compare(round_))
            nested.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--specialties", type=int, default=15, choices=range(2, len(THEMES) + 1), metavar="N")
    parser.add_argument("--per-project", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--demo", action="store_true", help="the demo's rounds instead of the synthetic one")
    parser.add_argument("--demo-projects", type=int, default=0, help="extra demo projects (200: its load round)")
    parser.add_argument("--lexical", action="store_true", help="affinity without the semantic stage")
    args = parser.parse_args()
    run_demo(args) if args.demo else run_synthetic(args)


if __name__ == "__main__":
    main()
