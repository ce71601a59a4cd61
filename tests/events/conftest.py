"""Fixtures of the gathering tests: the acceptance square (文峰塔广场, safe capacity 2,500) with its operator, a
statutory-holiday evening, a township-government department, and a helper that logs a gathering through the
service."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, OrganisationKind, Role
from crowdsafe.workdays.choices import ExceptionKind
from crowdsafe.workdays.services import calendar_day_save
from events import services
from events.choices import GatheringKind, GatheringSource
from tests.factories import DepartmentFactory, JurisdictionFactory, OrganisationFactory, UserFactory, member
from venues import services as venue_services
from venues.choices import ExitKind, RiskPointKind, VenueKind, ZoneKind


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English msgids; the site language (stored reasons are written in zh-hans by design)
    is English for requests without Accept-Language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_square(grid, *, name="文峰塔广场", area="1250", operator=None, actor=None, risk_points=()):
    """A square whose safe capacity is area / 0.5 m² (the exits allow more): 1,250 m² → 2,500 people."""
    venue = venue_services.venue_create(
        actor=actor,
        name=name,
        kind=VenueKind.SQUARE,
        grid=grid,
        address="安阳市文峰区东大街",
        latitude=Decimal("36.096800"),
        longitude=Decimal("114.352300"),
        operator=operator,
    )
    zone = venue_services.zone_create(
        venue=venue, actor=actor, name="广场主区", kind=ZoneKind.STANDING, usable_area_m2=area
    )
    for i in range(3):
        venue_services.exit_create(
            venue=venue, actor=actor, name=f"出口{i + 1}", kind=ExitKind.LEVEL, clear_width_m="4.00", zones=[zone]
        )
    for kind in risk_points:
        venue_services.risk_point_create(venue=venue, actor=actor, kind=kind, notes="", photo=None)
    venue.refresh_from_db()
    return venue


@pytest.fixture
def places(city):
    """The square and its operator; a second grid in 西大街街道; 东大街街道's township government."""
    operator = OrganisationFactory(
        name="文峰塔广场管理处",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="12410502MB000001XE",
        jurisdiction=city.wenfeng,
    )
    square = make_square(city.grid, operator=operator)
    community2 = JurisdictionFactory(
        code="410502002001", name="西大街社区", level=JurisdictionLevel.COMMUNITY, parent=city.street2
    )
    grid2 = JurisdictionFactory(
        code="410502002001G01", name="西大街社区第一网格", level=JurisdictionLevel.GRID, parent=community2
    )
    township_government = DepartmentFactory(
        name="东大街街道办事处", kind=DepartmentKind.TOWNSHIP_GOVERNMENT, jurisdiction=city.street
    )
    operator_user = member(role=Role.VENUE_OPERATOR, organisation=operator).user
    return SimpleNamespace(
        square=square,
        operator=operator,
        operator_user=operator_user,
        grid2=grid2,
        community2=community2,
        township_government=township_government,
    )


@pytest.fixture
def other_township_officer(city, places):
    """A township officer of 西大街街道: same district, another township."""
    return member(UserFactory(username="u_street2_officer"), role=Role.TOWNSHIP_OFFICER, jurisdiction=city.street2).user


@pytest.fixture
def holiday_evening(db):
    """19:30 on a day 20 days ahead, entered as a statutory holiday (国庆节) in the working-day calendar."""
    day = timezone.localdate() + dt.timedelta(days=20)
    calendar_day_save(date=day, kind=ExceptionKind.HOLIDAY, name="国庆节", actor=None)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(19, 30)))


def a_working_afternoon(days_ahead: int = 3) -> dt.datetime:
    """14:00 on the next Monday–Wednesday at least ``days_ahead`` days ahead that is not a holiday."""
    from crowdsafe.workdays.selectors import is_working_day

    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(14, 0)))


def report(actor, *, grid=None, venue=None, **overrides):
    """Log a gathering through the service with sensible defaults; returns the gathering."""
    values = {
        "kind": GatheringKind.CELEBRATION,
        "location_name": "" if venue is not None else "解放路与东大街路口",
        "starts_at": a_working_afternoon(),
        "estimated_attendance_min": 50,
        "estimated_attendance_max": 100,
        "source": GatheringSource.GRID_PATROL,
    }
    values.update(overrides)
    if venue is not None:
        values["venue"] = venue
    if grid is not None:
        values["grid"] = grid
    gathering, _created = services.gathering_report(actor=actor, idempotency_key=uuid.uuid4(), **values)
    return gathering


def photo_file(name="现场.jpg", *, size=(64, 48), fmt="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 80)).save(buffer, format=fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(fmt, "image/jpeg")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


__all__ = ["RiskPointKind", "a_working_afternoon", "make_square", "photo_file", "report"]
