"""The streamed .xlsx writer (issue 19 point 1: the 100,000-row export in seconds and bounded memory): what it
writes opens with openpyxl with the right types, it is produced in chunks as rows come, and its memory does not
grow with the rows."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
from decimal import Decimal

from openpyxl import load_workbook

from crowdsafe.common import spreadsheets
from crowdsafe.common.spreadsheets import SheetColumn, SheetText, estimate_rows, stream_xlsx

COLUMNS = [SheetColumn("名称", 20), SheetColumn("代码"), SheetColumn("时间", 17), SheetColumn("人数")]
COLUMNS.append(SheetColumn("备注"))


def rows(n: int):
    start = dt.datetime(2026, 2, 17, 19, 30)
    for i in range(n):
        note = None if i % 2 else "a&b<c>\x01"
        yield [f"聚集{i}", SheetText("410502001001"), start + dt.timedelta(minutes=i), i, note]


def test_the_workbook_opens_with_openpyxl_with_its_types_and_dimension():
    data = b"".join(stream_xlsx(title="清单", columns=COLUMNS, rows=rows(3), freeze="C2", row_count=3))
    assert estimate_rows(io.BytesIO(data)) == 3
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    assert sheet.title == "清单" and sheet.freeze_panes == "C2"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("名称", "代码", "时间", "人数", "备注")
    assert values[1] == ("聚集0", "410502001001", dt.datetime(2026, 2, 17, 19, 30), 0, "a&b<c>")
    assert values[2][4] is None and values[2][3] == 1
    assert sheet["B2"].number_format == "@" and sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["A1"].font.b and sheet.column_dimensions["A"].width == 20
    number = b"".join(stream_xlsx(title="x", columns=COLUMNS[:1], rows=[[Decimal("36.097100")], [True]]))
    assert [r[0] for r in load_workbook(io.BytesIO(number)).worksheets[0].iter_rows(values_only=True)] == [
        "名称",
        36.0971,
        True,
    ]


def test_it_is_produced_in_chunks_as_the_rows_come(monkeypatch):
    monkeypatch.setattr(spreadsheets, "STREAM_CHUNK", 16 * 1024)
    taken = []

    def counted(n):
        for row in rows(n):
            taken.append(1)
            yield row

    stream = iter(stream_xlsx(title="清单", columns=COLUMNS, rows=counted(30_000)))
    next(stream)  # the workbook's small parts, before any row is read
    assert not taken
    next(stream)  # the first chunk of the sheet comes long before the last row is read
    assert 0 < len(taken) < 30_000
    chunks = 2 + sum(1 for _ in stream)
    assert chunks > 5 and len(taken) == 30_000


def test_its_memory_does_not_grow_with_the_rows():
    def peak(n: int) -> int:
        tracemalloc.start()
        for _chunk in stream_xlsx(title="清单", columns=COLUMNS, rows=rows(n)):
            pass
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(5_000), peak(50_000)
    assert large < 4 * 1024 * 1024, large
    assert large < small * 2, (small, large)
