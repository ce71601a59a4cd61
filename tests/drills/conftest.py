"""Fixtures of the drill tests: a mall (商场, a crowded venue) run by an operator organisation in 东大街社区第一网格,
its operator's person, 文峰区's emergency-management department and 东大街街道's office, plan documents and photos.

Dates: the acceptance case uses fixed dates (a drill on 2026-03-10) and passes ``today`` to the services and
selectors that read the clock, so the tests do not depend on the day they run.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from crowdsafe.org.choices import DepartmentKind, OrganisationKind, Role
from drills import services
from drills.choices import OwnerKind, PlanKind, ScopeKind
from tests.factories import DepartmentFactory, OrganisationFactory, UserFactory, member
from tests.permits.conftest import permit_city, stadium  # noqa: F401 - fixtures of the permits ↔ drills tests
from venues.choices import VenueKind
from venues.services import venue_create

LAST_DRILL = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _wired():
    """The subject registrations made by ``DrillsConfig.ready``. Other apps' tests stand in models for subject
    types at run time (tests/duties registers ``org.Jurisdiction`` as "venue" and then unregisters it, which drops
    the Jurisdiction model's registration): make sure ours are in place."""
    from drills.duties import connect

    connect()


def pdf_upload(name="预案.pdf", body=b"plan") -> SimpleUploadedFile:
    from tests.helpers.files import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(body.decode()), content_type="application/pdf")


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
    """The mall and the people around it."""
    operator_org = OrganisationFactory(
        name="安阳万达商业管理有限公司",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="91410502MA00000098",
        jurisdiction=city.wenfeng,
    )
    operator = member(UserFactory(username="u_mall_operator"), role=Role.VENUE_OPERATOR, organisation=operator_org).user
    emergency = DepartmentFactory(name="文峰区应急管理局", kind=DepartmentKind.EMERGENCY, jurisdiction=city.wenfeng)
    emergency_staff = member(UserFactory(username="u_emergency"), role=Role.STAFF, department=emergency).user
    street_office = DepartmentFactory(
        name="东大街街道办事处", kind=DepartmentKind.TOWNSHIP_GOVERNMENT, jurisdiction=city.street
    )
    fire = DepartmentFactory(name="文峰区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.wenfeng)
    mall = venue_create(actor=None, name="万达广场", kind=VenueKind.COMMERCIAL, grid=city.grid, operator=operator_org)
    return SimpleNamespace(
        city=city,
        users=users,
        operator_org=operator_org,
        operator=operator,
        emergency=emergency,
        emergency_staff=emergency_staff,
        street_office=street_office,
        fire=fire,
        mall=mall,
    )


def make_plan(world, *, kind=PlanKind.OVERALL, actor=None, file=True, **kwargs):
    defaults = {
        "title": "万达广场大客流应急预案",
        "owner_kind": OwnerKind.VENUE_OPERATOR,
        "owner": world.operator_org,
        "scope_kind": ScopeKind.VENUE,
        "venue": world.mall,
        "evacuation_target_minutes": "8",
        "measures": [
            {
                "alert_level": "orange",
                "kind": "flow_limiting",
                "trigger": "中庭密度达到每平方米3人",
                "action": "关闭北入口，分批放行",
                "responsible": "安保部",
            }
        ],
        "contacts": [{"name": "刘志强", "role": "总指挥", "phone": "13800000102", "duty_phone": "0372-5990110"}],
    }
    defaults.update(kwargs)
    if file:
        defaults.setdefault("file", pdf_upload())
    return services.plan_create(actor=actor, kind=kind, **defaults)
