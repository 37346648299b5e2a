"""Closing an account erases the person's name from submitted versions and from other people's notifications,
while each version's digest still verifies."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.admin import privacy
from chunfeng.core.models import Notification
from chunfeng.core.services import notification_text, notify, person
from chunfeng.db import db
from chunfeng.submissions import services
from chunfeng.submissions.models import ProjectVersion


def test_the_version_keeps_its_digest_and_loses_the_name(app, client, make_user, make_project, submit_project):
    doctor = make_user(Role.CLINICIAN, name="李明医生", organization="中山大学附属第一医院")
    project_id = make_project(doctor)
    submit_project(project_id, doctor)
    with app.app_context():
        version = db.session.scalar(select(ProjectVersion).where(ProjectVersion.project_id == project_id))
        assert version.submitter_details["name"] == "李明医生"
        assert "李明医生" not in services.canonical_json(version.content).decode()
        assert hashlib.sha256(services.canonical_json(version.content)).hexdigest() == version.sha256
        privacy.erase_account(db.session.get(User, doctor.id), actor=None)
        db.session.commit()
    with app.app_context():
        version = db.session.scalar(select(ProjectVersion).where(ProjectVersion.project_id == project_id))
        assert "李明医生" not in str(version.content) and "中山大学附属第一医院" not in str(version.content)
        assert hashlib.sha256(services.canonical_json(version.content)).hexdigest() == version.sha256
        assert version.submitter_details.get("name") is None


def test_other_peoples_notifications_show_the_name_the_person_has_now(app, make_user):
    officer = make_user(Role.OFFICER, name="陈专员")
    doctor = make_user(Role.CLINICIAN)
    with app.app_context():
        note = notify(db.session.get(User, doctor.id), "%(title)s has entered incubation. Your service officer is "
                      "%(officer)s.", "/", title="取栓支架", officer=person(officer))
        db.session.commit()
        note_id = note.id
        privacy.erase_account(db.session.get(User, officer.id), actor=None)
        db.session.commit()
    with app.test_request_context("/?lang=en"):
        text = notification_text(db.session.get(Notification, note_id))
        assert "陈专员" not in text and f"#{officer.id}" in text
