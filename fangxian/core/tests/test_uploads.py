"""The upload checker: a file is what its content says, within the size limit, and its name must agree."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from fangxian.core.uploads import UploadRejected, UploadTooLarge, upload_check, upload_safe_name

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<x/>")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("virus.exe", EXE)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("通知.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("door.jpg", JPEG, "image/jpeg"),
        ("door.jpeg", JPEG, "image/jpeg"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
        ("pic.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
        ("report.docx", _office("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("stock.xlsx", _office("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("slides.pptx", _office("ppt/"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("note.txt", "今天完成入户排查 12 户。\n".encode(), "text/plain; charset=utf-8"),
        ("note.txt", "今天完成入户排查 12 户。\n".encode("gbk"), "text/plain; charset=gbk"),
        ("list.csv", "姓名,网格,电话\n王,001,138\n李,002,139\n".encode("gbk"), "text/csv; charset=gbk"),
        ("list.csv", "\ufeffname,grid\nwang,001\nli,002\n".encode(), "text/csv; charset=utf-8"),
    ],
)
def test_valid_files_are_recognised_by_content(name, content, content_type):
    result = upload_check(SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    assert result.content_type == content_type
    import hashlib

    assert result.sha256 == hashlib.sha256(content).hexdigest()


def test_the_clients_content_type_is_ignored():
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="image/png")
    assert upload_check(upload).content_type == "application/pdf"


def test_an_exe_named_pdf_is_refused_as_a_program():
    with pytest.raises(UploadRejected) as error:
        upload_check(SimpleUploadedFile("通知.pdf", EXE, content_type="application/pdf"))
    assert error.value.code == "upload_executable"
    assert "Windows program" in str(error.value.message) and "通知.pdf" in str(error.value.message)


@pytest.mark.parametrize(
    "content", [b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 50, b"#!/bin/sh\nrm -rf /\n", b"\xca\xfe\xba\xbe\x00\x00"]
)
def test_other_programs_and_scripts_are_refused(content):
    with pytest.raises(UploadRejected) as error:
        upload_check(content, name="readme.txt")
    assert error.value.code == "upload_executable"


def test_a_text_starting_with_mz_is_still_text():
    assert upload_check(b"MZ community notes\nline two\n", name="notes.txt").content_type.startswith("text/plain")


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRejected) as error:
        upload_check(SimpleUploadedFile("empty.pdf", b""))
    assert error.value.code == "upload_empty" and "empty" in str(error.value.message)


def test_an_oversize_file_is_refused_with_the_limit(settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(UploadTooLarge) as error:
        upload_check(SimpleUploadedFile("big.pdf", PDF + b"0" * 2000))
    assert error.value.code == "upload_too_large" and error.value.status == 413
    assert "1000" in str(error.value.message) or "KB" in str(error.value.message)


def test_a_file_object_without_a_size_is_measured_while_read(settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 1000
    stream = io.BytesIO(PDF + b"0" * 2000)
    with pytest.raises(UploadTooLarge):
        upload_check(stream, name="big.pdf")


def test_a_caller_may_lower_the_limit_but_not_raise_it(settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(UploadTooLarge):
        upload_check(PDF + b"0" * 500, name="a.pdf", max_bytes=100)
    with pytest.raises(UploadTooLarge):
        upload_check(PDF + b"0" * 20_000, name="a.pdf", max_bytes=10**9)
    assert upload_check(PDF, name="a.pdf", max_bytes=10**9).content_type == "application/pdf"


@pytest.mark.parametrize(
    "name,content,kind",
    [
        ("photo.jpg", PNG, "PNG image"),
        ("scan.png", PDF, "PDF document"),
        ("report", PDF, "PDF document"),
        ("table.xlsx", _office("word/"), "Word document"),
        ("notes.pdf", b"just some words\n", "plain text"),
    ],
)
def test_the_extension_must_agree_with_the_content(name, content, kind):
    with pytest.raises(UploadRejected) as error:
        upload_check(content, name=name)
    assert error.value.code == "upload_type_mismatch"
    assert kind in str(error.value.message)


@pytest.mark.parametrize(
    "name,content",
    [
        ("archive.zip", _zip()),  # a zip that is not an Office document
        ("data.bin", bytes(range(256)) * 4),
        ("broken.docx", b"PK\x03\x04not really a zip"),
    ],
)
def test_unknown_kinds_are_refused_with_the_list_of_allowed_ones(name, content):
    with pytest.raises(UploadRejected) as error:
        upload_check(content, name=name)
    assert error.value.code == "upload_type_not_allowed"
    assert "PDF document" in str(error.value.message)


@pytest.mark.parametrize("content", [b"<html><script>alert(1)</script></html>", b'<?xml version="1.0"?><svg/>'])
def test_markup_dressed_as_text_is_refused(content):
    with pytest.raises(UploadRejected) as error:
        upload_check(content, name="page.txt")
    assert error.value.code == "upload_markup"


def test_kinds_can_be_narrowed():
    with pytest.raises(UploadRejected) as error:
        upload_check(PDF, name="a.pdf", kinds=("png", "jpeg"))
    assert error.value.code == "upload_type_not_allowed" and "PNG image" in str(error.value.message)


def test_the_file_is_rewound_after_the_check():
    upload = SimpleUploadedFile("a.pdf", PDF)
    upload_check(upload)
    assert upload.read() == PDF


def test_messages_are_translated():
    with translation.override("zh-hans"), pytest.raises(UploadRejected) as error:
        upload_check(b"", name="a.pdf")
    assert error.value.code == "upload_empty"  # the code never changes; the message follows the language


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\王\\通知.pdf", "通知.pdf"),
        ("  .hidden.pdf ", "hidden.pdf"),
        ("a\x00b\r\n.pdf", "ab.pdf"),
        ("", "file"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_safe_names_drop_paths_and_control_characters(raw, expected):
    assert upload_safe_name(raw) == expected


# --- cutting an oversize file off while it arrives ------------------------------------------------


def _echo_view():
    from django.http import JsonResponse

    from fangxian.core.uploads import upload_error, upload_limited

    @upload_limited
    def view(request):
        error = upload_error(request)
        return JsonResponse(
            {"files": sorted(request.FILES), "note": request.POST.get("note"), "error": error and error.code}
        )

    return view


def test_an_oversize_file_is_cut_off_while_it_streams_in(settings, rf):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 1000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # the part received goes to a temporary file, then is dropped
    request = rf.post("/", {"note": "kept", "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 5000)})
    request._dont_enforce_csrf_checks = True
    body = json.loads(_echo_view()(request).content)
    assert body == {"files": [], "note": "kept", "error": "upload_too_large"}


def test_a_file_within_the_limit_passes_the_stream_check(settings, rf):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 1000
    request = rf.post("/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    request._dont_enforce_csrf_checks = True
    assert json.loads(_echo_view()(request).content) == {"files": ["file"], "note": None, "error": None}


def test_the_upload_limited_view_still_checks_csrf(rf):
    request = rf.post("/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert _echo_view()(request).status_code == 403
