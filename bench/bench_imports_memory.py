#!/usr/bin/env python
"""Memory and time of a spreadsheet import, in the request and in the worker (issue 18 point 4).

Makes (once, under var/bench/) a 100,000-row venue list (.xlsx, the venue import's columns, shared strings as
Excel writes them) and a zip bomb: a 1 MB .xlsx whose sheet unpacks to 1 GiB. Then measures each step in a
process of its own (peak RSS from ``getrusage``, wall time):

- ``baseline``: Django set up, nothing read;
- ``request``: what the upload request does with the 100,000-row list (``check_import_file``: the upload check,
  the zip directory, the sheet's dimension record), and ``request_bomb`` with the bomb (refused);
- ``worker``: what the import's run reads (``read_rows`` with the import's row limit, 50,000: refused at row
  50,001), and ``worker_all`` with the limit lifted (all 100,000 rows read);
- ``old_request``: the request's former estimate (openpyxl ``load_workbook`` in read-only mode, ``max_row``).

    .venv/bin/python bench/bench_imports_memory.py

No database is needed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
DIR = ROOT / "var" / "bench"
ROWS = 100_000
LIST = DIR / f"venues-{ROWS}.xlsx"
BOMB = DIR / "bomb-1gib.xlsx"


def make_list() -> None:
    from openpyxl import Workbook

    from venues.spreadsheets import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("场所")
    sheet.append([c.header for c in COLUMNS])
    for i in range(ROWS):
        sheet.append(
            [f"测试场所{i:06d}", "商场", "410502001001G01", f"安阳市文峰区人民大道{i}号", 36.1, 114.39]
            + [None] * (len(COLUMNS) - 6)
        )
    workbook.save(LIST)


def make_bomb() -> None:
    """A valid .xlsx whose first sheet is 1 GiB of XML whitespace inside <sheetData>, deflated to about 1 MB."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    with zipfile.ZipFile(BOMB, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk = b" " * (16 * 1024 * 1024)
            for _ in range(64):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")


def phase(name: str) -> dict[str, object]:
    import django

    django.setup()
    from django.core.files import File

    from crowdsafe.common import imports
    from crowdsafe.common.spreadsheets import SpreadsheetError, read_rows
    from crowdsafe.errors import DomainError
    from venues.spreadsheets import COLUMNS

    started = time.perf_counter()
    outcome = "ok"
    path = BOMB if name == "request_bomb" else LIST
    with path.open("rb") as handle:
        upload = File(handle, name=path.name)
        try:
            if name in {"request", "request_bomb"}:
                outcome = f"estimated rows: {imports.check_import_file(upload)}"
            elif name == "worker":
                outcome = f"rows: {len(read_rows(upload, columns=COLUMNS, max_rows=imports.MAX_ROWS).rows)}"
            elif name == "worker_all":
                outcome = f"rows: {len(read_rows(upload, columns=COLUMNS, max_rows=ROWS).rows)}"
            elif name == "old_request":
                from openpyxl import load_workbook

                # The former estimate_rows: the dimension record, else every row counted, in the request.
                workbook = load_workbook(upload, read_only=True, data_only=True)
                sheet = workbook.worksheets[0]
                max_row = sheet.max_row
                if max_row is None:
                    max_row = sum(1 for _row in sheet.iter_rows(values_only=True))
                outcome = f"estimated rows: {max_row - 1}"
                workbook.close()
        except (DomainError, SpreadsheetError) as exc:
            outcome = f"refused: {getattr(exc, 'message', exc)}"
    return {
        "phase": name,
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "outcome": str(outcome),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--phase":
        if sys.argv[2] == "baseline":
            import django

            django.setup()
            print(
                json.dumps(
                    {
                        "phase": "baseline",
                        "seconds": 0,
                        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                        "outcome": "",
                    }
                )
            )
        else:
            print(json.dumps(phase(sys.argv[2]), ensure_ascii=False))
        return
    import django

    django.setup()
    DIR.mkdir(parents=True, exist_ok=True)
    if not LIST.exists():
        print(f"making {LIST.name} …", flush=True)
        make_list()
    if not BOMB.exists():
        print(f"making {BOMB.name} …", flush=True)
        make_bomb()
    print(f"{LIST.name}: {LIST.stat().st_size / 1e6:.1f} MB; {BOMB.name}: {BOMB.stat().st_size / 1e6:.1f} MB")
    for name in ("baseline", "request", "request_bomb", "worker", "worker_all", "old_request"):
        out = subprocess.run(
            [sys.executable, __file__, "--phase", name], capture_output=True, text=True, check=True, cwd=ROOT
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        phase_name, seconds, rss = result["phase"], result["seconds"], result["peak_rss_mb"]
        print(f"{phase_name:<13} {seconds:>7} s  peak RSS {rss:>7} MB  {result['outcome']}")


if __name__ == "__main__":
    main()
