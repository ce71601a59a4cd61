"""Fixtures of the notifications tests: tasks with chosen due dates and holders, a stand-in permit application,
local robot / SMTP servers, and a clock frozen at chosen moments (passed as ``now`` to the services)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from crowdsafe.org.choices import Role
from crowdsafe.org.models import Organisation
from duties import subjects
from duties.models import ResponsibilityRule, Task
from tests.factories import UserFactory, member
from tests.notifications.servers import RobotServer, SmtpServer

_subject_ids = itertools.count(900_000)


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English msgids; the site language (the language messages are written in) is English
    here too. The zh-hans catalogue has its own checks."""
    settings.LANGUAGE_CODE = "en"
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "qyapi.weixin.qq.com", "oapi.dingtalk.com"]
    settings.NOTIFICATIONS_REMINDER_OFFSETS = [3, 1, 0]
    settings.NOTIFICATIONS_REMINDER_TIME = "09:00"
    with translation.override("en"):
        yield


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware moment in the city's time zone."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def make_task(
    *,
    due: dt.date,
    jurisdiction,
    department=None,
    organisation=None,
    township=None,
    person=None,
    status: str = "open",
    rule_key: str = "permits.review_county",
) -> Task:
    """A task held as given, due on ``due``, about a made-up subject (ids only)."""
    rule = ResponsibilityRule.objects.get(key=rule_key)
    return Task.objects.create(
        subject_type=rule.subject_type,
        subject_id=next(_subject_ids),
        subject_label="安阳市迎新春文艺演出",
        jurisdiction=jurisdiction,
        jurisdiction_path=jurisdiction.path,
        rule=rule,
        event="state_changed",
        duty_name=rule.duty_name,
        basis=rule.basis,
        party_kind=rule.party_kind,
        responsible_department=department,
        responsible_organisation=organisation,
        responsible_jurisdiction=township,
        responsible_person=person,
        anchor_date=due,
        due_date=due,
        status=status,
        explanation="test task",
        completed_at=timezone.now() if status == "done" else None,
    )


@pytest.fixture
def people(city, users):
    """More people of 文峰区: a second staff member, a township officer of 东大街街道, the city's leader and an
    organizer — beside the kernel's ``users``."""

    def make(username, role, **anchor):
        return member(UserFactory(username=username, email=f"{username}@example.gov.cn"), role=role, **anchor).user

    for user in (users.staff, users.head, users.leader):
        user.email = f"{user.username}@example.gov.cn"
        user.phone = "13800000001"
        user.save(update_fields=["email", "phone"])
    return SimpleNamespace(
        staff=users.staff,
        head=users.head,
        leader=users.leader,
        staff2=make("u_staff2", Role.STAFF, department=city.wenfeng_police),
        city_leader=make("u_city_leader", Role.LEADER, jurisdiction=city.anyang),
        officer=users.township_officer,
        organizer=users.organizer,
        outsider=users.outsider,
        admin=users.admin,
    )


@pytest.fixture
def applications(db):
    """A stand-in for the permit application (the permits app is written beside this one): an organisation
    registered as the subject type "permit_application", in its registered jurisdiction, with the attributes the
    seeded review rules read. The real registration (if any) is put back afterwards."""
    specs: dict[int, dict] = {}
    previous = subjects.registration_for_name("permit_application")
    subjects.register_subject(
        Organisation,
        subject_type="permit_application",
        jurisdiction=lambda org: org.jurisdiction,
        organisation=lambda org: org,
        attributes=lambda org: specs[org.pk],
        label=lambda org: f"{org.name}迎新春文艺演出",
    )

    def make(organisation, **attributes):
        specs[organisation.pk] = {"state": "submitted", "expected_attendance": 3000, **attributes}
        return organisation

    yield SimpleNamespace(make=make, specs=specs)
    subjects.unregister_subject("permit_application")
    if previous is not None:
        subjects.restore_subject(previous)


@pytest.fixture
def robot():
    server = RobotServer()
    yield server
    server.close()


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield server
    server.close()
