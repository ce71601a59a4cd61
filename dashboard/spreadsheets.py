"""The responsibility matrix as an .xlsx workbook: one sheet, a block of columns per holder. Headers in fixed
Chinese (the exchange format agencies file, whatever the page language), like the risk register's export."""

from __future__ import annotations

import io

from dashboard.selectors.matrix import Cell, Matrix

FIGURES = ["在办", "3个工作日内到期", "逾期", "办结", "按期办结率", "逾期天数中位数", "最久逾期事项"]
FILLS = {"late": "FFC7CE", "behind": "FFF2A8", "ok": "D9F2D0"}


def _values(cell: Cell) -> list:
    rate = cell.on_time_rate
    return [
        cell.open,
        cell.due_soon,
        cell.overdue,
        cell.done,
        None if rate is None else round(rate, 4),
        cell.median_days_overdue,
        f"{cell.oldest.duty_name}（{cell.oldest.subject_label}，{cell.oldest.due_date:%Y-%m-%d}到期）"
        if cell.oldest
        else "",
    ]


def write_matrix(matrix: Matrix) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "责任落实矩阵"
    start, end = matrix.period
    title = f"{matrix.root.name} 责任落实矩阵（办结统计期 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}，"
    title += f"截至 {matrix.today:%Y-%m-%d}）"
    sheet.append([title])
    sheet.append(["辖区", "责任方", *FIGURES])
    for cell in sheet[2]:
        cell.font = Font(bold=True)

    def add(label: str, holder: str, cell: Cell) -> None:
        sheet.append([label, holder, *_values(cell)])
        fill = FILLS.get(cell.lateness)
        if fill:
            sheet.cell(row=sheet.max_row, column=5).fill = PatternFill("solid", start_color=fill, end_color=fill)
        sheet.cell(row=sheet.max_row, column=7).number_format = "0%"

    for row in matrix.rows:
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            add(row.label, column.label, cell)
        if row.total is not None:
            add(row.label, "合计", row.total)
    for column, cell in zip(matrix.columns, matrix.column_totals, strict=True):
        add("合计", column.label, cell)
    add("合计", "合计", matrix.total)
    for letter, width in zip("ABCDEFGHI", [18, 22, 8, 14, 8, 8, 12, 14, 48], strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
