"""Spreadsheet imports cannot hurt the server (issue 18 point 4): a zip bomb is refused from the zip's directory
without inflating anything, and the upload request reads no rows (they are counted by the run, in the worker)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from crowdsafe.common import files, imports, spreadsheets
from crowdsafe.errors import DomainError

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>'
)
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="s" sheetId="1" r:id="rId7"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId7" Type="worksheet" Target="worksheets/list.xml"/></Relationships>'
)


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["场所名称", "场所类型"])
    for i in range(rows):
        sheet.append([f"场所{i}", "商场"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bomb(unpacked: int, *, extra_parts: int = 0, dimension: str = "") -> bytes:
    """An .xlsx whose sheet is ``unpacked`` bytes of whitespace (deflated about a thousandfold)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        for i in range(extra_parts):
            archive.writestr(f"xl/media/{i}.bin", b"")
        with archive.open("xl/worksheets/list.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet>" + dimension.encode() + b"<sheetData>")
            chunk = b" " * (4 * 1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture
def no_inflating(monkeypatch):
    """Fail the test if any zip part is inflated beyond its first 64 KB."""
    real = zipfile.ZipExtFile.read

    def read(self, n=-1):
        if n is None or n < 0 or n > 64 * 1024:
            raise AssertionError(f"{self.name} inflated in full")
        return real(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)


@pytest.fixture(scope="module")
def gib_bomb() -> bytes:
    return bomb(1024**3)


def test_a_1_mb_zip_bomb_of_1_gib_is_refused_from_its_directory(gib_bomb, no_inflating):
    assert len(gib_bomb) < 1.5 * 1024 * 1024
    with pytest.raises(DomainError) as exc:
        imports.check_import_file(SimpleUploadedFile("list.xlsx", gib_bomb))
    assert exc.value.field == "file"
    assert exc.value.code == "upload_unpacks_too_large"


def test_a_container_is_refused_above_the_unpacked_limit_whatever_its_ratio(settings, no_inflating):
    # 8 MB of a sheet deflated ~1000 times is under the ratio check's 100× only with a lower ratio: lift it, so
    # that only the absolute limit is left to refuse.
    settings.UPLOAD_ZIP_MAX_UNPACKED = 4 * 1024 * 1024
    data = bomb(8 * 1024 * 1024)
    with pytest.raises(files.UploadRefused):
        old_ratio, files.ZIP_MAX_RATIO = files.ZIP_MAX_RATIO, 10**6
        try:
            files.check_upload(SimpleUploadedFile("list.xlsx", data), kind="spreadsheet")
        finally:
            files.ZIP_MAX_RATIO = old_ratio
    settings.UPLOAD_ZIP_MAX_UNPACKED = 16 * 1024 * 1024
    files.ZIP_MAX_RATIO, old_ratio = 10**6, files.ZIP_MAX_RATIO
    try:
        files.check_upload(SimpleUploadedFile("list.xlsx", data), kind="spreadsheet")
    finally:
        files.ZIP_MAX_RATIO = old_ratio


def test_a_container_of_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(files, "ZIP_MAX_ENTRIES", 50)
    with pytest.raises(files.UploadRefused):
        files.check_upload(SimpleUploadedFile("list.xlsx", bomb(0, extra_parts=60)), kind="spreadsheet")
    files.check_upload(SimpleUploadedFile("list.xlsx", bomb(0, extra_parts=40)), kind="spreadsheet")


def test_the_request_reads_the_row_count_from_the_dimension_record_and_parses_no_row(monkeypatch, no_inflating):
    def no_openpyxl(*args, **kwargs):
        raise AssertionError("the workbook was loaded in the request")

    monkeypatch.setattr("openpyxl.load_workbook", no_openpyxl)
    assert imports.check_import_file(SimpleUploadedFile("list.xlsx", workbook(3))) == 3
    # The sheet is found through the workbook's relationships, whatever its part is called.
    data = bomb(4 * 1024 * 1024, dimension='<dimension ref="A1:K1201"/>')
    assert spreadsheets.estimate_rows(io.BytesIO(data)) == 1200
    # A sheet without a dimension record: not known in the request, counted by the run.
    assert spreadsheets.estimate_rows(io.BytesIO(bomb(1024))) is None


def test_a_list_over_the_row_limit_by_its_dimension_is_refused_at_upload(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(DomainError) as exc:
        imports.check_import_file(SimpleUploadedFile("list.xlsx", workbook(3)))
    assert exc.value.field == "file"


def test_the_run_counts_the_rows_and_refuses_past_the_limit_whatever_the_dimension_says():
    from crowdsafe.common.spreadsheets import Column, SpreadsheetError, read_rows

    columns = [Column("name", "场所名称", required=True)]
    # A dimension record that lies (1 row) over a sheet of 5.
    source, buffer = zipfile.ZipFile(io.BytesIO(workbook(5))), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B6"' in content
                content = content.replace(b'<dimension ref="A1:B6"', b'<dimension ref="A1:B2"')
            archive.writestr(info.filename, content)
    data = buffer.getvalue()
    assert spreadsheets.estimate_rows(io.BytesIO(data)) == 1
    with pytest.raises(SpreadsheetError):
        read_rows(io.BytesIO(data), columns=columns, max_rows=4)
    assert len(read_rows(io.BytesIO(data), columns=columns, max_rows=5).rows) == 5
