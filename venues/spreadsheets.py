"""The venue-list spreadsheet (.xlsx): its columns, reading and checking rows, and writing an export.

The column headers and the names of the venue kinds are the exchange format that agencies keep their venue
lists in, so they are fixed Chinese text whatever the user interface's language; an exported list imports
again unchanged. Messages about the rows are user-facing text (gettext, English msgids) and name each
problem's row (as Excel numbers it: the header is row 1) and column.

The checks here are pure: the import service (``venues.services.imports``) looks up the grids, organisations
and existing venue names a file mentions in a few bulk queries and hands them to ``RowChecker``; the kernel
(``crowdsafe.common.imports``) reads the workbook and runs the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crowdsafe.common.identifiers import validate_credit_code
from crowdsafe.common.pii import mask_phone
from crowdsafe.common.spreadsheets import Column, RowError, ascii_text, cell_text, loose_key
from crowdsafe.common.validators import clean_phone
from crowdsafe.org.models import Jurisdiction, Organisation
from venues.choices import VENUE_LEVELS, VenueKind
from venues.models import Venue

COLUMNS: tuple[Column, ...] = (
    Column("name", "场所名称", required=True),
    Column("kind", "场所类型", required=True),
    Column("grid_code", "所在网格/社区代码", required=True),
    Column("address", "地址"),
    Column("latitude", "纬度"),
    Column("longitude", "经度"),
    Column("operator_credit_code", "管理单位统一社会信用代码"),
    Column("responsible_person_name", "安全责任人"),
    Column("responsible_person_phone", "联系电话"),
    Column("declared_capacity", "核定容量"),
)
HEADER = {c.key: c.header for c in COLUMNS}

# The names of the kinds in the spreadsheet (what an export writes) and other names an agency's list may use.
KIND_NAMES: dict[str, str] = {
    VenueKind.SQUARE: "广场",
    VenueKind.COMMERCIAL: "商业街区/商场",
    VenueKind.SCENIC_AREA: "景区",
    VenueKind.INTERNET_FAMOUS: "网红打卡地",
    VenueKind.PARK: "公园",
    VenueKind.STADIUM: "体育场馆",
    VenueKind.THEATRE: "剧院/演出场所",
    VenueKind.EXHIBITION: "展览馆",
    VenueKind.ENTERTAINMENT: "网吧/KTV/娱乐场所",
    VenueKind.SCHOOL: "学校/幼儿园",
    VenueKind.HOSPITAL: "医院",
    VenueKind.STATION: "车站/交通枢纽",
    VenueKind.ELDERLY_CARE: "养老/福利机构",
    VenueKind.RELIGIOUS_SITE: "庙会/宗教场所",
    VenueKind.OTHER: "其他",
}
KIND_ALIASES: dict[str, str] = {
    "商业街": VenueKind.COMMERCIAL,
    "商业街区": VenueKind.COMMERCIAL,
    "商场": VenueKind.COMMERCIAL,
    "商业综合体": VenueKind.COMMERCIAL,
    "旅游景区": VenueKind.SCENIC_AREA,
    "风景区": VenueKind.SCENIC_AREA,
    "网红景点": VenueKind.INTERNET_FAMOUS,
    "体育场": VenueKind.STADIUM,
    "体育馆": VenueKind.STADIUM,
    "剧院": VenueKind.THEATRE,
    "演出场所": VenueKind.THEATRE,
    "展览馆/会展中心": VenueKind.EXHIBITION,
    "会展中心": VenueKind.EXHIBITION,
    "展馆": VenueKind.EXHIBITION,
    "网吧": VenueKind.ENTERTAINMENT,
    "KTV": VenueKind.ENTERTAINMENT,
    "娱乐场所": VenueKind.ENTERTAINMENT,
    "学校": VenueKind.SCHOOL,
    "幼儿园": VenueKind.SCHOOL,
    "车站": VenueKind.STATION,
    "交通枢纽": VenueKind.STATION,
    "火车站": VenueKind.STATION,
    "汽车站": VenueKind.STATION,
    "养老机构": VenueKind.ELDERLY_CARE,
    "福利机构": VenueKind.ELDERLY_CARE,
    "养老院": VenueKind.ELDERLY_CARE,
    "庙会": VenueKind.RELIGIOUS_SITE,
    "宗教场所": VenueKind.RELIGIOUS_SITE,
    "寺庙": VenueKind.RELIGIOUS_SITE,
}

NAME_MAX = Venue._meta.get_field("name").max_length
ADDRESS_MAX = Venue._meta.get_field("address").max_length
PERSON_MAX = Venue._meta.get_field("responsible_person_name").max_length
COORDINATE_PLACES = Decimal("0.000001")


def _build_kind_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for kind in VenueKind:
        lookup[loose_key(kind.value)] = kind.value
        lookup[loose_key(str(kind.label))] = kind.value
    for name, kind in KIND_ALIASES.items():
        lookup[loose_key(name)] = str(kind)
    for kind, name in KIND_NAMES.items():
        lookup[loose_key(name)] = str(kind)
    return lookup


_KIND_LOOKUP = _build_kind_lookup()


def parse_kind(value) -> str | None:
    return _KIND_LOOKUP.get(loose_key(value)) if value not in (None, "") else None


@dataclass
class VenueRow:
    """One valid row, ready for ``venue_create``."""

    row: int
    name: str
    kind: str
    grid: Jurisdiction
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    operator: Organisation | None = None
    responsible_person_name: str = ""
    responsible_person_phone: str = ""
    declared_capacity: int | None = None

    def venue_kwargs(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "grid": self.grid,
            "address": self.address,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "operator": self.operator,
            "responsible_person_name": self.responsible_person_name,
            "responsible_person_phone": self.responsible_person_phone,
            "declared_capacity": self.declared_capacity,
        }


@dataclass
class RowChecker:
    """Checks rows one at a time against what the database holds (given in bulk) and against earlier rows.

    ``placement_problem(grid, operator)`` says why the importing user may not have that venue, as (message,
    field) with field "grid" or "operator", or None.
    """

    grids: Mapping[str, Jurisdiction]
    organisations: Mapping[str, Organisation]
    existing_names: set[tuple[int, str]]
    placement_problem: Callable[[Jurisdiction, Organisation | None], tuple[str, str] | None]
    seen_names: dict[tuple[int, str], int] = field(default_factory=dict)

    def check(self, number: int, values: Mapping[str, object]) -> tuple[VenueRow | None, list[RowError]]:
        errors: list[RowError] = []

        def error(key: str, message: str) -> None:
            errors.append(RowError(row=number, column=HEADER[key], message=message))

        text = {key: cell_text(values.get(key)) for key in HEADER}
        for key in ("grid_code", "latitude", "longitude", "operator_credit_code", "responsible_person_phone"):
            text[key] = ascii_text(text[key])
        text["declared_capacity"] = ascii_text(text["declared_capacity"])
        for column in COLUMNS:
            if column.required and not text[column.key]:
                error(column.key, _("This value is required."))

        name = text["name"]
        if len(name) > NAME_MAX:
            error("name", _("The name is longer than %(max)s characters.") % {"max": NAME_MAX})

        kind = parse_kind(text["kind"]) if text["kind"] else None
        if text["kind"] and kind is None:
            error("kind", _("Unknown kind “%(value)s”.") % {"value": text["kind"]})

        grid = None
        code = text["grid_code"].upper()
        if code:
            grid = self.grids.get(code)
            if grid is None:
                error("grid_code", _("No grid or community has the code “%(value)s”.") % {"value": code})
            elif grid.level not in VENUE_LEVELS:
                error(
                    "grid_code",
                    _("%(name)s (%(value)s) is a %(level)s: a venue is placed in a grid or a village/community.")
                    % {"name": grid.name, "value": code, "level": grid.get_level_display()},
                )
                grid = None

        latitude = self._coordinate(values.get("latitude"), text["latitude"], "latitude", 90, error)
        longitude = self._coordinate(values.get("longitude"), text["longitude"], "longitude", 180, error)
        if (text["latitude"] == "") != (text["longitude"] == ""):
            missing = "longitude" if text["longitude"] == "" else "latitude"
            error(missing, _("Give both the latitude and the longitude, or neither."))

        operator = None
        credit_code = text["operator_credit_code"].upper()
        if credit_code:
            operator = self.organisations.get(credit_code)
            if operator is None:
                try:
                    validate_credit_code(credit_code)
                except ValidationError as exc:
                    error("operator_credit_code", exc.messages[0])
                else:
                    error(
                        "operator_credit_code",
                        _("No organisation is registered with the unified social credit code “%(value)s”.")
                        % {"value": credit_code},
                    )

        address = text["address"]
        if len(address) > ADDRESS_MAX:
            error("address", _("The address is longer than %(max)s characters.") % {"max": ADDRESS_MAX})
        person = text["responsible_person_name"]
        if len(person) > PERSON_MAX:
            error("responsible_person_name", _("The name is longer than %(max)s characters.") % {"max": PERSON_MAX})
        phone = text["responsible_person_phone"]
        if "*" in phone:  # a masked number from an export (issue 18 point 8): the full number is not in the file
            phone = ""
        if phone:
            try:
                phone = clean_phone(phone)
            except ValidationError as exc:
                error("responsible_person_phone", exc.messages[0])

        capacity = None
        raw_capacity = text["declared_capacity"].replace(",", "")
        if raw_capacity:
            try:
                capacity_decimal = Decimal(raw_capacity)
            except InvalidOperation:
                capacity_decimal = None
            if (
                capacity_decimal is None
                or capacity_decimal != capacity_decimal.to_integral_value()
                or capacity_decimal < 1
            ):
                error("declared_capacity", _("The capacity must be a whole number of at least 1."))
            elif capacity_decimal > 2_000_000_000:
                error("declared_capacity", _("The capacity is too large."))
            else:
                capacity = int(capacity_decimal)

        if grid is not None and kind is not None and not errors:
            problem = self.placement_problem(grid, operator)
            if problem:
                message, field = problem
                error("operator_credit_code" if field == "operator" else "grid_code", message)

        if grid is not None and name:
            key = (grid.pk, name)
            if key in self.existing_names:
                error(
                    "name",
                    _("%(grid)s already has a venue named “%(name)s”.") % {"grid": grid.name, "name": name},
                )
            elif key in self.seen_names:
                error(
                    "name",
                    _("The same venue is already in row %(row)s (same name, same grid).")
                    % {"row": self.seen_names[key]},
                )
            else:
                self.seen_names[key] = number

        if errors:
            return None, errors
        return (
            VenueRow(
                row=number,
                name=name,
                kind=kind,
                grid=grid,
                address=address,
                latitude=latitude,
                longitude=longitude,
                operator=operator,
                responsible_person_name=person,
                responsible_person_phone=phone,
                declared_capacity=capacity,
            ),
            [],
        )

    @staticmethod
    def _coordinate(raw, text: str, key: str, limit: int, error) -> Decimal | None:
        if text == "":
            return None
        try:
            value = Decimal(str(raw)) if isinstance(raw, int | float) else Decimal(text)
        except InvalidOperation:
            error(key, _("“%(value)s” is not a number.") % {"value": text})
            return None
        if not value.is_finite() or not -limit <= value <= limit:
            error(key, _("Must be between -%(limit)s and %(limit)s.") % {"limit": limit})
            return None
        return value.quantize(COORDINATE_PLACES)


# --- export ---------------------------------------------------------------------------------------------


def write_venues(venues: Iterable[Venue], output) -> None:
    """Write the venues as an .xlsx list in the import format (``venues`` with ``grid`` and ``operator``
    joined). Codes are written as text, so Excel neither rounds an 18-character credit code nor turns a
    12-digit division code into 4.10502E+11."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("场所名录")
    widths = {"name": 28, "kind": 16, "grid_code": 20, "address": 36, "operator_credit_code": 26}
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column.key, 14)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    def text_cell(value: str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "@"
        return cell

    for venue in venues:
        sheet.append(
            [
                venue.name,
                KIND_NAMES.get(venue.kind, venue.kind),
                text_cell(venue.grid.code),
                venue.address or None,
                float(venue.latitude) if venue.latitude is not None else None,
                float(venue.longitude) if venue.longitude is not None else None,
                text_cell(venue.operator.credit_code) if venue.operator_id else None,
                venue.responsible_person_name or None,
                text_cell(mask_phone(venue.responsible_person_phone)) if venue.responsible_person_phone else None,
                venue.declared_capacity,
            ]
        )
    workbook.save(output)
