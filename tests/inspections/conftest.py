"""Fixtures of the inspection tests: a KTV (an entertainment venue: the culture and tourism department supervises
its hazards) in 东大街社区第一网格, run by an operator organisation; 文峰分局 (the inspecting police: staff
``users.staff``, head ``users.head``), 文峰区消防救援大队 (a partner in joint inspections) and the district's
culture and tourism department (文广旅)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from crowdsafe.org.choices import DepartmentKind, OrganisationKind, Role
from tests.factories import DepartmentFactory, OrganisationFactory, UserFactory, member
from venues.choices import VenueKind
from venues.services import venue_create


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _wired():
    """Other apps' tests stand in models for subject types; make sure the registrations these tests use are
    in place."""
    from permits.duties import connect as permits_connect
    from risk.duties import connect as risk_connect
    from venues.duties import connect as venues_connect

    venues_connect()
    permits_connect()
    risk_connect()


def photo_upload(name="现场.png", colour=(200, 30, 30)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def world(city, users):
    operator_org = OrganisationFactory(
        name="星光娱乐有限公司",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="91410502MA00000098",
        jurisdiction=city.wenfeng,
    )
    operator = member(UserFactory(username="u_ktv_operator"), role=Role.VENUE_OPERATOR, organisation=operator_org).user
    fire = DepartmentFactory(name="文峰区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.wenfeng)
    fire_staff = member(UserFactory(username="u_fire"), role=Role.STAFF, department=fire).user
    culture = DepartmentFactory(
        name="文峰区文化广电和旅游局", kind=DepartmentKind.CULTURE_TOURISM, jurisdiction=city.wenfeng
    )
    ktv = venue_create(actor=None, name="星光KTV", kind=VenueKind.ENTERTAINMENT, grid=city.grid, operator=operator_org)
    return SimpleNamespace(
        city=city,
        users=users,
        operator_org=operator_org,
        operator=operator,
        fire=fire,
        fire_staff=fire_staff,
        culture=culture,
        ktv=ktv,
        police=city.wenfeng_police,
    )


def answer_all(inspection, *, failed_keys=(), numbers=None):
    """Answers for every item of the inspection's template: yes, or no for ``failed_keys``; numbers above their
    threshold unless given."""
    rows = []
    numbers = numbers or {}
    for item in inspection.template.items.all():
        if item.answer_kind == "number":
            value = numbers.get(item.key, (item.threshold or 0) + 1)
            rows.append({"item": item.pk, "number": str(value)})
        else:
            rows.append({"item": item.pk, "answer": "no" if item.key in failed_keys else "yes"})
    return rows


def photos_for_required(inspection):
    return {item.pk: [photo_upload()] for item in inspection.template.items.filter(photo_required=True)}
