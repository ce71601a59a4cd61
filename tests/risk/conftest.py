"""Fixtures of the risk tests: venues made through the venue services in the shared city, the departments the
risk rules name (culture & tourism, emergency, a street office), and helpers that make assessments and hazards
through the risk services."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from crowdsafe.org.choices import DepartmentKind, OrganisationKind, Role
from risk import services
from risk.subjects import subject_info
from tests.factories import DepartmentFactory, OrganisationFactory, UserFactory, member
from tests.venues.conftest import add_square_zone_and_exits, make_venue
from venues.choices import VenueKind


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English msgids; the zh-hans catalogue has its own checks."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def depts(city):
    """Departments the risk rules name, in 文峰区, and 东大街街道's street office."""
    return SimpleNamespace(
        police=city.wenfeng_police,
        culture=DepartmentFactory(
            name="文峰区文化广电和旅游局", kind=DepartmentKind.CULTURE_TOURISM, jurisdiction=city.wenfeng
        ),
        emergency=DepartmentFactory(name="文峰区应急管理局", kind=DepartmentKind.EMERGENCY, jurisdiction=city.wenfeng),
        street_office=DepartmentFactory(
            name="东大街街道办事处", kind=DepartmentKind.TOWNSHIP_GOVERNMENT, jurisdiction=city.street
        ),
    )


@pytest.fixture
def operator(city):
    organisation = OrganisationFactory(
        name="安阳人民广场管理有限公司",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="91410502MA0000001F",
        jurisdiction=city.wenfeng,
    )
    user = member(UserFactory(username="u_operator"), role=Role.VENUE_OPERATOR, organisation=organisation).user
    return SimpleNamespace(organisation=organisation, user=user)


@pytest.fixture
def venue(city, operator):
    """人民广场: a 5,000 m² standing square with three 4 m exits (safe capacity 5,248: its exits, the widest
    discounted)."""
    venue = make_venue(city.grid, operator=operator.organisation)
    add_square_zone_and_exits(venue)
    return venue


@pytest.fixture
def scenic(city, operator):
    return make_venue(city.grid, name="文峰塔景区", kind=VenueKind.SCENIC_AREA, operator=operator.organisation)


@pytest.fixture
def reviewer(city, users):
    """A second township officer of 东大街街道, to sign off what the first one assessed."""
    return member(UserFactory(username="u_township2"), role=Role.TOWNSHIP_OFFICER, jurisdiction=city.street).user


def photo(name="photo.jpg", size=(64, 48), fmt="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 60)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


SUBJECT_TYPES = {"venue": "venue", "gathering": "gathering", "permitapplication": "permit_application"}

FACTORS_RED = {
    "attendance": 3,
    "scale": 3,
    "venue_features": 3,
    "time": 3,
    "composition": 2,
    "weather": 1,
    "online_hype": 3,
    "history": 1,
}


def assess(subject, actor, *, factors=None, controls=(), **data):
    """A draft assessment of a model instance (venue, gathering, application) by ``actor``."""
    info = subject_info(SUBJECT_TYPES[type(subject)._meta.model_name], subject)
    payload = {"factors": factors or {}, "controls": list(controls), **data}
    return services.assessment_create(subject=info, actor=actor, data=payload)


def signed_off(subject, assessor, reviewer, **kwargs):
    assessment = assess(subject, assessor, **kwargs)
    services.assessment_submit(assessment=assessment, actor=assessor)
    return services.assessment_sign_off(assessment=assessment, actor=reviewer)


def hazard(subject_obj, actor, *, level="ordinary", photos=(), **data):
    info = subject_info("venue", subject_obj)
    payload = {
        "title": "疏散通道堆放杂物",
        "description": "东侧疏散通道堆放促销展架，通道净宽不足1.4米。",
        "level": level,
        "source": "inspection",
        "location": "东侧疏散通道",
        "rectification_deadline": timezone.localdate() + dt.timedelta(days=7),
        "responsible_unit_name": "" if subject_obj.operator_id else "商场物业管理处",
        **data,
    }
    return services.hazard_report(actor=actor, data=payload, subject=info, photos=list(photos))
