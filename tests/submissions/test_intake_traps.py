"""The clinician's intake traps: the new-project form in the order its intro gives, what is missing said before any
confirmation and in the same words as the overview, and drafts never sent deleted rather than withdrawn."""

import io
import re
from pathlib import Path

from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.submissions.models import Attachment, Project, ProjectVersion, StatusEvent
from chunfeng.submissions.status import Event, apply
from tests.conftest import login

from .conftest import lock_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _row(page: str, label: str) -> str:
    """The overview's answer (the <dd>) beside a field's label."""
    match = re.search(re.escape(label) + r"</dt>\s*<dd([^>]*)>(.*?)</dd>", page, re.S)
    assert match, f"no row {label}"
    return match.group(1) + match.group(2)


# --- point 3: the form, the checklist and the overview ---------------------------------------------------------

def test_the_new_project_form_asks_for_the_title_first_as_its_intro_says(client, login_as):
    login_as("clinician")
    page = client.get("/projects/new").get_data(as_text=True)
    assert "先填写一个暂定名称" in page
    positions = [page.index(f'name="{name}"') for name in ("title", "specialty", "public_summary")]
    assert positions == sorted(positions), "title, then specialty, then the public summary"


def test_what_is_missing_is_said_before_any_confirmation(client, login_as, make_project, app):
    doctor = login_as("clinician")
    incomplete = make_project(doctor, complete=False)
    page = client.get(f"/projects/{incomplete}").get_data(as_text=True)
    form = page.split(f'action="/projects/{incomplete}/submit"')[1].split(">")[0]
    assert "data-confirm" not in form, "no confirmation while answers are missing"
    assert "提交前还需填写" in page.split(f'action="/projects/{incomplete}/submit"')[0], "the list comes first"
    response = client.post(f"/projects/{incomplete}/submit", data={"lock_version": lock_of(app, incomplete)})
    assert response.status_code == 422 and "#field-stage" in response.get_data(as_text=True)

    complete = make_project(doctor)
    page = client.get(f"/projects/{complete}").get_data(as_text=True)
    form = page.split(f'action="/projects/{complete}/submit"')[1].split(">")[0]
    assert "data-confirm=" in form, "a complete project is confirmed before it becomes a fixed version"


def test_the_overview_shows_the_unsaved_stage_as_missing_like_the_checklist(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "/sections/progress#field-stage" in page.split('id="missing"')[1].split("</div>")[0]
    stage = _row(page, "研发阶段")
    assert "创意构思" not in stage, "the default stage is not shown as an answer while the checklist asks for it"
    assert "待补全" in stage and f"/projects/{project_id}/sections/progress#field-stage" in stage
    assert "尚不确定" not in _row(page, "预计管理类别") and "待补全" in _row(page, "预计管理类别")

    client.post(f"/projects/{project_id}/sections/progress",
                data={"stage": "idea", "lock_version": lock_of(app, project_id)})
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "#field-stage" not in page.split('id="missing"')[1].split("</div>")[0]
    stage = _row(page, "研发阶段")
    assert "创意构思" in stage and "待补全" not in stage, "once its section is saved the stage counts and shows"


# --- point 4: deleting a draft never sent ----------------------------------------------------------------------

def _attach(client, project_id):
    response = client.post(f"/projects/{project_id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "草图.pdf"), "attest": "y"})
    assert response.status_code == 302


def test_a_draft_never_sent_is_deleted_with_its_files_after_a_confirmation(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    _attach(client, project_id)
    with app.app_context():
        stored = Path(app.config["UPLOAD_FOLDER"]) / db.session.query(Attachment).one().stored_name
    assert stored.is_file()

    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert f"/projects/{project_id}/delete" in page and "删除草稿" in page
    assert f"/projects/{project_id}/withdraw" not in page, "withdrawing speaks of stopping a review: not for drafts"
    assert client.get(f"/projects/{project_id}/withdraw").status_code == 404

    confirm = client.get(f"/projects/{project_id}/delete")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "草图.pdf" in text and 'method="post"' in text
    with app.app_context():
        assert db.session.get(Project, project_id) is not None, "asking is not deleting"

    response = client.post(f"/projects/{project_id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/projects/")
    assert "已删除" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not stored.exists(), "the attachment's file goes with the draft"
    with app.app_context():
        assert db.session.get(Project, project_id) is None
        assert db.session.query(Attachment).count() == 0 and db.session.query(StatusEvent).count() == 0
        entry = db.session.query(AuditEntry).filter_by(action="project.deleted").one()
        assert (entry.actor_id, entry.object_id, entry.detail["attachments"]) == (doctor.id, project_id, 1)
        assert "草图" not in str(entry.detail), "nothing of the draft's text goes to the audit log"
    assert client.get(f"/projects/{project_id}").status_code == 404


def test_nobody_else_deletes_a_draft_and_a_sent_project_is_withdrawn_not_deleted(
        client, login_as, make_user, make_project, submit_project, app):
    owner = make_user("clinician")
    draft = make_project(owner, complete=False)
    sent = make_project(owner)
    submit_project(sent, owner)
    login_as("clinician")
    for project_id in (draft, sent):
        assert client.get(f"/projects/{project_id}/delete").status_code == 404
        assert client.post(f"/projects/{project_id}/delete").status_code == 404
    client.post("/account/logout")
    login_as("admin")
    assert client.post(f"/projects/{draft}/delete").status_code == 404

    client.post("/account/logout")
    assert login(client, owner.email).status_code == 302
    page = client.get(f"/projects/{sent}").get_data(as_text=True)
    assert f"/projects/{sent}/withdraw" in page and f"/projects/{sent}/delete" not in page
    assert client.post(f"/projects/{sent}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(Project, draft) is not None and db.session.get(Project, sent) is not None
        assert db.session.query(ProjectVersion).count() == 1


def test_my_projects_keeps_withdrawn_drafts_never_sent_apart_and_collapsed(client, login_as, make_project, app):
    doctor = login_as("clinician")
    kept = make_project(doctor, complete=False, title="正在写的草稿")
    withdrawn = make_project(doctor, complete=False, title="放弃的想法")
    with app.app_context():
        apply(db.session.get(Project, withdrawn), Event.WITHDRAW, None)
        db.session.commit()
    page = client.get("/projects/").get_data(as_text=True)
    table, rest = page.split("</table>")
    assert "正在写的草稿" in table and "放弃的想法" not in table
    aside = rest.split('<details class="mt-3" id="withdrawn-drafts">')[1].split("</details>")[0]
    assert "放弃的想法" in aside and f"/projects/{withdrawn}/delete" in aside and " open" not in aside[:20]
    assert f"/projects/{kept}" in table
    home = client.get("/dashboard").get_data(as_text=True)
    assert "正在写的草稿" in home
    assert "放弃的想法" not in home, "nor on the dashboard panel"
