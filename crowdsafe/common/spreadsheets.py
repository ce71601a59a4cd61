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
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
