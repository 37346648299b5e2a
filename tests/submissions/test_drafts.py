"""Drafts: a new project, sections saved one by one without required answers, and two windows editing."""

from chunfeng.db import db
from chunfeng.submissions.models import Project, Stage

from .conftest import lock_of


def _project(app, project_id):
    with app.app_context():
        project = db.session.get(Project, project_id)
        db.session.expunge(project)
        return project


def test_a_clinician_creates_a_draft_from_a_title(client, login_as, app):
    login_as("clinician", department="眼科")
    page = client.get("/projects/new").get_data(as_text=True)
    assert 'value="眼科"' in page, "the specialty starts from the doctor's department"

    refused = client.post("/projects/new", data={"title": "  ", "public_summary": "我的想法"})
    assert refused.status_code == 400
    assert "请给项目起一个暂定名称" in refused.get_data(as_text=True)
    assert "我的想法" in refused.get_data(as_text=True), "a rejected form keeps what the user typed"

    created = client.post("/projects/new", data={"title": "早产儿眼底筛查相机", "specialty": "眼科"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/sections/need")
    with app.app_context():
        project = db.session.query(Project).one()
        assert project.title == "早产儿眼底筛查相机" and project.status == "draft"


def test_a_section_saves_as_a_draft_without_the_required_answers(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    response = client.post(f"/projects/{project_id}/sections/need", data={
        "lock_version": lock_of(app, project_id), "need_problem": "回撤时血栓碎裂", "need_population": "",
        "need_outcome": "", "current_practice": ""})
    assert response.status_code == 302
    project = _project(app, project_id)
    assert project.need_problem == "回撤时血栓碎裂" and project.status == "draft"
    assert "已保存为草稿" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_save_and_continue_opens_the_next_section(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    response = client.post(f"/projects/{project_id}/sections/progress", data={
        "lock_version": lock_of(app, project_id), "stage": "animal", "evidence": "", "next": "1"})
    assert response.headers["Location"].endswith(f"/projects/{project_id}/sections/ip")
    assert _project(app, project_id).stage == Stage.ANIMAL


def test_too_long_text_is_refused_with_a_clear_message_and_kept(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    summary = "摘" * 1001
    response = client.post(f"/projects/{project_id}/sections/summary", data={
        "lock_version": lock_of(app, project_id), "title": "标题", "specialty": "眼科", "public_summary": summary})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请缩短到不超过 1000 个字符（当前 1001 个）" in page
    assert summary in page
    assert _project(app, project_id).public_summary == ""


def test_a_stale_window_keeps_the_typed_text_and_saves_nothing(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    old_lock = lock_of(app, project_id)
    first = client.post(f"/projects/{project_id}/sections/solution", data={
        "lock_version": old_lock, "solution": "第一个窗口写的方案", "innovation_points": ""})
    assert first.status_code == 302

    second = client.post(f"/projects/{project_id}/sections/solution", data={
        "lock_version": old_lock, "solution": "第二个窗口写的方案", "innovation_points": "第二个窗口的创新点"})
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "已在另一个窗口或会话中被修改" in page
    assert "第二个窗口写的方案" in page and "第二个窗口的创新点" in page
    assert f'name="lock_version" type="hidden" value="{old_lock}"' in page, "resending the stale form fails again"
    assert _project(app, project_id).solution == "第一个窗口写的方案", "the other window's text is not overwritten"


def test_the_section_form_in_english(client, login_as, make_project):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    page = client.get(f"/projects/{project_id}/sections/need?lang=en").get_data(as_text=True)
    assert "Clinical problem" in page and "Save draft" in page and "临床问题" not in page
    page = client.get(f"/projects/{project_id}/sections/need?lang=zh_Hans_CN").get_data(as_text=True)
    assert "临床问题" in page and "保存草稿" in page


def test_a_form_sent_after_the_project_was_submitted_elsewhere_keeps_its_text(
        client, login_as, make_project, submit_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor)
    lock = lock_of(app, project_id)
    submit_project(project_id, doctor)
    response = client.post(f"/projects/{project_id}/sections/team",
                           data={"lock_version": lock, "team": "新增的团队成员"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "新增的团队成员" in page and "本次表单内容未保存" in page
    assert _project(app, project_id).team == ""
