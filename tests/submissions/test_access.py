"""Who sees what, withdrawal, the timeline and the doctor's dashboard."""

import pytest

from chunfeng import policy
from chunfeng.accounts.models import Role
from chunfeng.core import hooks
from chunfeng.db import db
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Event, Status, apply

from .conftest import lock_of


def _advance(app, project_id, *events, note=""):
    with app.app_context():
        project = db.session.get(Project, project_id)
        for event in events:
            apply(project, event, None, note=note)
        db.session.commit()


@pytest.fixture
def submitted_by_someone_else(make_user, make_project, submit_project):
    owner = make_user("clinician")
    project_id = make_project(owner, solution="保密的工作原理")
    submit_project(project_id, owner)
    return project_id


def test_another_doctor_gets_404_everywhere(client, login_as, submitted_by_someone_else):
    project_id = submitted_by_someone_else
    login_as("clinician")
    for url in (f"/projects/{project_id}", f"/projects/{project_id}/sections/need",
                f"/projects/{project_id}/versions", f"/projects/{project_id}/versions/1",
                f"/projects/{project_id}/versions/1/receipt", f"/projects/{project_id}/versions/1/canonical.json",
                f"/projects/{project_id}/withdraw"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/projects/{project_id}/submit", data={"lock_version": 1}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, submitted_by_someone_else):
    response = client.get(f"/projects/{submitted_by_someone_else}")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_an_officer_sees_the_project_but_not_its_confidential_details(client, login_as, submitted_by_someone_else):
    login_as(Role.OFFICER)
    page = client.get(f"/projects/{submitted_by_someone_else}").get_data(as_text=True)
    assert "带远端保护的可回收颅内取栓支架" in page
    assert "保密的工作原理" not in page and "仅向您显示非保密部分" in page
    assert client.get(f"/projects/{submitted_by_someone_else}/versions/1").status_code == 404


def test_other_domains_widen_confidential_access_through_the_hook(app, make_user, make_project):
    owner, expert = make_user("clinician"), make_user(Role.EXPERT)
    project_id = make_project(owner)
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert not policy.can(expert, "submission.attachment", project)
        def admit_expert(_sender, user, project):
            return user.id == expert.id and project.id == project_id

        hooks.confidential_access.connect(admit_expert)
        try:
            assert policy.can(expert, "submission.view_confidential", project)
            assert policy.can(expert, "submission.attachment", project)
            assert not policy.can(expert, "submission.view", project), "the page with the doctor's name stays closed"
        finally:
            hooks.confidential_access.disconnect(admit_expert)


def test_withdraw_before_a_decision_with_a_reason(client, login_as, make_project, submit_project, make_user, app):
    login_as(Role.ADMIN, email="admin@example.cn")
    client.post("/account/logout")
    doctor = login_as("clinician")
    project_id = make_project(doctor)
    client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    _advance(app, project_id, Event.PASS_FORMAL_CHECK, Event.START_REVIEW)

    assert f"/projects/{project_id}/withdraw" in client.get(f"/projects/{project_id}").get_data(as_text=True)
    refused = client.post(f"/projects/{project_id}/withdraw", data={"reason": ""})
    assert refused.status_code == 400 and "请简要说明原因" in refused.get_data(as_text=True)
    response = client.post(f"/projects/{project_id}/withdraw", data={"reason": "已与企业另行合作", "confirm": "y"})
    assert response.status_code == 302
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "已撤回" in page and "已与企业另行合作" in page
    with app.app_context():
        assert db.session.get(Project, project_id).status == Status.WITHDRAWN
        from chunfeng.core.models import Notification

        assert db.session.query(Notification).count() == 1, "the administrators are told"


def test_withdraw_is_refused_after_the_decision(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor)
    client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    _advance(app, project_id, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_SELECTED)
    assert f"/projects/{project_id}/withdraw" not in client.get(f"/projects/{project_id}").get_data(as_text=True)
    response = client.post(f"/projects/{project_id}/withdraw", data={"reason": "改主意了", "confirm": "y"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Project, project_id).status == Status.SELECTED


def test_the_timeline_marks_done_and_current_stages(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor)
    client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    _advance(app, project_id, Event.PASS_FORMAL_CHECK, Event.START_REVIEW)
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    timeline = page.split('<ol class="timeline')[1].split("</ol>")[0]
    stages = [item.split(">", 1) for item in timeline.split("<li class=")[1:]]
    states = [(css.strip('"').split('"')[0], text.split("<")[0].strip()) for css, text in stages]
    assert states[:5] == [("done", "草稿"), ("done", "已提交"), ("done", "形式审查"), ("current", "专家评审"),
                          ("todo", "评审结论")]
    assert "专家评审中" in timeline


def test_a_returned_project_shows_the_reason_and_can_be_edited_again(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor)
    client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    _advance(app, project_id, Event.RETURN_FORMAL_CHECK, note="请补充现有诊疗方式的不足。")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "形式审查时被退回" in dashboard and "请补充现有诊疗方式的不足。" in dashboard
    assert client.get(f"/projects/{project_id}/sections/need").status_code == 200


def test_the_dashboard_lists_my_projects_and_what_is_asked_of_me(client, login_as, make_project, app):
    doctor = login_as("clinician")
    make_project(doctor, complete=False, title="还没写完的想法")
    def company_asks(_sender, user):
        return [("某公司希望与您对接", "/matching/inbox")]

    hooks.pending_actions.connect(company_asks)
    try:
        page = client.get("/dashboard").get_data(as_text=True)
    finally:
        hooks.pending_actions.disconnect(company_asks)
    assert "我的项目" in page and "还没写完的想法" in page and "仍是草稿" in page
    assert "某公司希望与您对接" in page and 'href="/matching/inbox"' in page
    assert 'href="/projects/new"' in page


def test_my_projects_in_both_languages(client, login_as, make_project):
    doctor = login_as("clinician")
    make_project(doctor, complete=False, title="早筛相机")
    chinese = client.get("/projects/").get_data(as_text=True)
    assert "我的项目" in chinese and "新建项目" in chinese and "早筛相机" in chinese
    english = client.get("/projects/?lang=en").get_data(as_text=True)
    assert "My projects" in english and "New project" in english and "Draft" in english


def test_experts_and_companies_cannot_create_projects(client, login_as):
    login_as(Role.EXPERT)
    assert client.get("/projects/new").status_code == 403
    assert client.get("/projects/").status_code == 403
