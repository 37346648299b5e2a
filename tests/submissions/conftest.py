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
