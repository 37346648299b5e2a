"""Milestone documents follow the same content rules as project attachments."""

import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from chunfeng.incubation import documents


def _upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def _zip_with(content_types: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
    return buffer.getvalue()


def test_pdf_is_kept_under_a_random_name(app):
    with app.test_request_context():
        stored = documents.store(_upload(b"%PDF-1.4\n%test\n", "检验报告.pdf"))
        assert stored.mime_type == "application/pdf"
        assert stored.original_name == "检验报告.pdf"
        assert "检验" not in stored.stored_name and documents.path_for(stored.stored_name).exists()


@pytest.mark.parametrize("data,name", [
    (b"<html><script>alert(1)</script></html>", "report.pdf"),
    (b"MZ\x90\x00" + b"\x00" * 64, "plan.docx"),
    (_zip_with('<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'),
     "macro.docx"),
])
def test_disguised_or_macro_files_are_refused(app, data, name):
    with app.test_request_context(), pytest.raises(documents.UploadError):
        documents.store(_upload(data, name))


def test_oversized_document_is_refused(app):
    app.config["MAX_ATTACHMENT_BYTES"] = 1024
    with app.test_request_context(), pytest.raises(documents.UploadError, match="1024|MB"):
        documents.store(_upload(b"%PDF-1.4\n" + b"0" * 2048, "big.pdf"))


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("name,shown", [
    ("evil.html", "evil.pdf"),  # a PDF/HTML polyglot keeps the detected type, never .html
    ("report.pdf.exe", "report.pdf.pdf"),
    ("检验\u202egpj.exe", "检验gpj.pdf"),  # the right-to-left override that makes "exe.jpg" read as "gpj.exe"
    ("报告\r\nX-Injected: 1.pdf", "报告_X-Injected_ 1.pdf"),
    ("C:\\Users\\chen\\测试报告.pdf", "测试报告.pdf"),
    ("\u200f\u2066", "attachment.pdf"),
])
def test_document_names_are_cleaned_like_attachment_names(app, name, shown):
    with app.test_request_context():
        assert documents.store(_upload(PDF, name)).original_name == shown


def test_a_document_stored_with_an_odd_name_still_downloads_safely(app, client, start):
    from chunfeng.db import db
    from chunfeng.incubation.models import Incubation, MilestoneDocument
    from tests.conftest import login

    started = start()
    with app.test_request_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        stored = documents.store(_upload(PDF, "x.pdf"))
        # As kept before names were cleaned: CR/LF, a bidirectional override and the name the uploader gave.
        document = MilestoneDocument(milestone=incubation.milestones[0], original_name="报告\r\n\u202eevil.html",
                                     stored_name=stored.stored_name, mime_type=stored.mime_type, size=stored.size,
                                     sha256=stored.sha256)
        db.session.add(document)
        db.session.commit()
        document_id = document.id
    login(client, started.clinician.email)
    download = client.get(f"/incubation/document/{document_id}")
    disposition = download.headers["Content-Disposition"]
    assert download.status_code == 200 and download.data == PDF
    assert disposition.startswith("attachment") and "\r" not in disposition and "\n" not in disposition
    assert "\u202e" not in disposition and "%E2%80%AE" not in disposition
    assert disposition.endswith(".pdf") and ".html" not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
