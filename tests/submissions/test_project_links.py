"""The doctor's project page links to what other domains hold about the project."""

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Status


def test_project_page_links_to_the_review_outcome_once_decided(app, client, login_as):
    doctor = login_as(Role.CLINICIAN)
    with app.app_context():
        project = Project(owner_id=doctor.id, title="可调节取栓支架", status=Status.NOT_SELECTED)
        db.session.add(project)
        db.session.commit()
        project_id = project.id
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert f"/reviews/project/{project_id}/outcome" in page


def test_draft_has_no_outcome_link(app, client, login_as):
    doctor = login_as(Role.CLINICIAN)
    with app.app_context():
        project = Project(owner_id=doctor.id, title="草稿项目")
        db.session.add(project)
        db.session.commit()
        project_id = project.id
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "/outcome" not in page
