"""The officer's day on a milestone: its fields and a document saved in one step, completing a step starts the next,
the clinician is told of every change (in the app and by e-mail), and the project's timeline shows matching under
way (对接中) while a company's connection is open."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.core.models import Notification
from chunfeng.core.services import notification_texts
from chunfeng.db import db
from chunfeng.incubation import milestones
from chunfeng.incubation.models import Incubation, MilestoneDocument, MilestoneStatus
from chunfeng.matching.lifecycles import ConnectionStep, connection_lifecycle
from chunfeng.matching.models import Connection, ConnectionStatus
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at, milestone_of
from tests.smtp_server import body, subject

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LATER = MONDAY + timedelta(days=14)


def _steps(app, started, *keys):
    with app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        return [milestone_of(incubation, key).id for key in keys]


def _clinician_notes(app, clinician) -> list[str]:
    with app.test_request_context("/"), app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.user_id == clinician.id)
                                   .order_by(Notification.id)).all()
        return notification_texts(notes)


def test_fields_document_and_completion_are_saved_in_one_submit(app, client, start, smtp):
    started = start()
    requirements, testing = _steps(app, started, "product_technical_requirements", "registration_testing")
    with at(MONDAY), app.app_context():
        milestones.change_milestone(db.session.get(milestones.Milestone, requirements), "start",
                                    db.session.get(User, started.officer.id))
        db.session.commit()
    smtp.messages.clear()
    with at(LATER):
        login(client, started.officer.email)
        page = client.get(f"/incubation/milestone/{requirements}").get_data(as_text=True)
        assert page.count('enctype="multipart/form-data"') == 1 and "/documents" not in page
        saved = client.post(f"/incubation/milestone/{requirements}", content_type="multipart/form-data", data={
            "owner": "企业注册部", "notes": "技术要求已定稿", "file": (io.BytesIO(PDF), "产品技术要求.pdf"),
            "no_patient_data": "y", "mark_done": "y"})
        assert saved.status_code == 302
        shown = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "节点及文件已保存" in shown and "下一步“注册检验”已开始进行" in shown
    with app.app_context():
        step = db.session.get(milestones.Milestone, requirements)
        assert (step.owner, step.notes, step.status, step.actual_done) == (
            "企业注册部", "技术要求已定稿", MilestoneStatus.DONE, LATER)
        assert [d.original_name for d in step.documents] == ["产品技术要求.pdf"]
        following = db.session.get(milestones.Milestone, testing)
        assert (following.status, following.actual_start) == (MilestoneStatus.IN_PROGRESS, LATER)
    notes = _clinician_notes(app, started.clinician)
    assert any("“产品技术要求”已完成，下一步“注册检验”已开始" in note for note in notes), notes
    [mail] = smtp.to(started.clinician.email)
    assert "节点状态有变化" in subject(mail) and "可调节直径的颅内取栓支架" in subject(mail)
    text = body(mail)
    assert "李明医生，您好" in text and "下一步“注册检验”已开始" in text
    assert f"http://chunfeng.test/incubation/project/{started.project_id}" in text


def test_a_refused_document_keeps_nothing_of_the_submit(app, client, start):
    started = start()
    [testing] = _steps(app, started, "registration_testing")
    with at(LATER):
        login(client, started.officer.email)
        unconfirmed = client.post(f"/incubation/milestone/{testing}", content_type="multipart/form-data", data={
            "owner": "省医疗器械检验所", "file": (io.BytesIO(PDF), "检验报告.pdf")})
        wrong_type = client.post(f"/incubation/milestone/{testing}", content_type="multipart/form-data", data={
            "owner": "省医疗器械检验所", "file": (io.BytesIO(b"MZ\x90\x00 not a document"), "检验报告.pdf"),
            "no_patient_data": "y"})
    assert unconfirmed.status_code == 400 and "不含可识别患者身份的信息" in unconfirmed.get_data(as_text=True)
    assert wrong_type.status_code == 400 and "不接受此类文件" in wrong_type.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(milestones.Milestone, testing).owner == ""
        assert db.session.scalar(select(MilestoneDocument)) is None


def test_saving_without_a_file_needs_no_confirmation_and_keeps_the_status(app, client, start):
    started = start()
    [testing] = _steps(app, started, "registration_testing")
    with at(LATER):
        login(client, started.officer.email)
        saved = client.post(f"/incubation/milestone/{testing}", content_type="multipart/form-data",
                            data={"owner": "省医疗器械检验所", "planned_due": (LATER + timedelta(days=60)).isoformat()})
    assert saved.status_code == 302
    with app.app_context():
        step = db.session.get(milestones.Milestone, testing)
        assert step.owner == "省医疗器械检验所" and step.status == MilestoneStatus.NOT_STARTED and not step.documents


def test_completing_a_step_starts_the_next_open_one_in_plan_order(app, start):
    started = start()
    with at(LATER), app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        officer = db.session.get(User, started.officer.id)
        testing, clinical, submission = (milestone_of(incubation, key) for key in (
            "registration_testing", "clinical_evaluation", "registration_submission"))
        milestones.change_milestone(clinical, "skip", officer)  # exempt from clinical evaluation
        milestones.change_milestone(testing, "start", officer, on=MONDAY)
        milestones.change_milestone(testing, "complete", officer)
        assert clinical.status == MilestoneStatus.SKIPPED
        assert (submission.status, submission.actual_start) == (MilestoneStatus.IN_PROGRESS, LATER)
        later_ones = [m for m in incubation.milestones if m.position > submission.position]
        assert all(m.status == MilestoneStatus.NOT_STARTED for m in later_ones)


def test_a_next_step_already_running_is_left_as_it_is(app, start):
    started = start()
    with at(LATER), app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        officer = db.session.get(User, started.officer.id)
        requirements, testing = (milestone_of(incubation, key) for key in (
            "product_technical_requirements", "registration_testing"))
        milestones.change_milestone(requirements, "start", officer, on=MONDAY)
        milestones.change_milestone(testing, "start", officer, on=MONDAY + timedelta(days=2))
        milestones.change_milestone(requirements, "complete", officer)
        assert (testing.status, testing.actual_start) == (MilestoneStatus.IN_PROGRESS, MONDAY + timedelta(days=2))


def test_the_status_buttons_tell_the_clinician_in_the_app_and_by_mail(app, client, start, smtp):
    started = start()
    [testing] = _steps(app, started, "registration_testing")
    with at(LATER):
        login(client, started.officer.email)
        assert client.post(f"/incubation/milestone/{testing}/status", data={"event": "start"}).status_code == 302
    notes = _clinician_notes(app, started.clinician)
    assert any("“注册检验”当前状态为：进行中" in note for note in notes), notes
    [mail] = smtp.to(started.clinician.email)
    assert "“注册检验”当前状态为：进行中" in body(mail)
    assert not smtp.to(started.officer.email)


def test_a_clinician_who_switched_milestone_mails_off_is_told_in_the_app_only(app, start, smtp):
    started = start()
    with app.app_context():
        clinician = db.session.get(User, started.clinician.id)
        clinician.mail_preferences = {"milestone_change": False}
        db.session.commit()
    with at(LATER), app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        milestones.change_milestone(milestone_of(incubation, "registration_testing"), "start",
                                    db.session.get(User, started.officer.id))
        db.session.commit()
    assert not smtp.messages
    assert len(_clinician_notes(app, started.clinician)) == 2  # entering incubation, then the step


def _matching_step(page: str) -> str:
    found = re.search(r'<li class="(\w+)" data-step="matching"[^>]*>(.*?)</li>', page, re.S)
    assert found, page
    return found.group(1) + " " + found.group(2)


def test_the_timeline_says_connecting_while_a_connection_is_open(app, client, start, make_user):
    started = start()
    company = make_user(Role.ENTERPRISE, name="刘经理")
    with app.app_context():
        connection = Connection(project_id=started.project_id, organization_id=company.organization_id,
                                requested_by_id=company.id, reason="希望合作开发", status=ConnectionStatus.ACCEPTED)
        db.session.add(connection)
        db.session.commit()
        connection_id = connection.id
    login(client, started.clinician.email)
    for page in (f"/incubation/project/{started.project_id}", f"/projects/{started.project_id}"):
        step = _matching_step(client.get(page).get_data(as_text=True))
        assert step.startswith("current") and "对接中" in step and "已完成" not in step, page
    with app.app_context():
        connection_lifecycle.apply(db.session.get(Connection, connection_id), ConnectionStep.CLOSE,
                                   db.session.get(User, company.id))
        db.session.commit()
    for page in (f"/incubation/project/{started.project_id}", f"/projects/{started.project_id}"):
        step = _matching_step(client.get(page).get_data(as_text=True))
        assert step.startswith("done") and "已完成" in step and "对接中" not in step, page


def test_on_phones_the_plan_stacks_each_cell_under_its_column_name(app, client, start):
    """At 390 px the plan's rows become blocks (static/css/app.css, .table-stack): actual dates, the responsible
    party and the documents are named beside their values instead of waiting in columns off-screen."""
    started = start()
    login(client, started.officer.email)
    page = client.get(f"/incubation/project/{started.project_id}").get_data(as_text=True)
    plan = page[page.index('id="plan-title"'):]
    plan = plan[:plan.index("</table>")]
    assert 'class="table table-sm align-middle table-stack"' in plan
    for label in ("实际", "负责方", "文件"):
        assert plan.count(f'data-label="{label}"') == 7, label
    with app.open_resource("static/css/app.css") as sheet:
        css = sheet.read().decode()
    assert re.search(r"@media \(max-width: 575\.98px\) \{\s*\.table-stack thead", css)
