"""Submission: required answers, immutable versions with SHA-256 and server time, resubmission, double clicks,
and near-duplicates shown after submitting."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import time_machine

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.submissions import services
from chunfeng.submissions.models import Project, ProjectVersion
from chunfeng.submissions.status import Event, Status, apply

from .conftest import lock_of


def _advance(app, project_id, *events):
    with app.app_context():
        project = db.session.get(Project, project_id)
        for event in events:
            apply(project, event, None, note="请补充动物实验数据。" if event == Event.REQUEST_REVISION else "")
        db.session.commit()


def test_submit_lists_the_missing_sections_with_links(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False, need_problem="血栓碎裂")
    response = client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "还不能提交" in page
    assert f'/projects/{project_id}/sections/need#field-need_population' in page
    assert f'/projects/{project_id}/sections/declaration#field-attests_no_patient_data' in page
    assert f'/projects/{project_id}/sections/progress#field-stage' in page, "the default stage must be confirmed"
    assert "#field-need_problem" not in page, "answered items are not listed"
    with app.app_context():
        assert db.session.get(Project, project_id).status == Status.DRAFT
        assert db.session.query(ProjectVersion).count() == 0


def test_patent_numbers_are_required_once_a_patent_is_filed(app, make_user, make_project):
    doctor = make_user("clinician")
    project_id = make_project(doctor, ip_status="filed")
    with app.app_context():
        missing = services.missing_items(db.session.get(Project, project_id))
    assert [item.field for item in missing] == ["ip_numbers"]


def test_submit_makes_version_one_with_the_digest_of_its_canonical_json(client, login_as, make_project, app):
    doctor = login_as("clinician", name="李明")
    project_id = make_project(doctor)
    response = client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    assert response.status_code == 302
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project.status == Status.SUBMITTED
        [version] = project.versions
        content, digest = version.content, version.sha256
        assert content["fields"]["title"] == project.title and version.submitter_details["name"] == "李明"
        assert content["submitted_at"] == version.created_at.isoformat() + "Z"
    download = client.get(f"/projects/{project_id}/versions/1/canonical.json")
    assert hashlib.sha256(download.data).hexdigest() == digest
    assert json.loads(download.data) == {key: value for key, value in content.items() if key != "personal"}
    assert "attachment" in download.headers["Content-Disposition"]

    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert digest in page and "第 1 版已提交" in page
    receipt = client.get(f"/projects/{project_id}/versions/1/receipt").get_data(as_text=True)
    assert "存证回执" in receipt and digest in receipt and "sha256sum" in receipt and "李明" in receipt


def test_server_time_is_stored_in_utc_and_shown_in_beijing_time(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor)
    # late afternoon in UTC is after midnight in Beijing; a day ahead, as the session cookie refuses the past
    at = (datetime.now(UTC) + timedelta(days=1)).replace(hour=16, minute=30, second=5, microsecond=0)
    with time_machine.travel(at, tick=False):
        client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
        receipt = client.get(f"/projects/{project_id}/versions/1/receipt").get_data(as_text=True)
    beijing = (at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert beijing in receipt and at.strftime("%Y-%m-%dT%H:%M:%SZ") in receipt


def test_a_double_click_makes_one_version(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor)
    form = {"lock_version": lock_of(app, project_id)}
    first = client.post(f"/projects/{project_id}/submit", data=form)
    second = client.post(f"/projects/{project_id}/submit", data=form)
    assert first.status_code == second.status_code == 302
    assert "没有重复提交" in client.get(second.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ProjectVersion).filter_by(project_id=project_id).count() == 1


def test_revision_makes_version_two_and_version_one_stays_readable(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, solution="第一版方案")
    client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    _advance(app, project_id, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.REQUEST_REVISION)

    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "请补充动物实验数据。" in page, "the revision request's note reaches the doctor"
    saved = client.post(f"/projects/{project_id}/sections/solution", data={
        "lock_version": lock_of(app, project_id), "solution": "第二版方案", "innovation_points": "一体化"})
    assert saved.status_code == 302
    client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})

    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project.status == Status.UNDER_REVIEW
        first, second = project.versions
        assert (first.number, second.number) == (1, 2) and first.sha256 != second.sha256
    old = client.get(f"/projects/{project_id}/versions/1").get_data(as_text=True)
    assert "第一版方案" in old and "第二版方案" not in old and "较早的版本" in old
    new = client.get(f"/projects/{project_id}/versions/2").get_data(as_text=True)
    assert "第二版方案" in new and "解决方案与创新点" in new, "the changed section is named"
    listing = client.get(f"/projects/{project_id}/versions").get_data(as_text=True)
    assert first.sha256 in listing and second.sha256 in listing


def test_administrators_read_every_version(client, login_as, make_user, make_project, submit_project):
    doctor = make_user("clinician")
    project_id = make_project(doctor, solution="保密的方案细节")
    submit_project(project_id, doctor)
    login_as(Role.ADMIN)
    assert "保密的方案细节" in client.get(f"/projects/{project_id}/versions/1").get_data(as_text=True)
    assert "保密的方案细节" in client.get(f"/projects/{project_id}").get_data(as_text=True)


def test_a_near_duplicate_by_another_doctor_is_shown_after_submit(
        client, login_as, make_user, make_project, submit_project, app):
    earlier = make_user("clinician")
    twin_id = make_project(earlier, title="可回收取栓支架（带远端保护网篮）")
    submit_project(twin_id, earlier)
    unrelated_id = make_project(earlier, title="慢阻肺居家肺功能监测仪", specialty="呼吸与危重症医学科",
                                public_summary="居家监测慢阻肺患者肺功能，提前发现急性加重。",
                                need_problem="慢阻肺急性加重早期症状常被忽视。",
                                need_population="中重度慢阻肺居家患者。")
    submit_project(unrelated_id, earlier)

    doctor = login_as("clinician")
    project_id = make_project(doctor)
    client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "相似的已有项目" in page and "不影响您的提交" in page
    assert "一个尚未公开的神经介入科项目" in page, "another doctor's unpublished idea is not disclosed"
    assert "带远端保护网篮" not in page

    with app.app_context():
        found = services.similar_projects(db.session.get(Project, project_id))
    assert [(p.id, score > 0.9) for p, score, _reasons in found] == [(twin_id, True)]


def test_administrators_see_which_project_is_similar(
        client, login_as, make_user, make_project, submit_project):
    first, second = make_user("clinician"), make_user("clinician")
    twin_id = make_project(first, title="可回收取栓支架（带远端保护网篮）")
    submit_project(twin_id, first)
    project_id = make_project(second)
    submit_project(project_id, second)
    login_as(Role.ADMIN)
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert f'href="/projects/{twin_id}"' in page and "带远端保护网篮" in page and "共同关键词" in page
