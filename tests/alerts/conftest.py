"""Fixtures of the alerts tests: the people a gathering in 东大街街道 alerts — its 街道办事处 staff and head, the
township officer, 文峰分局's on-duty desk, 文峰区's leader and emergency management — with quiet hours all night
and SMS switched off in their settings (an urgent alert ignores both)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

from crowdsafe.org.choices import DepartmentKind, OrganisationKind, Role
from notifications.models import NotificationPreference
from tests.events.conftest import make_square, report
from tests.factories import DepartmentFactory, OrganisationFactory, UserFactory, member

__all__ = ["make_square", "report"]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.ALERTS_ACK_MINUTES = 5
    with translation.override("en"):
        yield


def person(username: str, role: str, **anchor):
    user = UserFactory(username=username, email=f"{username}@example.gov.cn", phone="13900000000")
    membership = member(user, role=role, **anchor)
    # Quiet hours around the clock, SMS and email off: only an urgent message gets through.
    NotificationPreference.objects.create(
        user=user, sms_enabled=False, email_enabled=False, quiet_start=dt.time(0, 0), quiet_end=dt.time(23, 59)
    )
    return membership


@pytest.fixture
def alerted(city, users):
    township_office = DepartmentFactory(
        name="东大街街道办事处", kind=DepartmentKind.TOWNSHIP_GOVERNMENT, jurisdiction=city.street
    )
    emergency = DepartmentFactory(name="文峰区应急管理局", kind=DepartmentKind.EMERGENCY, jurisdiction=city.wenfeng)
    operator = OrganisationFactory(
        name="文峰塔广场管理处",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="12410502MB0000001N",
        jurisdiction=city.wenfeng,
    )
    ns = SimpleNamespace(
        township_office=township_office,
        emergency=emergency,
        operator=operator,
        office_staff=person("a_office_staff", Role.STAFF, department=township_office).user,
        office_head=person("a_office_head", Role.HEAD, department=township_office).user,
        officer=person("a_officer", Role.TOWNSHIP_OFFICER, jurisdiction=city.street).user,
        on_duty=person("a_police_duty", Role.STAFF, department=city.wenfeng_police).user,
        police_head=person("a_police_head", Role.HEAD, department=city.wenfeng_police).user,
        leader=person("a_leader", Role.LEADER, jurisdiction=city.wenfeng).user,
        city_leader=person("a_city_leader", Role.LEADER, jurisdiction=city.anyang).user,
        emergency_staff=person("a_emergency", Role.STAFF, department=emergency).user,
        operator_user=person("a_operator", Role.VENUE_OPERATOR, organisation=operator).user,
    )
    # 文峰分局's on-duty desk tonight: one officer (the kernel's ``users.staff`` is not on duty).
    ns.on_duty.memberships.update(on_duty=True)
    ns.square = make_square(city.grid, operator=operator)
    return ns
