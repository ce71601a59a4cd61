"""The risk register as an .xlsx workbook: current levels (风险底数), and the level history. Headers and level
names are fixed Chinese text (the exchange format agencies file), whatever the page language; division codes are
written as text so that Excel keeps them whole."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from risk.models import SubjectRiskLevel

LEVEL_NAMES = {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}
SUBJECT_NAMES = {"venue": "人员密集场所", "gathering": "群众自发性聚集活动", "permit_application": "大型群众性活动"}
LEVEL_FILLS = {"red": "FFC7CE", "orange": "FFD8A8", "yellow": "FFF2A8", "blue": "CFE2FF"}

REGISTER_HEADERS = [
    "名称",
    "类别",
    "所在网格/社区",
    "区划代码",
    "风险等级",
    "风险值",
    "评估日期",
    "等级确定时间",
    "评估人",
    "签批人",
]
HISTORY_HEADERS = ["名称", "类别", "原等级", "新等级", "风险值", "变更时间", "签批人"]


def write_register(rows: QuerySet[SubjectRiskLevel], output) -> None:
    """Write the register rows (scoped and filtered by the caller) and the history of those subjects."""
    from django.utils import timezone
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    from risk.models import RiskLevelChange

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("风险底数")
    for letter, width in zip("ABCDEFGHIJ", [30, 18, 22, 20, 12, 8, 12, 18, 12, 12], strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header(target, names):
        cells = []
        for name in names:
            cell = WriteOnlyCell(target, value=name)
            cell.font = bold
            cells.append(cell)
        target.append(cells)

    def text(target, value):
        cell = WriteOnlyCell(target, value=value)
        cell.number_format = "@"
        return cell

    def level(target, value):
        cell = WriteOnlyCell(target, value=LEVEL_NAMES.get(value, value))
        fill = LEVEL_FILLS.get(value)
        if fill:
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        return cell

    header(sheet, REGISTER_HEADERS)
    for row in rows.select_related("assessment__assessor", "assessment__reviewer").iterator(chunk_size=2000):
        sheet.append(
            [
                row.subject_label,
                SUBJECT_NAMES.get(row.subject_type, row.subject_type),
                row.jurisdiction.name,
                text(sheet, row.jurisdiction.code),
                level(sheet, row.level),
                row.score,
                row.assessed_on.isoformat(),
                timezone.localtime(row.since).strftime("%Y-%m-%d %H:%M"),
                row.assessment.assessor.display_name,
                row.assessment.reviewer.display_name if row.assessment.reviewer_id else "",
            ]
        )
    history = workbook.create_sheet("等级变化")
    for letter, width in zip("ABCDEFG", [30, 18, 12, 12, 8, 18, 12], strict=True):
        history.column_dimensions[letter].width = width
    header(history, HISTORY_HEADERS)
    # The history of the subjects listed: one query, however many (an EXISTS on the scoped, filtered register).
    listed = rows.filter(subject_type=OuterRef("subject_type"), subject_id=OuterRef("subject_id"))
    changes = (
        RiskLevelChange.objects.filter(Exists(listed))
        .select_related("actor")
        .order_by("subject_label", "-changed_at", "-id")
    )
    for change in changes.iterator(chunk_size=2000):
        history.append(
            [
                change.subject_label,
                SUBJECT_NAMES.get(change.subject_type, change.subject_type),
                level(history, change.from_level) if change.from_level else "",
                level(history, change.to_level),
                change.score,
                timezone.localtime(change.changed_at).strftime("%Y-%m-%d %H:%M"),
                change.actor.display_name if change.actor_id else "",
            ]
        )
    workbook.save(output)
