"""Reading an uploaded table: CSV (UTF-8, UTF-8 with BOM, GBK), .xlsx and .xls, with limits checked first."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from fangxian.core.errors import DomainError
from fangxian.core.uploads import UploadRejected, upload_check, upload_limit_bytes

MAX_ROWS = 200_000
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
XML_SCAN_BYTES = 64 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXTENSIONS = (".xlsx", ".xls", ".csv")


class ImportFileRejected(DomainError):
    code = "import_file_rejected"


def max_rows() -> int:
    return getattr(settings, "FANGXIAN_IMPORT_MAX_ROWS", MAX_ROWS)


def max_uncompressed() -> int:
    return getattr(settings, "FANGXIAN_IMPORT_MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)


def check_upload(data: bytes, name: str) -> str:
    """Check size and content; return the kind ("xlsx", "xls" or "csv") or raise a DomainError."""
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS:
        raise ImportFileRejected(
            _("Upload an Excel workbook (.xlsx or .xls) or a CSV file."), code="import_extension", field="file"
        )
    if extension == ".xls":
        limit = upload_limit_bytes()
        if len(data) > limit:
            raise ImportFileRejected(
                _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)},
                code="upload_too_large",
                field="file",
            )
        if not data.startswith(OLE_MAGIC):
            raise ImportFileRejected(_("This file is not an Excel 97-2003 workbook."), code="import_xls", field="file")
        return "xls"
    if extension == ".xlsx":
        upload_check(data, name=name, kinds=["xlsx"])
    else:
        try:
            upload_check(data, name=name, kinds=["csv", "text"])
        except UploadRejected as problem:
            if problem.code != "upload_type_mismatch":
                raise
            # A CSV of one column has no separators: the content check sees plain text, which it is.
            upload_check(data, name=os.path.splitext(name)[0] + ".txt", kinds=["text"])
    if extension == ".xlsx":
        check_xlsx_container(data)
        return "xlsx"
    return "csv"


def check_xlsx_container(data: bytes) -> None:
    """Refuse a zip bomb (declared sizes, compression ratio) and XML with DOCTYPE or ENTITY, before parsing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileRejected(
            _("This workbook is damaged and cannot be read."), code="import_damaged", field="file"
        ) from None
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > max_uncompressed() or (info.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO):
                raise ImportFileRejected(
                    _(
                        "This workbook would unpack to more than %(limit)s or is compressed suspiciously "
                        "much; it was refused without being opened."
                    )
                    % {"limit": filesizeformat(max_uncompressed())},
                    code="import_zip_bomb",
                    field="file",
                )
        for info in archive.infolist():
            if info.filename.lower().endswith((".xml", ".rels")) and _declares_entities(archive, info):
                raise ImportFileRejected(
                    _(
                        "This workbook contains XML declarations (DOCTYPE or ENTITY) that a spreadsheet never "
                        "needs; it was refused."
                    ),
                    code="import_xml_entities",
                    field="file",
                )


def _declares_entities(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML member has a DOCTYPE or ENTITY declaration anywhere (read in chunks, never whole)."""
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(XML_SCAN_BYTES):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-9:]
    return False


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise ImportFileRejected(
                _("The CSV file is neither UTF-8 nor GBK text."), code="import_encoding", field="file"
            ) from None


def _too_many_rows(count: int) -> ImportFileRejected:
    return ImportFileRejected(
        _("The file has %(count)s rows; at most %(limit)s rows can be imported at once. Split it into several files.")
        % {"count": count, "limit": max_rows()},
        code="import_too_many_rows",
        field="file",
    )


def read_rows(data: bytes, kind: str) -> list[list[Any]]:
    """All rows of the first sheet (or the CSV) as lists of cells; the row count is limited."""
    if kind == "csv":
        rows = []
        for row in csv.reader(io.StringIO(decode_text(data))):
            rows.append(row)
            if len(rows) > max_rows() + 20:
                raise _too_many_rows(len(rows))
        return rows
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.height > max_rows() + 20:
            raise _too_many_rows(sheet.height)
        return sheet.to_python(skip_empty_area=False)
    except ImportFileRejected:
        raise
    except Exception:  # noqa: BLE001 - any reader failure is a damaged file to the user
        raise ImportFileRejected(
            _("This workbook is damaged and cannot be read."), code="import_damaged", field="file"
        ) from None
