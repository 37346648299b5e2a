"""Helpers for the administration tests: projects moved along the real state machine."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chunfeng.accounts.models import User
from chunfeng.db import db, utcnow
from chunfeng.submissions.models import DeviceClass, Project, Stage
from chunfeng.submissions.status import Event, apply

# The events that take a fresh draft to each status, in order.
PATH_TO = {
    "draft": [],
    "submitted": [Event.SUBMIT],
    "accepted": [Event.SUBMIT, Event.PASS_FORMAL_CHECK],
    "under_review": [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW],
    "selected": [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_SELECTED],
    "not_selected": [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_NOT_SELECTED],
    "matching": [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_PRIORITY,
                 Event.RELEASE_FOR_MATCHING],
    "incubation": [Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_SELECTED,
                   Event.START_INCUBATION],
    "withdrawn": [Event.WITHDRAW],
}


@pytest.fixture
def make_project(app) -> Callable[..., int]:
    """Create a project of `owner` and move it to `status` through submissions.status.apply; returns its id."""
    def make(owner: User, status: str = "submitted", *, specialty: str = "心血管内科", stage: Stage = Stage.IDEA,
             device_class: DeviceClass = DeviceClass.II, title: str = "一种可降解冠脉支架", **fields) -> int:
        with app.app_context():
            project = Project(owner_id=owner.id, title=title, specialty=specialty, stage=stage,
                              device_class=device_class, public_summary="用于冠心病介入治疗", **fields)
            db.session.add(project)
            db.session.flush()
            for event in PATH_TO[status]:
                if event == Event.SUBMIT:
                    project.submitted_at = utcnow()
                apply(project, event, owner)
            db.session.commit()
            return project.id
    return make
