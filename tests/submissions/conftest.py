"""Projects in a known state, made through the services (fast) for the HTTP tests to act on."""

from __future__ import annotations

import pytest

from chunfeng.db import db
from chunfeng.submissions import services
from chunfeng.submissions.models import Project
from chunfeng.submissions.sections import SECTIONS

COMPLETE = dict(
    title="带远端保护的可回收颅内取栓支架",
    specialty="神经介入科",
    public_summary="面向急性缺血性脑卒中大血管闭塞取栓，降低远端栓塞、提高首次再通率的取栓支架。",
    need_problem="机械取栓回撤支架时血栓容易碎裂脱落，部分病例出现远端栓塞，导致再次取栓和预后变差。",
    need_population="发病24小时内的急性前循环大血管闭塞患者。",
    need_outcome="降低远端栓塞发生率，提高首次完全再通率。",
    current_practice="单纯支架取栓或联合抽吸，回撤时血栓被剪切碎裂。",
    solution="支架远端集成可折叠编织网篮，回撤时兜住碎栓一并收回。",
    innovation_points="取栓支架与远端保护一体化。",
    device_class="III",
    stage="prototype",
    attests_no_patient_data=True,
)


@pytest.fixture
def make_project(app):
    """make_project(owner, **answers) -> project id; complete=True fills every required answer."""
    def make(owner, complete: bool = True, **answers) -> int:
        values = {**(COMPLETE if complete else {"title": "草稿项目"}), **answers}
        with app.app_context():
            owner = db.session.merge(owner)
            project = services.create_project(owner, values)
            for section in SECTIONS[1:]:
                if complete or any(name in values for name in section.fields):
                    services.save_section(project, section.key, values, project.lock_version)
            db.session.commit()
            return project.id
    return make


@pytest.fixture
def submit_project(app):
    """submit_project(project_id, owner) -> version number, through the service."""
    def submit(project_id: int, owner) -> int:
        with app.app_context():
            project = db.session.get(Project, project_id)
            version, _created = services.submit(project, db.session.merge(owner), project.lock_version)
            db.session.commit()
            return version.number
    return submit


def lock_of(app, project_id: int) -> int:
    with app.app_context():
        return db.session.get(Project, project_id).lock_version


@pytest.fixture
def under_review(app, make_user, make_project, submit_project, fast_password_hashes):
    """A project submitted through the intake and put under review in an open round, with two experts who accepted
    (a third expert is approved but not assigned). Returns a namespace of the people (detached) and the ids."""
    from types import SimpleNamespace

    from chunfeng.accounts.models import Role, User
    from chunfeng.reviews import assignment as assigning
    from chunfeng.reviews.models import Assignment
    from tests.reviews.conftest import enter, invite, open_round

    people = SimpleNamespace(
        admin=make_user(Role.ADMIN, name="管理员老周"),
        clinician=make_user(Role.CLINICIAN, name="李明医生", organization="中山大学附属第一医院"),
        other_clinician=make_user(Role.CLINICIAN, name="王芳医生", organization="四川大学华西医院"),
        company=make_user(Role.ENTERPRISE, name="张经理", organization="深圳迈瑞医疗"),
        expert_a=make_user(Role.EXPERT, name="孙丽华教授", organization="北京协和医院"),
        expert_b=make_user(Role.EXPERT, name="周海涛教授", organization="华南理工大学"),
        stranger=make_user(Role.EXPERT, name="吴敏教授", organization="复旦大学附属华山医院"),
    )
    project_id = make_project(people.clinician, team="李明，中山大学附属第一医院，项目负责人")
    submit_project(project_id, people.clinician)
    with app.app_context():
        round_id = open_round(people.admin.id)
        enter(round_id, project_id, people.admin.id)
        assignments = [invite(round_id, project_id, expert.id, people.admin.id)
                       for expert in (people.expert_a, people.expert_b)]
        for assignment_id in assignments:
            assignment = db.session.get(Assignment, assignment_id)
            assigning.accept(assignment, db.session.get(User, assignment.expert_id))
        db.session.commit()
    return SimpleNamespace(people=people, project_id=project_id, round_id=round_id, assignments=assignments)


def client_as(app, user):
    """A separate browser signed in as `user`."""
    from tests.conftest import login

    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser
