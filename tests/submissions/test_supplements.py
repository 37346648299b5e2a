"""Supplementary material after submitting: a reason, changed answers and new files make a new version marked as
supplementary; the panel (administrators, assigned experts) is told and sees what changed; the receipt lists each
file with its digest."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.submissions import services
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Event, Status, apply
from tests.concurrency import in_parallel, on_postgres

from .conftest import client_as, lock_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NEW_EVIDENCE = "已完成猪颈动脉模型动物实验12例，远端栓塞0例。"


def _post(browser, project_id: int, lock: int, reason="补充动物实验结果", files=(), attest=True, **answers):
    data = {"lock_version": str(lock), "reason": reason, **answers}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    if attest:
        data["attest"] = "y"
    return browser.post(f"/projects/{project_id}/supplement", data=data, content_type="multipart/form-data")


def _project(app, project_id: int) -> Project:
    return db.session.get(Project, project_id)


def test_a_supplement_is_a_new_marked_version_whose_diff_and_files_the_administrator_sees(
        app, under_review):
    people, project_id = under_review.people, under_review.project_id
    clinician = client_as(app, people.clinician)
    page = clinician.get(f"/projects/{project_id}").get_data(as_text=True)
    assert f"/projects/{project_id}/supplement" in page, "the project page offers supplementary material"
    form = clinician.get(f"/projects/{project_id}/supplement")
    assert form.status_code == 200 and "补充材料的原因" in form.get_data(as_text=True)

    response = _post(clinician, project_id, lock_of(app, project_id), evidence=NEW_EVIDENCE,
                     files=[("动物实验报告.pdf", PDF)])
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{project_id}/versions/2")
    with app.app_context():
        project = _project(app, project_id)
        first, second = project.versions
        assert project.status == Status.UNDER_REVIEW, "a supplement changes no status"
        assert not first.is_supplement and second.is_supplement
        assert second.supplement["reason"] == "补充动物实验结果"
        assert second.sha256 == services.digest(second.content), "the reason is inside the digested content"
        assert first.sha256 == services.digest(first.content) and first.content["fields"]["evidence"] == ""
        assert second.content["fields"]["evidence"] == NEW_EVIDENCE
        assert [a["name"] for a in second.content["attachments"]] == ["动物实验报告.pdf"]

    admin = client_as(app, people.admin)
    version_page = admin.get(f"/projects/{project_id}/versions/2").get_data(as_text=True)
    assert "补充材料" in version_page and "补充动物实验结果" in version_page
    assert re.search(r"<ins[^>]*>[^<]*远端栓塞0例", version_page), "the added text is marked as inserted"
    assert "动物实验报告.pdf" in version_page and hashlib.sha256(PDF).hexdigest() in version_page
    project_page = admin.get(f"/projects/{project_id}").get_data(as_text=True)
    assert 'id="supplement-2"' in project_page and "补充动物实验结果" in project_page
    listing = admin.get(f"/projects/{project_id}/versions").get_data(as_text=True)
    assert listing.count("补充材料") >= 1 and "补充动物实验结果" in listing


def test_the_assigned_experts_and_administrators_are_told_and_the_experts_read_it_blind(app, under_review):
    people, project_id = under_review.people, under_review.project_id
    clinician = client_as(app, people.clinician)
    response = _post(clinician, project_id, lock_of(app, project_id), evidence=NEW_EVIDENCE,
                     team="李明，中山大学附属第一医院，项目负责人\n陈志强，中山大学附属第一医院，动物实验",
                     files=[("李明-动物实验报告.pdf", PDF)])
    assert response.status_code == 302
    with app.app_context():
        told = {note.user_id: note for note in db.session.scalars(select(Notification))
                if note.message.startswith("Supplementary material")}
        for expert in (people.expert_a, people.expert_b):
            assert "/reviews/assignments/" in told[expert.id].link, "each expert is sent to their review page"
        assert people.admin.id in told and people.stranger.id not in told and people.clinician.id not in told

    expert = client_as(app, people.expert_a)
    page = expert.get(f"/reviews/assignments/{under_review.assignments[0]}").get_data(as_text=True)
    assert "补充材料" in page and "补充动物实验结果" in page
    assert re.search(r"<ins[^>]*>[^<]*远端栓塞0例", page), "the expert sees the diff of the changed evidence"
    assert "补充附件 1" in page
    for identifying in ("李明", "中山大学附属第一医院", "陈志强", "李明-动物实验报告.pdf"):
        assert identifying not in page, f"{identifying} must stay hidden from experts"
    download = expert.get(f"/projects/{project_id}/versions/2/added/1")
    assert download.status_code == 200 and download.data == PDF
    assert "supplement-v2-1.pdf" in download.headers["Content-Disposition"]
    assert "李明" not in download.headers["Content-Disposition"]
    download.close()


def test_only_the_owner_adds_material_and_others_get_404(app, under_review):
    people, project_id = under_review.people, under_review.project_id
    lock = lock_of(app, project_id)
    for user in (people.other_clinician, people.company, people.stranger, people.expert_a, people.admin):
        browser = client_as(app, user)
        assert browser.get(f"/projects/{project_id}/supplement").status_code == 404, user.name
        assert _post(browser, project_id, lock, evidence=NEW_EVIDENCE).status_code == 404, user.name
    _post(client_as(app, people.clinician), project_id, lock, files=[("报告.pdf", PDF)])
    for user in (people.other_clinician, people.company, people.stranger):
        assert client_as(app, user).get(f"/projects/{project_id}/versions/2/added/1").status_code == 404, user.name
    with app.app_context():
        assert len(_project(app, project_id).versions) == 2


def test_no_supplement_before_submitting_nor_after_the_decision(app, login_as, make_project, client):
    owner = login_as()
    project_id = make_project(owner)
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert f"/projects/{project_id}/supplement" not in page, "a draft is edited, not supplemented"
    refused = _post(client, project_id, lock_of(app, project_id), evidence=NEW_EVIDENCE)
    assert refused.status_code == 409 and "只有在项目提交之后、评审决定之前" in refused.get_data(as_text=True)
    with app.app_context():
        project = _project(app, project_id)
        services.submit(project, project.owner, project.lock_version)
        for event in (Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_NOT_SELECTED):
            apply(project, event, None)
        db.session.commit()
    assert client.get(f"/projects/{project_id}/supplement").status_code == 302
    assert _post(client, project_id, lock_of(app, project_id), evidence=NEW_EVIDENCE).status_code == 409
    with app.app_context():
        assert len(_project(app, project_id).versions) == 1


def test_bad_input_is_refused_in_chinese_and_nothing_is_kept(app, login_as, make_project, submit_project, client):
    owner = login_as()
    project_id = make_project(owner)
    submit_project(project_id, owner)
    lock = lock_of(app, project_id)
    no_reason = _post(client, project_id, lock, reason="  ", evidence=NEW_EVIDENCE)
    assert no_reason.status_code == 400 and "请说明补充材料的原因" in no_reason.get_data(as_text=True)
    nothing = _post(client, project_id, lock)
    assert nothing.status_code == 400 and "没有可补充的内容" in nothing.get_data(as_text=True)
    same_text = _post(client, project_id, lock, solution="支架远端集成可折叠编织网篮，回撤时兜住碎栓一并收回。\r\n")
    assert same_text.status_code == 400, "an answer sent back unchanged (browser line ends) is no change"
    not_attested = _post(client, project_id, lock, files=[("报告.pdf", PDF)], attest=False)
    assert not_attested.status_code == 400
    assert "请确认文件中不含可识别患者身份的信息" in not_attested.get_data(as_text=True)
    executable = _post(client, project_id, lock, evidence=NEW_EVIDENCE,
                       files=[("报告.pdf", PDF), ("报告2.pdf", b"MZ\x90\x00 not a pdf")])
    assert executable.status_code == 400 and "只能上传 PDF" in executable.get_data(as_text=True)
    too_long = _post(client, project_id, lock, evidence="证" * 5001)
    assert too_long.status_code == 400 and "请缩短到不超过 5000 个字符" in too_long.get_data(as_text=True)
    with app.app_context():
        project = _project(app, project_id)
        assert len(project.versions) == 1 and project.attachments == [] and project.evidence == ""
    uploads = Path(app.config["UPLOAD_FOLDER"])
    assert not uploads.is_dir() or not any(uploads.iterdir()), "a refused form leaves no file behind"


def test_the_same_form_sent_twice_makes_one_version_and_a_stale_one_none(app, login_as, make_project,
                                                                         submit_project, client):
    owner = login_as()
    project_id = make_project(owner)
    submit_project(project_id, owner)
    lock = lock_of(app, project_id)
    assert _post(client, project_id, lock, evidence=NEW_EVIDENCE).status_code == 302
    again = _post(client, project_id, lock, evidence=NEW_EVIDENCE)
    assert again.status_code == 302 and again.headers["Location"].endswith("/versions/2")
    stale = _post(client, project_id, lock - 1, evidence="另一段文字")
    assert stale.status_code == 409 and "未保存。" in stale.get_data(as_text=True)
    assert "另一段文字" in stale.get_data(as_text=True), "the text is kept for copying"
    with app.app_context():
        assert [v.number for v in _project(app, project_id).versions] == [1, 2]


def test_the_receipt_lists_each_file_with_its_sha256(app, login_as, make_project, client):
    owner = login_as()
    project_id = make_project(owner)
    first_file = PDF + b"% first"
    with app.app_context():
        project = _project(app, project_id)
        services.add_attachment(project, "台架试验报告.pdf", io.BytesIO(first_file), project.owner)
        services.submit(project, project.owner, project.lock_version)
        db.session.commit()
    receipt = client.get(f"/projects/{project_id}/versions/1/receipt").get_data(as_text=True)
    assert "台架试验报告.pdf" in receipt and hashlib.sha256(first_file).hexdigest() in receipt

    second_file = PDF + b"% second"
    _post(client, project_id, lock_of(app, project_id), reason="补充动物实验报告",
          files=[("动物实验.pdf", second_file)])
    receipt = client.get(f"/projects/{project_id}/versions/2/receipt").get_data(as_text=True)
    assert "补充材料" in receipt and "补充动物实验报告" in receipt
    for name, content in (("台架试验报告.pdf", first_file), ("动物实验.pdf", second_file)):
        assert name in receipt and hashlib.sha256(content).hexdigest() in receipt
    with app.app_context():
        stored = {a.original_name: a.sha256 for a in _project(app, project_id).attachments}
        assert stored["动物实验.pdf"] == hashlib.sha256(second_file).hexdigest(), "the digest is stored at upload"


@pytest.mark.postgres
@on_postgres
def test_one_form_sent_from_several_tabs_at_once_makes_one_version(app, login_as, make_project, submit_project):
    owner = login_as()
    project_id = make_project(owner)
    submit_project(project_id, owner)
    lock = lock_of(app, project_id)
    tabs = [client_as(app, owner) for _ in range(4)]
    codes = in_parallel([lambda c=c: _post(c, project_id, lock, evidence=NEW_EVIDENCE) for c in tabs])
    assert set(codes) == {302}, codes
    with app.app_context():
        assert [v.number for v in _project(app, project_id).versions] == [1, 2]


def test_a_supplement_joins_the_version_under_review_and_asks_for_no_re_review(app, under_review):
    """The round page does not take supplementary material for a resubmission: the experts go on reviewing the
    version they were given, with the supplement beside it."""
    people, project_id = under_review.people, under_review.project_id
    response = _post(client_as(app, people.clinician), project_id, lock_of(app, project_id), evidence=NEW_EVIDENCE)
    assert response.status_code == 302
    round_page = client_as(app, people.admin).get(f"/reviews/rounds/{under_review.round_id}").get_data(as_text=True)
    assert "项目" in round_page and "已提交修改稿，需再次评审" not in round_page
    with app.app_context():
        from chunfeng.reviews.assignment import needs_re_review
        from chunfeng.reviews.models import RoundEntry

        entry = db.session.scalar(select(RoundEntry).where(RoundEntry.project_id == project_id))
        assert not needs_re_review(entry) and entry.version.number == 1
