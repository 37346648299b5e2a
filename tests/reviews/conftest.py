"""Builders for review tests: projects with a submitted version, an open round, experts with profiles."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.db import db
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews import services
from chunfeng.reviews.models import Assignment, ExpertProfile, ReviewRound
from chunfeng.reviews.reviewing import ReviewInput, save
from chunfeng.submissions.models import DeviceClass, Project, ProjectVersion, Stage
from chunfeng.submissions.services import project_fields
from chunfeng.submissions.status import Event, Status, apply

STROKE = dict(
    title="可回收取栓支架", specialty="神经介入", device_class=DeviceClass.III, stage=Stage.PROTOTYPE,
    public_summary="用于急性缺血性卒中机械取栓的可回收支架，减少血管再闭塞。",
    need_problem="急性缺血性卒中取栓后血管再闭塞率高。", need_population="大血管闭塞卒中患者",
    need_outcome="降低再闭塞率，改善90天功能预后", current_practice="现有取栓支架对硬血栓效果差",
    solution="双层网格结构的取栓支架，远端保护", innovation_points="双层网格设计，血栓捕获率高",
    device_type="取栓支架", evidence="动物实验12例", team="项目负责人：李明；工程师：陈工",
)
EYE = dict(
    title="眼底照相人工智能筛查", specialty="眼科", device_class=DeviceClass.II, stage=Stage.CLINICAL,
    public_summary="基于眼底照片的糖尿病视网膜病变自动筛查软件。",
    need_problem="基层缺乏眼底阅片医生，糖尿病视网膜病变漏诊多。", need_population="糖尿病患者",
    need_outcome="提高基层筛查覆盖率", current_practice="转诊上级医院人工阅片", solution="深度学习阅片",
    innovation_points="多病种同时识别", device_type="医疗器械软件", evidence="回顾性验证3000例",
    team="王芳团队",
)

# The new-round form, filled in correctly.
ROUND = {"name": "2026年春季批次", "description": "", "opens_on": "2026-03-01", "closes_on": "2026-04-30",
         "review_deadline": "2026-05-31", "experts_per_project": 3, "band_priority": 80, "band_selected": 60,
         "disagreement_sd": 15, "disagreement_range": 3, "calibration_min_reviews": 2}


def make_project(owner_id: int, fields: dict, status: Status = Status.SUBMITTED) -> int:
    """A project with a submitted version (as the intake domain makes it), moved on to `status`."""
    owner = db.session.get(User, owner_id)
    project = Project(owner=owner, status=Status.DRAFT, attests_no_patient_data=True, **fields)
    db.session.add(project)
    db.session.flush()
    add_version(project, owner)
    apply(project, Event.SUBMIT, owner)
    path = {Status.SUBMITTED: [], Status.ACCEPTED: [Event.PASS_FORMAL_CHECK]}
    for event in path.get(status, []):
        apply(project, event, None)
    db.session.commit()
    return project.id


def add_version(project: Project, owner: User) -> ProjectVersion:
    content = {"fields": project_fields(project), "attachments": [],
               "submitter": {"id": owner.id, "name": owner.name, "organization": owner.org_name}}
    number = len(project.versions) + 1
    version = ProjectVersion(number=number, content=content, created_by_id=owner.id,
                             sha256=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest())
    project.versions.append(version)
    db.session.flush()
    return version


def open_round(admin_id: int, per_project: int = 2, name: str = "2026年春季批次") -> int:
    admin = db.session.get(User, admin_id)
    today = date.today()
    round_ = services.create_round(services.RoundSettings(
        name=name, opens_on=today - timedelta(days=10), closes_on=today + timedelta(days=10),
        review_deadline=today + timedelta(days=30), experts_per_project=per_project), admin)
    services.change_round_status(round_, "open", admin)
    db.session.commit()
    return round_.id


def enter(round_id: int, project_id: int, admin_id: int) -> None:
    project = db.session.get(Project, project_id)
    admin = db.session.get(User, admin_id)
    if project.status == Status.SUBMITTED:
        services.pass_formal_check(project, admin, db.session.get(ReviewRound, round_id))
    else:
        services.enter_round(db.session.get(ReviewRound, round_id), project, admin)
    db.session.commit()


def set_profile(user_id: int, specialties: str, keywords: str = "", max_load: int = 10) -> None:
    profile = db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == user_id))
    if profile is None:
        profile = ExpertProfile(user_id=user_id)
        db.session.add(profile)
    profile.specialties, profile.keywords, profile.max_load_per_round = specialties, keywords, max_load
    db.session.commit()


def invite(round_id: int, project_id: int, expert_id: int, admin_id: int) -> int:
    """One expert invited to one project (manual proposal, then sent)."""
    round_ = db.session.get(ReviewRound, round_id)
    entry = services.entry_for(round_, db.session.get(Project, project_id))
    assignment, _warning = assigning.add_expert(round_, entry, db.session.get(User, expert_id),
                                                db.session.get(User, admin_id))
    assigning.send_proposals(round_, db.session.get(User, admin_id))
    db.session.commit()
    return assignment.id


def complete_review(assignment_id: int, scores: dict[str, int], gates: dict[str, bool] | None = None,
                    overall: int = 4, confidence: int = 1, panel: str = "意见充分", to_clinician: str = "") -> None:
    """Accept (declaring no conflict) and submit a full review."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment.status.value == "invited":
        assigning.accept(assignment, assignment.expert)
    rubric = assignment.round.rubric
    full = {c.key: scores.get(c.key, scores.get("*", 3)) for c in rubric.criteria}
    answers = {g.key: (gates or {}).get(g.key, True) for g in rubric.gates}
    save(assignment, ReviewInput(full, answers, overall, confidence, panel, to_clinician), assignment.expert,
         submit=True)
    db.session.commit()


def client_for(app, user):
    """A separate browser signed in as `user`."""
    from tests.conftest import login

    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


@pytest.fixture(autouse=True)
def _cheap_password_hashes(fast_password_hashes):
    """These tests make many users and never test password storage."""


@pytest.fixture
def people(make_user):
    """An administrator, two clinicians at two hospitals, and four experts (one at the first clinician's hospital)."""
    return {
        "admin": make_user(Role.ADMIN, name="管理员", organization="省药监局创新服务站"),
        "clinician": make_user(Role.CLINICIAN, name="李明医生", email="liming@hospital-a.cn", phone="13800138000",
                            organization="中山大学附属第一医院", department="卒中中心"),
        "clinician2": make_user(Role.CLINICIAN, name="王芳医生", organization="四川大学华西医院", department="眼科"),
        "neuro": make_user(Role.EXPERT, name="孙丽华", organization="北京协和医院", department="神经内科"),
        "eye": make_user(Role.EXPERT, name="吴敏", organization="四川大学华西医院", department="眼科"),
        "bme": make_user(Role.EXPERT, name="周海涛", organization="华南理工大学", department="生物医学工程"),
        "same": make_user(Role.EXPERT, name="赵建国", organization="中山大学附属第一医院", department="心血管内科"),
    }


@pytest.fixture
def ids(people):
    return {key: user.id for key, user in people.items()}
