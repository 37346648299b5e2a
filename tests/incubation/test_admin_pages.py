"""The administrator starts incubations and sets targets; officers upload documents; the CLI creates officers."""

import io

from sqlalchemy import select

from chunfeng.accounts.models import AccountStatus, Role, User
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.incubation import starting
from chunfeng.incubation.models import Incubation, MilestoneDocument, StageTarget
from chunfeng.submissions.models import DeviceClass, Project
from chunfeng.submissions.status import Status
from tests.conftest import PASSWORD, login
from tests.incubation.conftest import MONDAY, at, milestone_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_admin_assigns_an_officer_and_starts_incubation(app, client, make_project, make_user, login_as):
    project_id = make_project(Status.SELECTED_PRIORITY, DeviceClass.III)
    officer = make_user(Role.OFFICER, name="陈专员")
    login_as(Role.ADMIN)
    page = client.get("/incubation/admin").get_data(as_text=True)
    assert "待指定专员的入选项目" in page and "可调节直径的颅内取栓支架" in page and "陈专员" in page
    prefix = f"p{project_id}"
    refused = client.post(f"/incubation/admin/start/{project_id}",
                          data={f"{prefix}-officer": "", f"{prefix}-pathway": "innovation"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "请选择一位服务专员" in body
    assert '<option selected value="innovation">' in body, "the choice the administrator made is kept"
    response = client.post(f"/incubation/admin/start/{project_id}", data={
        f"{prefix}-officer": str(officer.id), f"{prefix}-pathway": "innovation", f"{prefix}-start": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/incubation/project/{project_id}")
    with app.app_context():
        incubation = starting.incubation_for(project_id)
        assert incubation.officer_id == officer.id and incubation.pathway == "innovation"
        assert db.session.get(Project, project_id).status == Status.INCUBATION
    page = client.get(f"/incubation/project/{project_id}").get_data(as_text=True)
    assert "创新医疗器械特别审查" in page and "临床评价" in page and "技术审评" in page


def test_admin_changes_the_officer(app, client, start, make_user):
    started = start()
    new_officer = make_user(Role.OFFICER, name="王专员")
    login(client, started.admin.email)
    response = client.post(f"/incubation/{started.incubation_id}/officer", data={"officer": str(new_officer.id)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Incubation, started.incubation_id).officer_id == new_officer.id
    client.post("/account/logout")
    login(client, started.officer.email)
    assert client.get(f"/incubation/project/{started.project_id}").status_code == 404


def test_targets_page_sets_a_share_of_the_statutory_limit(app, client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/incubation/admin/targets").get_data(as_text=True)
    assert "法定时限" in page and "第二类医疗器械注册技术审评时限为60个工作日" in page
    both = client.post("/incubation/admin/targets", data={"key": "technical_review", "pathway": "priority",
                                                          "percent": "50", "days": "20"})
    assert both.status_code == 400 and "比例和天数只能填写其中一项" in both.get_data(as_text=True)
    too_much = client.post("/incubation/admin/targets", data={"key": "technical_review", "pathway": "priority",
                                                              "percent": "150"})
    assert too_much.status_code == 400 and "1 到 100" in too_much.get_data(as_text=True)
    saved = client.post("/incubation/admin/targets", data={"key": "technical_review", "pathway": "all",
                                                           "percent": "55"})
    assert saved.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(StageTarget)).all()
        assert len(rows) == 4 and {r.percent for r in rows} == {55}
    assert "33 个工作日" in client.get("/incubation/admin/targets").get_data(as_text=True)


def test_officer_uploads_a_document_that_the_clinician_can_download(app, client, start, make_user):
    started = start()
    with app.app_context():
        step_id = milestone_of(db.session.get(Incubation, started.incubation_id), "registration_testing").id
    login(client, started.officer.email)
    unconfirmed = client.post(f"/incubation/milestone/{step_id}",
                              data={"file": (io.BytesIO(PDF), "检验报告.pdf")}, content_type="multipart/form-data")
    assert unconfirmed.status_code == 400 and "不含可识别患者身份的信息" in unconfirmed.get_data(as_text=True)
    wrong_type = client.post(f"/incubation/milestone/{step_id}", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"MZ\x90\x00 not a document"), "report.pdf"),
                                   "no_patient_data": "y"})
    assert wrong_type.status_code == 400 and "不接受此类文件" in wrong_type.get_data(as_text=True)
    uploaded = client.post(f"/incubation/milestone/{step_id}", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "检验报告.pdf"), "no_patient_data": "y"})
    assert uploaded.status_code == 302
    client.post("/account/logout")
    with app.app_context():
        document = db.session.scalar(select(MilestoneDocument))
        assert document.original_name == "检验报告.pdf" and document.mime_type == "application/pdf"
        document_id = document.id
    login(client, started.clinician.email)
    assert "检验报告.pdf" in client.get(f"/incubation/project/{started.project_id}").get_data(as_text=True)
    download = client.get(f"/incubation/document/{document_id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    client.post("/account/logout")
    login(client, make_user(Role.ENTERPRISE).email)
    assert client.get(f"/incubation/document/{document_id}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "incubation.document_viewed",
                                                          AuditEntry.actor_id == started.clinician.id))


def test_create_officer_command(app, runner):
    result = runner.invoke(args=["create-officer", "--email", "chen@gdmpa.cn", "--name", "陈专员",
                                 "--phone", "020-12345678", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == "chen@gdmpa.cn"))
        assert officer.role == Role.OFFICER and officer.status == AccountStatus.ACTIVE
        assert officer.phone == "020-12345678"
    again = runner.invoke(args=["create-officer", "--email", "chen@gdmpa.cn", "--name", "陈专员",
                                "--password", PASSWORD])
    assert again.exit_code != 0


def test_navigation_and_workspace_panels(app, client, start):
    started = start()
    with at(MONDAY):
        login(client, started.officer.email)
        page = client.get("/dashboard").get_data(as_text=True)
        assert "我的培育项目" in page and "可调节直径的颅内取栓支架" in page
        client.post("/account/logout")
        login(client, started.clinician.email)
        page = client.get("/dashboard").get_data(as_text=True)
        assert "培育进展" in page and "专员：陈专员" in page and "我的培育项目" not in page
        client.post("/account/logout")
        login(client, started.admin.email)
        page = client.get("/dashboard").get_data(as_text=True)
        assert "培育跟踪" in page
        english = client.get(f"/incubation/project/{started.project_id}?lang=en").get_data(as_text=True)
        assert "Pathway plan" in english and "Registration testing" in english
