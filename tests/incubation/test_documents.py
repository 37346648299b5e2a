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
