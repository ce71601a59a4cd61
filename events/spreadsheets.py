"""The gathering list spreadsheet (清单, .xlsx): the shape a township reports upward, which is also what the import
accepts — an exported list imports again unchanged (the columns the import does not read, such as the
sequence number, the township, the risk level and the status, are there for the reader and are ignored).

Read and imported by the kernel's import runner (``crowdsafe.common.spreadsheets`` and ``.imports``); what is
the list's own is here: its columns, the names of its kinds and sources, and the check of a row. Headers and the
names of kinds and sources are fixed Chinese text whatever the interface language; messages about rows are
user-facing text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.common.pii import mask_phone
from crowdsafe.common.spreadsheets import (
    Column,
    RowError,
    SheetColumn,
    SheetText,
    ascii_text,
    cell_text,
    loose_key,
)
from crowdsafe.common.validators import clean_phone
from crowdsafe.org.models import Jurisdiction
from events.choices import GatheringKind, GatheringSource, GatheringStatus, Recurrence, RiskLevel
from events.models import MAX_ATTENDANCE, Gathering
from venues.choices import VENUE_LEVELS
from venues.models import Venue

COLUMNS: tuple[Column, ...] = (
    Column("number", "序号"),
    Column("township", "乡镇（街道）"),
    Column("title", "活动名称"),
    Column("kind", "活动类型", required=True),
    Column("grid_code", "所在网格/社区代码", required=True),
    Column("venue_name", "场所名称"),
    Column("location_name", "具体地点"),
    Column("latitude", "纬度"),
    Column("longitude", "经度"),
    Column("starts_at", "开始时间", required=True),
    Column("ends_at", "结束时间"),
    Column("recurrence", "举办频次"),
    Column("organizer_name", "组织者"),
    Column("organizer_phone", "组织者联系电话"),
    Column("attendance_min", "预计人数（下限）"),
    Column("attendance_max", "预计人数（上限）", required=True),
    Column("source", "信息来源", required=True),
    Column("online_hype", "线上转线下"),
    Column("risk_level", "风险等级"),
    Column("status", "状态"),
    Column("measures", "管控措施"),
    Column("description", "备注"),
)
HEADER = {c.key: c.header for c in COLUMNS}
# Read by the import; the others are for the reader of the report.
IMPORTED = (
    "title",
    "kind",
    "grid_code",
    "venue_name",
    "location_name",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "recurrence",
    "organizer_name",
    "organizer_phone",
    "attendance_min",
    "attendance_max",
    "source",
    "online_hype",
    "description",
)

KIND_NAMES = {
    GatheringKind.FESTIVAL_RELIGIOUS: "节庆祈福、宗教活动",
    GatheringKind.CELEBRATION: "娱乐庆祝活动",
    GatheringKind.MALL_PROMOTION: "商场促销活动",
    GatheringKind.ONLINE_TO_OFFLINE: "线上转线下打卡聚集",
    GatheringKind.HOLIDAY_SIGHTSEEING: "节假日观光人流",
    GatheringKind.OTHER: "其他",
}
KIND_ALIASES = {
    "庙会": GatheringKind.FESTIVAL_RELIGIOUS,
    "祈福": GatheringKind.FESTIVAL_RELIGIOUS,
    "促销": GatheringKind.MALL_PROMOTION,
}
SOURCE_NAMES = {
    GatheringSource.GRID_PATROL: "网格巡查",
    GatheringSource.HOTLINE: "110/12345热线",
    GatheringSource.ONLINE_MONITORING: "网络监测",
    GatheringSource.DEPARTMENT: "部门通报",
    GatheringSource.VENUE_OPERATOR: "场所管理方报告",
    GatheringSource.KEY_DATE: "重点时段预判",
}
SOURCE_ALIASES = {
    "110": GatheringSource.HOTLINE,
    "12345": GatheringSource.HOTLINE,
    "网格员": GatheringSource.GRID_PATROL,
}
RECURRENCE_NAMES = {
    Recurrence.ONCE: "一次性",
    Recurrence.DAILY: "每天",
    Recurrence.WEEKLY: "每周",
    Recurrence.MONTHLY: "每月",
    Recurrence.YEARLY: "每年",
}
RISK_NAMES = {
    RiskLevel.BLUE: "低风险（蓝）",
    RiskLevel.YELLOW: "一般风险（黄）",
    RiskLevel.ORANGE: "较大风险（橙）",
    RiskLevel.RED: "重大风险（红）",
}
STATUS_NAMES = {
    GatheringStatus.EXPECTED: "预计",
    GatheringStatus.REPORTED: "已上报",
    GatheringStatus.VERIFIED: "已核实",
    GatheringStatus.MONITORING: "管控中",
    GatheringStatus.SUSPENDED: "已暂停",
    GatheringStatus.POSTPONED: "已推迟",
    GatheringStatus.ENDED: "已结束",
    GatheringStatus.CANCELLED: "已取消",
    GatheringStatus.MERGED: "已合并",
    GatheringStatus.DISMISSED: "已排除",
}
YES, NO = "是", "否"
DATETIME_TEXT = "%Y-%m-%d %H:%M"
TITLE_MAX = Gathering._meta.get_field("title").max_length
PLACE_MAX = Gathering._meta.get_field("location_name").max_length
ORGANIZER_MAX = Gathering._meta.get_field("organizer_name").max_length


def _lookup(values: Iterable, names: Mapping, aliases: Mapping) -> dict[str, str]:
    table: dict[str, str] = {}
    for value in values:
        table[loose_key(value.value)] = value.value
        table[loose_key(str(value.label))] = value.value
    for value, name in names.items():
        table[loose_key(name)] = str(value)
    for name, value in aliases.items():
        table[loose_key(name)] = str(value)
    return table


_KINDS = _lookup(GatheringKind, KIND_NAMES, KIND_ALIASES)
_SOURCES = _lookup(GatheringSource, SOURCE_NAMES, SOURCE_ALIASES)
_RECURRENCES = _lookup(Recurrence, RECURRENCE_NAMES, {"": Recurrence.ONCE})
_BOOLEANS = {loose_key(v): True for v in (YES, "Y", "YES", "TRUE", "1", "√")} | {
    loose_key(v): False for v in (NO, "N", "NO", "FALSE", "0", "")
}


@dataclass
class GatheringRow:
    """One valid row, ready for ``gathering_report``."""

    row: int
    values: dict


def _datetime(raw, text: str) -> dt.datetime | None:
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time(0, 0))
    else:
        value = None
        for fmt in (DATETIME_TEXT, "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d"):
            try:
                value = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if value is None:
            return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@dataclass
class RowChecker:
    """Checks rows one at a time against what the database holds (given in bulk).

    ``grids``: code → Jurisdiction; ``venues``: (grid id, name) → Venue; ``placement_problem(grid, venue)``
    says why the importing user may not log a gathering there, or None."""

    grids: Mapping[str, Jurisdiction]
    venues: Mapping[tuple[int, str], Venue]
    placement_problem: Callable[[Jurisdiction, Venue | None], str | None]
    seen: dict[tuple, int] = field(default_factory=dict)

    def check(self, number: int, values: Mapping[str, object]) -> tuple[GatheringRow | None, list[RowError]]:
        errors: list[RowError] = []

        def error(key: str, message: str) -> None:
            errors.append(RowError(row=number, column=HEADER[key], message=message))

        text = {key: cell_text(values.get(key)) for key in HEADER}
        for key in ("grid_code", "latitude", "longitude", "attendance_min", "attendance_max", "organizer_phone"):
            text[key] = ascii_text(text[key])
        for column in COLUMNS:
            if column.required and not text[column.key]:
                error(column.key, _("This value is required."))

        if "*" in text["organizer_phone"]:  # a masked number from an export (issue 18 point 8): not in the file
            text["organizer_phone"] = ""
        if text["organizer_phone"]:
            try:
                text["organizer_phone"] = clean_phone(text["organizer_phone"])
            except ValidationError as exc:
                error("organizer_phone", exc.messages[0])

        kind = _KINDS.get(loose_key(text["kind"])) if text["kind"] else None
        if text["kind"] and kind is None:
            error("kind", _("Unknown kind “%(value)s”.") % {"value": text["kind"]})
        source = _SOURCES.get(loose_key(text["source"])) if text["source"] else None
        if text["source"] and source is None:
            error("source", _("Unknown source “%(value)s”.") % {"value": text["source"]})
        recurrence = _RECURRENCES.get(loose_key(text["recurrence"]))
        if recurrence is None:
            error("recurrence", _("Unknown recurrence “%(value)s”.") % {"value": text["recurrence"]})
        hype = _BOOLEANS.get(loose_key(text["online_hype"]))
        if hype is None:
            error("online_hype", _("Write 是 or 否."))

        grid = None
        code = text["grid_code"].upper()
        if code:
            grid = self.grids.get(code)
            if grid is None:
                error("grid_code", _("No grid or community has the code “%(value)s”.") % {"value": code})
            elif grid.level not in VENUE_LEVELS:
                error(
                    "grid_code",
                    _("%(name)s (%(value)s) is a %(level)s: a gathering is placed in a grid or a village/community.")
                    % {"name": grid.name, "value": code, "level": grid.get_level_display()},
                )
                grid = None
        venue = None
        if grid is not None and text["venue_name"]:
            venue = self.venues.get((grid.pk, text["venue_name"]))
            if venue is None:
                error(
                    "venue_name",
                    _("%(grid)s has no active venue named “%(name)s”.")
                    % {"grid": grid.name, "name": text["venue_name"]},
                )
        if not text["venue_name"] and not text["location_name"]:
            error("location_name", _("Name the place, or give a registered venue."))
        for key, limit in (("title", TITLE_MAX), ("location_name", PLACE_MAX), ("organizer_name", ORGANIZER_MAX)):
            if len(text[key]) > limit:
                error(key, _("The text is longer than %(max)s characters.") % {"max": limit})

        starts_at = _datetime(values.get("starts_at"), text["starts_at"]) if text["starts_at"] else None
        if text["starts_at"] and starts_at is None:
            error(
                "starts_at",
                _("“%(value)s” is not a date and time such as 2026-02-17 19:30.") % {"value": text["starts_at"]},
            )
        ends_at = _datetime(values.get("ends_at"), text["ends_at"]) if text["ends_at"] else None
        if text["ends_at"] and ends_at is None:
            error(
                "ends_at",
                _("“%(value)s” is not a date and time such as 2026-02-17 19:30.") % {"value": text["ends_at"]},
            )
        if starts_at and ends_at and ends_at < starts_at:
            error("ends_at", _("The end is before the start."))

        numbers = {}
        for key in ("attendance_min", "attendance_max"):
            raw = text[key].replace(",", "")
            if not raw:
                numbers[key] = None
                continue
            try:
                value = Decimal(raw)
            except InvalidOperation:
                value = None
            if value is None or value != value.to_integral_value() or value < 0 or value > MAX_ATTENDANCE:
                error(key, _("Write a whole number of people."))
                numbers[key] = None
            else:
                numbers[key] = int(value)
        low, high = numbers["attendance_min"], numbers["attendance_max"]
        if low is not None and high is not None and low > high:
            error("attendance_min", _("The lower estimate is above the upper one."))
        if high == 0:
            error("attendance_max", _("The attendance must be a positive number."))

        coordinates = {}
        for key, limit in (("latitude", 90), ("longitude", 180)):
            if not text[key]:
                coordinates[key] = None
                continue
            try:
                value = Decimal(text[key])
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or not -limit <= value <= limit:
                error(key, _("Must be between -%(limit)s and %(limit)s.") % {"limit": limit})
                coordinates[key] = None
            else:
                coordinates[key] = value.quantize(Decimal("0.000001"))
        if bool(text["latitude"]) != bool(text["longitude"]):
            error(
                "longitude" if not text["longitude"] else "latitude",
                _("Give both the latitude and the longitude, or neither."),
            )

        if grid is not None and not errors:
            problem = self.placement_problem(grid, venue)
            if problem:
                error("grid_code", problem)
        if grid is not None and starts_at is not None:
            key = (grid.pk, venue.pk if venue else None, text["location_name"], starts_at)
            if key in self.seen:
                error(
                    "starts_at",
                    _("The same gathering is already in row %(row)s (same place, same start).")
                    % {"row": self.seen[key]},
                )
            else:
                self.seen[key] = number

        if errors:
            return None, errors
        return (
            GatheringRow(
                row=number,
                values={
                    "title": text["title"],
                    "kind": kind,
                    "grid": grid,
                    "venue": venue,
                    "location_name": text["location_name"],
                    "latitude": coordinates["latitude"],
                    "longitude": coordinates["longitude"],
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "recurrence": recurrence,
                    "organizer_name": text["organizer_name"],
                    "organizer_phone": text["organizer_phone"],
                    "estimated_attendance_min": low if low is not None else high,
                    "estimated_attendance_max": high,
                    "source": source,
                    "online_hype": hype,
                    "description": text["description"],
                },
            ),
            [],
        )


# Which spreadsheet column a gathering field's error belongs to (an error raised by the service at import time).
FIELD_COLUMN = {
    "title": "title",
    "kind": "kind",
    "grid": "grid_code",
    "venue": "venue_name",
    "location_name": "location_name",
    "latitude": "latitude",
    "longitude": "longitude",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "recurrence": "recurrence",
    "organizer_name": "organizer_name",
    "organizer_phone": "organizer_phone",
    "estimated_attendance_min": "attendance_min",
    "estimated_attendance_max": "attendance_max",
    "source": "source",
    "description": "description",
}


# --- export ---------------------------------------------------------------------------------------------


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: the local wall-clock time, naive."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# The export's columns with their widths (characters).
_WIDTHS = {
    "title": 28,
    "township": 14,
    "kind": 16,
    "grid_code": 20,
    "venue_name": 20,
    "location_name": 24,
    "starts_at": 17,
    "ends_at": 17,
    "risk_level": 14,
    "measures": 30,
    "description": 30,
    "source": 14,
}
EXPORT_COLUMNS = tuple(SheetColumn(c.header, _WIDTHS.get(c.key, 11)) for c in COLUMNS)
EXPORT_TITLE = "群众自发性聚集活动清单"
# What a row of the export reads, as plain values (no model instances: a 100,000-row export builds none).
EXPORT_FIELDS = (
    "pk",
    "jurisdiction_path",
    "title",
    "kind",
    "grid__code",
    "venue__name",
    "location_name",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "recurrence",
    "organizer_name",
    "organizer_phone",
    "estimated_attendance_min",
    "estimated_attendance_max",
    "source",
    "online_hype",
    "risk_level",
    "status",
    "description",
)


def gathering_rows(
    values: Iterable[tuple], *, townships: Mapping[str, str], measures: Mapping[int, str]
) -> Iterator[list[object]]:
    """The export's rows (the import format) from ``EXPORT_FIELDS`` tuples. ``townships``: path prefix of each
    township → its name; ``measures``: gathering id → the measures applied, in words. Codes are written as text,
    so Excel does not turn a 12-digit division code into 4.10502E+11; times as local wall-clock times."""
    prefixes = sorted(townships.items(), key=lambda item: -len(item[0]))
    zone = timezone.get_current_timezone()

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None

    def township_of(path: str) -> str | None:
        for prefix, name in prefixes:
            if path.startswith(prefix):
                return name
        return None

    for number, row in enumerate(values, start=1):
        (
            pk,
            path,
            title,
            kind,
            grid_code,
            venue_name,
            location_name,
            latitude,
            longitude,
            starts_at,
            ends_at,
            recurrence,
            organizer_name,
            organizer_phone,
            attendance_min,
            attendance_max,
            source,
            online_hype,
            risk_level,
            status,
            description,
        ) = row
        yield [
            number,
            township_of(path),
            title,
            KIND_NAMES.get(kind, kind),
            SheetText(grid_code),
            venue_name,
            location_name or None,
            float(latitude) if latitude is not None else None,
            float(longitude) if longitude is not None else None,
            local(starts_at),
            local(ends_at),
            RECURRENCE_NAMES.get(recurrence, recurrence),
            organizer_name or None,
            SheetText(mask_phone(organizer_phone)) if organizer_phone else None,
            attendance_min,
            attendance_max,
            SOURCE_NAMES.get(source, source),
            YES if online_hype else NO,
            RISK_NAMES.get(risk_level, risk_level),
            STATUS_NAMES.get(status, status),
            measures.get(pk) or None,
            description or None,
        ]
