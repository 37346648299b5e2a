"""The demo data: realistic projects for the demo clinicians, and synthetic ones for load tests."""

import hashlib

from chunfeng.accounts.models import AccountStatus, Role
from chunfeng.accounts.services import create_user
from chunfeng.db import db
from chunfeng.demo import submissions as demo
from chunfeng.demo.people import DEMO_PEOPLE, DemoPeople
from chunfeng.submissions import services
from chunfeng.submissions.models import Project, ProjectVersion
from chunfeng.submissions.sections import VERSION_FIELDS
from chunfeng.submissions.status import Status

from ..conftest import PASSWORD


def _people() -> DemoPeople:
    people = DemoPeople(password=PASSWORD)
    for role, email, name, org, province, department, title in DEMO_PEOPLE:
        if role in (Role.ADMIN, Role.CLINICIAN):
            people.by_email[email] = create_user(
                email=email, name=name, password=PASSWORD, role=role, organization=org, province=province,
                department=department, title=title, status=AccountStatus.ACTIVE)
    return people


def test_demo_projects_are_complete_submissions_or_drafts(app):
    with app.app_context():
        demo.seed(_people())
        db.session.commit()
        projects = db.session.query(Project).all()
        assert len(projects) == len(demo.DEMO_PROJECTS)
        sent = [p for p in projects if p.status != Status.DRAFT]
        assert {p.status for p in sent} == {Status.SUBMITTED, Status.ACCEPTED}
        for project in sent:
            assert not services.missing_items(project)
            assert project.versions[0].sha256 == services.digest(project.versions[0].content)
        assert {p.owner.email for p in projects} == {e for r, e, *_ in DEMO_PEOPLE if r == Role.CLINICIAN}


def test_synthetic_projects_carry_verifiable_versions(app):
    with app.app_context():
        assert demo.bulk_projects(30, PASSWORD) == 30
        db.session.commit()
        versions = db.session.query(ProjectVersion).all()
        assert len(versions) == 30
        for version in versions:
            assert hashlib.sha256(services.canonical_json(version.content)).hexdigest() == version.sha256
            assert list(version.content["fields"]) == list(VERSION_FIELDS)
            assert version.content["project_id"] == version.project_id
        projects = db.session.query(Project).all()
        assert all(not services.missing_items(p) for p in projects)
        assert len({p.owner_id for p in projects}) > 3 and len({p.specialty for p in projects}) > 3
        # one in five went through review and was released: companies browse them at scale
        released = [p for p in projects if p.status == Status.MATCHING]
        assert len(released) == 6 and all(p.published_at is not None for p in released)
        assert sum(p.status == Status.SUBMITTED for p in projects) == 24
        path = [e.to_status for e in sorted(released[0].events, key=lambda e: e.id)]
        assert path == ["submitted", "accepted", "under_review", "selected", "matching"]


def test_the_demo_shows_supplementary_material_after_submitting(app):
    with app.app_context():
        demo.seed(_people())
        db.session.commit()
        supplemented = [p for p in db.session.query(Project).all() if len(p.versions) > 1]
        assert len(supplemented) == 1 and supplemented[0].status == Status.SUBMITTED
        first, second = supplemented[0].versions
        assert second.is_supplement and "前瞻性验证" in second.supplement["reason"]
        assert "前瞻性验证" in second.content["fields"]["evidence"]
        assert "前瞻性验证" not in first.content["fields"]["evidence"]
        assert second.sha256 == services.digest(second.content)
