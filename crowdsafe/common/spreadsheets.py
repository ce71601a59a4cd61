"""Reading an uploaded list (.xlsx): its columns found by their headers, its cells as text, and a problem found in
one of its rows. What every import reads a workbook with (``crowdsafe.common.imports`` runs the job; each app's
``spreadsheets`` module names its columns and checks its rows).

A list's headers are the exchange format agencies keep their lists in, so they are fixed Chinese text whatever
the interface language; they are matched loosely (full-width forms, spaces, case), in any order. Row numbers are
Excel's: the header is row 1.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

# One data row: its Excel row number and its cells keyed by column (a missing optional column is None).
SheetRow = tuple[int, dict[str, object]]


@dataclass(frozen=True)
class Column:
    """A column of a list: the key the checker reads it by, its header in row 1, and whether it must be there."""

    key: str
    header: str
    required: bool = False


class SpreadsheetError(Exception):
    """The file is not a workbook we can read (the message says what to do)."""


def loose_key(text: object) -> str:
    """Compare names loosely: full-width forms folded (／ → /), spaces dropped, Latin letters upper-cased."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).upper()


def cell_text(value: object) -> str:
    """A cell as text: numbers typed into Excel come back as floats (410502001001.0), dates as datetimes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def ascii_text(text: str) -> str:
    """Codes, numbers and phone numbers typed with full-width characters (４１０５０２) read as ASCII."""
    return unicodedata.normalize("NFKC", text).strip()


@dataclass
class SheetRows:
    """The rows of the first worksheet, keyed by column, with Excel's row numbers. Empty rows are skipped;
    ``missing`` lists the required columns the header row lacks."""

    rows: list[SheetRow]
    missing: list[str]


def _open(file: IO[bytes] | Any) -> Workbook:
    """The workbook in openpyxl's read-only mode: rows are streamed from the file, so a 50,000-row list does not
    sit in memory as cell objects."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with contextlib.suppress(AttributeError, OSError):
        file.seek(0)
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SpreadsheetError(
            _("This file cannot be read as an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        ) from exc


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]+[0-9]+:)?[A-Z]+([0-9]+)\"")
# How much of the workbook's index and of the first sheet's start the estimate inflates, at most.
_HEAD_BYTES = 64 * 1024


def estimate_rows(file: IO[bytes] | Any) -> int | None:
    """How many data rows the first sheet says it has, from the dimension record at the start of its XML, or None
    when it does not say. Cheap and bounded whatever the file: it inflates at most 64 KB of each of three parts and
    never loads the workbook (openpyxl would read every shared string). The rows are counted by the import's run
    (``read_rows``), in the worker; the file has passed the upload check (``check_upload``: a zip within its
    declared sizes) before this is called."""
    with contextlib.suppress(AttributeError, OSError):
        file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:

            def head(name: str) -> bytes:
                with archive.open(name) as part:
                    return part.read(_HEAD_BYTES)

            sheet = _SHEET.search(head("xl/workbook.xml"))
            if sheet is None:
                return None
            rels = head("xl/_rels/workbook.xml.rels")
            target = re.search(rb"<Relationship\b[^>]*\bId=\"" + re.escape(sheet.group(1)) + rb"\"[^>]*>", rels)
            path = re.search(rb"\bTarget=\"([^\"]+)\"", target.group(0)) if target else None
            if path is None:
                return None
            name = path.group(1).decode("utf-8", "replace")
            name = name.lstrip("/") if name.startswith("/") else f"xl/{name}"
            dimension = _DIMENSION.search(head(name))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, RuntimeError):
        raise SpreadsheetError(
            _("This file cannot be read as an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        ) from None
    finally:
        with contextlib.suppress(AttributeError, OSError):
            file.seek(0)
    return max(0, int(dimension.group(1)) - 1) if dimension else None


def _blank(values: Sequence[object] | None) -> bool:
    return not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_rows(file: IO[bytes] | Any, *, columns: Iterable[Column], max_rows: int) -> SheetRows:
    """Read the first worksheet: find the columns by their headers in row 1 (in any order; unknown columns are
    ignored, optional ones may be left out), then every non-empty row below."""
    columns = tuple(columns)
    workbook = _open(file)
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        # Every row is read and counted, whatever the sheet's dimension record says: openpyxl would stop at the
        # row and column it names, silently leaving out the rest of a file whose record is wrong.
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        rows_iter = sheet.iter_rows(values_only=True)
        header_row = next(rows_iter, None) or ()
        wanted = {loose_key(c.header): c.key for c in columns}
        positions: dict[str, int] = {}
        for index, value in enumerate(header_row):
            key = wanted.get(loose_key(cell_text(value))) if value is not None else None
            if key and key not in positions:
                positions[key] = index
        # Only the required columns must be there; an optional column that is left out counts as empty.
        missing = [c.header for c in columns if c.required and c.key not in positions]
        rows: list[SheetRow] = []
        for number, values in enumerate(rows_iter, start=2):
            if _blank(values):
                continue
            if len(rows) >= max_rows:
                raise SpreadsheetError(
                    _("The spreadsheet has more than %(max)s rows: split it into smaller files.") % {"max": max_rows}
                )
            rows.append((number, {key: values[i] if i < len(values) else None for key, i in positions.items()}))
        return SheetRows(rows=rows, missing=missing)
    finally:
        workbook.close()


@dataclass(frozen=True)
class RowError:
    """One problem of one row: Excel's row number, the column's header and what is wrong (user-facing text)."""

    row: int
    column: str
    message: str

    @property
    def text(self) -> str:
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message, "text": self.text}


# --- writing a list, streamed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetText:
    """A cell written as text (number format "@"): a 12-digit division code or a phone number that Excel would
    otherwise turn into 4.10502E+11."""

    value: str


@dataclass(frozen=True)
class SheetColumn:
    """A column of a written list: its header (bold) and its width in characters."""

    header: str
    width: float = 11


_XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
# Cell styles: 0 plain, 1 bold (the header), 2 text ("@"), 3 date and time.
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_XLSX_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_EPOCH = datetime.datetime(1899, 12, 30)
# Characters XML 1.0 does not allow (control characters pasted into a text field), dropped from a cell.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Bytes of compressed output gathered before a chunk is handed to the response.
STREAM_CHUNK = 256 * 1024


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _XML_ILLEGAL.sub("", text)


def _cell(ref: str, value: object) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{_escape(value)}</t></is></c>'
    if isinstance(value, SheetText):
        return f'<c r="{ref}" t="inlineStr" s="2"><is><t>{_escape(value.value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime.datetime | datetime.date):
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime.combine(value, datetime.time())
        serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="3"><v>{serial!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{_escape(str(value))}</t></is></c>'


class _Sink(io.RawIOBase):
    """Where the zip is written: bytes gathered until the generator hands them on. Not seekable, so the zip
    writes each member's sizes after its data (a data descriptor), as a stream must."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self.parts.append(chunk)
        self.size += len(chunk)
        self.written += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.written

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def stream_xlsx(
    *,
    title: str,
    columns: Sequence[SheetColumn],
    rows: Iterable[Sequence[object]],
    freeze: str | None = None,
    row_count: int | None = None,
) -> Iterable[bytes]:
    """A one-sheet workbook (.xlsx) of ``columns`` and ``rows``, produced as it is written: what a streamed export
    sends (``StreamingHttpResponse``), in bounded memory whatever the number of rows — one compressed chunk of
    ``STREAM_CHUNK`` bytes at a time, no cell objects, no shared-string table (strings are written inline).

    A cell is None (empty), a str, an int or float, a datetime (naive, written as Excel's serial number in the
    "yyyy-mm-dd hh:mm" format), a date, a bool, or ``SheetText`` (text format "@"). ``freeze`` is the top-left
    cell of the scrolling pane ("C2"); ``row_count``, when known, goes into the sheet's dimension record (the
    import's ``estimate_rows`` reads it)."""
    letters = [_column_letter(i) for i in range(1, len(columns) + 1)]
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_XLSX_NS}" '
            f'xmlns:r="{_REL_NS}"><sheets><sheet name="{_escape(title[:31])}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        yield sink.take()
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            head = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_XLSX_NS}">']
            if row_count is not None:
                head.append(f'<dimension ref="A1:{letters[-1]}{row_count + 1}"/>')
            if freeze:
                column, row = re.fullmatch(r"([A-Z]+)([0-9]+)", freeze).groups()  # type: ignore[union-attr]
                x = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(column))) - 1
                y = int(row) - 1
                head.append(
                    f'<sheetViews><sheetView workbookViewId="0"><pane xSplit="{x}" ySplit="{y}" '
                    f'topLeftCell="{freeze}" activePane="bottomRight" state="frozen"/></sheetView></sheetViews>'
                )
            head.append("<cols>")
            for index, column_ in enumerate(columns, start=1):
                head.append(f'<col min="{index}" max="{index}" width="{column_.width}" customWidth="1"/>')
            head.append('</cols><sheetData><row r="1">')
            for letter, column_ in zip(letters, columns, strict=True):
                head.append(f'<c r="{letter}1" t="inlineStr" s="1"><is><t>{_escape(column_.header)}</t></is></c>')
            head.append("</row>")
            part.write("".join(head).encode())
            buffer: list[str] = []
            for number, values in enumerate(rows, start=2):
                buffer.append(f'<row r="{number}">')
                for letter, value in zip(letters, values, strict=False):
                    if value is not None and value != "":
                        buffer.append(_cell(f"{letter}{number}", value))
                buffer.append("</row>")
                if len(buffer) > 4000:
                    part.write("".join(buffer).encode())
                    buffer = []
                    if sink.size >= STREAM_CHUNK:
                        yield sink.take()
            buffer.append("</sheetData></worksheet>")
            part.write("".join(buffer).encode())
    yield sink.take()
