"""Attachments: type judged by content, size and count limits, the attestation, storage and authorised download."""

import io
import zipfile
from pathlib import Path

from chunfeng.db import db
from chunfeng.submissions import services
from chunfeng.submissions.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _ooxml(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types><Override PartName="/main.xml" '
                                                f'ContentType="{main_part}"/></Types>')
        archive.writestr("main.xml", "<doc/>")
    return buffer.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def _upload(client, project_id, data: bytes, name: str, attest: bool = True):
    form = {"file": (io.BytesIO(data), name)}
    if attest:
        form["attest"] = "y"
    return client.post(f"/projects/{project_id}/attachments", data=form, content_type="multipart/form-data")


def test_content_decides_the_type_not_the_name():
    assert services.detect_type(PDF) == ("pdf", "application/pdf")
    assert services.detect_type(PNG) == ("png", "image/png")
    assert services.detect_type(_ooxml(DOCX_MAIN))[0] == "docx"
    assert services.detect_type(_ooxml(DOCM_MAIN)) is None, "macro-enabled Office files are refused"
    assert services.detect_type(_ooxml("application/zip")) is None, "other ZIP files are refused"
    assert services.detect_type(b"MZ\x90\x00" + b"\x00" * 200) is None
    assert services.detect_type(b"<html><script>alert(1)</script></html>") is None


def test_a_pdf_is_stored_outside_static_under_a_random_name(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    response = _upload(client, project_id, PDF, "../../动物实验报告.exe.pdf")
    assert response.status_code == 302
    with app.app_context():
        attachment = db.session.query(Attachment).one()
        stored = Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name
        assert stored.read_bytes() == PDF and "static" not in str(stored)
        assert "." not in attachment.stored_name and len(attachment.stored_name) >= 32
        assert attachment.original_name == "动物实验报告.exe.pdf" and attachment.mime_type == "application/pdf"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "动物实验报告.exe.pdf" in page


def test_renamed_executable_and_html_files_are_refused(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    for data, name in [(b"MZ\x90\x00" + b"\x00" * 200, "report.pdf"), (b"<html><body>x</body></html>", "a.docx")]:
        response = _upload(client, project_id, data, name)
        assert response.status_code == 400
        assert "只能上传 PDF" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Attachment).count() == 0
    assert not any(Path(app.config["UPLOAD_FOLDER"]).iterdir())


def test_without_the_attestation_the_file_is_refused(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    response = _upload(client, project_id, PDF, "a.pdf", attest=False)
    assert response.status_code == 400
    assert "请确认文件中不含可识别患者身份的信息" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Attachment).count() == 0


def test_too_large_and_too_many_files_are_refused_with_a_message(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    app.config["MAX_ATTACHMENT_BYTES"] = 100 * 1024  # kept small: the test client spools larger bodies to disk
    big = _upload(client, project_id, PDF + b"0" * (100 * 1024), "big.pdf")
    assert big.status_code == 400 and "此文件超过 100 KB" in big.get_data(as_text=True)

    app.config["MAX_ATTACHMENTS_PER_PROJECT"] = 2
    assert _upload(client, project_id, PDF, "1.pdf").status_code == 302
    assert _upload(client, project_id, PNG, "2.png").status_code == 302
    third = _upload(client, project_id, PDF, "3.pdf")
    assert third.status_code == 400 and "最多只能有 2 个附件" in third.get_data(as_text=True)


def test_only_the_owner_downloads_and_the_file_is_served_safely(client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor, complete=False)
    _upload(client, project_id, PDF, "方案.pdf")
    with app.app_context():
        attachment_id = db.session.query(Attachment.id).scalar()
    url = f"/projects/{project_id}/attachments/{attachment_id}"

    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()

    client.post("/account/logout")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    login_as("clinician")
    assert client.get(url).status_code == 404


def test_an_attachment_is_deleted_while_editable_and_its_digest_stays_in_the_version(
        client, login_as, make_project, app):
    doctor = login_as("clinician")
    project_id = make_project(doctor)
    _upload(client, project_id, PDF, "旧报告.pdf")
    with app.app_context():
        attachment = db.session.query(Attachment).one()
        attachment_id, stored = attachment.id, Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name
    from .conftest import lock_of

    client.post(f"/projects/{project_id}/submit", data={"lock_version": lock_of(app, project_id)})
    refused = client.post(f"/projects/{project_id}/attachments/{attachment_id}/delete")
    assert refused.status_code == 404, "a submitted project's files are fixed"

    with app.app_context():
        from chunfeng.submissions.models import Project
        from chunfeng.submissions.status import Event, apply

        project = db.session.get(Project, project_id)
        apply(project, Event.RETURN_FORMAL_CHECK, None, note="请删除含患者信息的附件")
        db.session.commit()
    assert client.post(f"/projects/{project_id}/attachments/{attachment_id}/delete").status_code == 302
    assert not stored.exists()
    version_page = client.get(f"/projects/{project_id}/versions/1").get_data(as_text=True)
    assert "旧报告.pdf" in version_page and "文件已删除" in version_page
