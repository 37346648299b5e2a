"""Selected projects, officers and started incubations, built through the real state machine and services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chunfeng.accounts.models import Role, User
from chunfeng.core.clock import DEFAULT_ZONE
from chunfeng.db import db
from chunfeng.incubation import milestones, starting
from chunfeng.incubation.models import MilestoneStatus
from chunfeng.submissions.models import DeviceClass, Pathway, Project
from chunfeng.submissions.status import Event, Status, apply

MONDAY = date(2026, 3, 2)  # incubations in these tests start on a Monday
CONFIDENTIAL = "机密：可调节编织结构的具体参数"

ROUTE = {
    Status.SELECTED: [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_SELECTED],
    Status.SELECTED_PRIORITY: [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_PRIORITY],
    Status.MATCHING: [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_SELECTED,
                      Event.RELEASE_FOR_MATCHING],
    Status.UNDER_REVIEW: [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW],
}


@pytest.fixture(autouse=True)
def _quick_password_hashes(fast_password_hashes):
    """These tests are not about passwords: a cheap hash keeps the many accounts they create fast."""


def at(day: date, hour: int = 10):
    """Freeze time at `hour` o'clock Beijing time on `day`."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(DEFAULT_ZONE)), tick=False)


@pytest.fixture
def make_project(app, make_user):
    def make(status: Status = Status.SELECTED, device_class: DeviceClass = DeviceClass.II, owner: User | None = None,
             title: str = "可调节直径的颅内取栓支架") -> int:
        owner = owner or make_user(Role.CLINICIAN, name="李明医生")
        with app.app_context():
            project = Project(owner_id=owner.id, title=title, specialty="神经介入", device_class=device_class,
                              public_summary="术中可调节直径的取栓支架，贴合粗细不一的血管。",
                              need_problem="取栓支架直径固定导致首次再通率低。", solution=CONFIDENTIAL)
            db.session.add(project)
            db.session.flush()
            for event in ROUTE[status]:
                apply(project, event, None)
            db.session.commit()
            return project.id
    return make


@dataclass
class Started:
    project_id: int
    incubation_id: int
    clinician: User
    officer: User
    admin: User


@pytest.fixture
def start(app, make_user, make_project):
    """Start an incubation (frozen on MONDAY unless told otherwise) and return who is involved."""
    def do(pathway: Pathway = Pathway.PRE_REVIEW, device_class: DeviceClass = DeviceClass.II,
           on: date = MONDAY, officer: User | None = None, admin: User | None = None) -> Started:
        clinician = make_user(Role.CLINICIAN, name="李明医生")
        officer = officer or make_user(Role.OFFICER, name="陈专员")
        admin = admin or make_user(Role.ADMIN, name="平台管理员")
        project_id = make_project(device_class=device_class, owner=clinician)
        with at(on), app.app_context():
            incubation = starting.start_incubation(db.session.get(Project, project_id), officer.id, pathway,
                                                   db.session.get(User, admin.id))
            db.session.commit()
            return Started(project_id, incubation.id, clinician, officer, admin)
    return do


def milestone_of(incubation, key: str):
    return next(m for m in incubation.milestones if m.key == key)


def begin(step, officer, on: date | None = None) -> None:
    """Start a step; when finishing the step before it already started it, date its start as the test needs (the
    correction an officer makes on the milestone page)."""
    if step.status == MilestoneStatus.NOT_STARTED:
        milestones.change_milestone(step, "start", officer, on=on)
    elif on is not None:
        step.actual_start = on
