"""Fixtures of the venue tests: venues made through the services, an operator organisation and its user,
and a spreadsheet builder."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from crowdsafe.org.choices import OrganisationKind, Role
from tests.factories import OrganisationFactory, member
from venues import services
from venues.choices import ExitKind, VenueKind, ZoneKind
from venues.spreadsheets import COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_venue(grid, *, name="人民广场", kind=VenueKind.SQUARE, actor=None, **kwargs):
    kwargs.setdefault("latitude", Decimal("36.097600"))
    kwargs.setdefault("longitude", Decimal("114.392300"))
    kwargs.setdefault("address", "安阳市文峰区人民大道1号")
    return services.venue_create(actor=actor, name=name, kind=kind, grid=grid, **kwargs)


def add_square_zone_and_exits(venue, *, area="5000", exits=3, width="4.00", actor=None):
    """The acceptance square: one standing zone, ``exits`` level exits of ``width`` m serving it."""
    zone = services.zone_create(venue=venue, actor=actor, name="广场主区", kind=ZoneKind.STANDING, usable_area_m2=area)
    for i in range(exits):
        services.exit_create(
            venue=venue, actor=actor, name=f"出口{i + 1}", kind=ExitKind.LEVEL, clear_width_m=width, zones=[zone]
        )
    return zone


@pytest.fixture
def operator(city):
    """A venue operator organisation in 文峰区 and a person acting for it."""
    organisation = OrganisationFactory(
        name="安阳人民广场管理有限公司",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="91410502MA0000001F",
        jurisdiction=city.wenfeng,
    )
    other = OrganisationFactory(
        name="北关商业管理有限公司",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="91410503MA00000021",
        jurisdiction=city.beiguan,
    )
    user = member(role=Role.VENUE_OPERATOR, organisation=organisation).user
    return SimpleNamespace(organisation=organisation, other=other, user=user)


@pytest.fixture
def venue(city, operator):
    """人民广场 in the first grid of 东大街社区, run by the operator organisation."""
    return make_venue(city.grid, operator=operator.organisation, declared_capacity=6000)


def sheet_bytes(rows, headers=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers if headers is not None else [c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows, headers=None, name="场所名录.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sheet_bytes(rows, headers), content_type=XLSX)
