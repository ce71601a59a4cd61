"""Recipient coverage, never silent: a department holding open tasks with nobody to remind is a gap on the rules
health page, the leaders' overview and in the admin; its reminder escalates to the leader at once; the daily check
opens one task for the city administrator per gap (and per department whose deliveries failed), idempotently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from alerts.coverage import coverage_check
from alerts.models import CoverageIssue
from crowdsafe.org.choices import DepartmentKind
from duties.coverage import recipient_gaps
from duties.models import Task
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Delivery, Message
from notifications.services import scan
from tests.factories import DepartmentFactory
from tests.notifications.conftest import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def orphan(city):
    """东大街街道办事处 holds a task due today, and nobody works there."""
    office = DepartmentFactory(
        name="东大街街道办事处", kind=DepartmentKind.TOWNSHIP_GOVERNMENT, jurisdiction=city.street
    )
    make_task(due=timezone.localdate(), jurisdiction=city.street, department=office)
    return office


def test_a_department_with_open_tasks_and_nobody_is_a_gap(orphan, users):
    assert [(g.holder, g.open_tasks) for g in recipient_gaps()] == [(orphan, 1)]


def test_the_gap_shows_on_rules_health_and_on_the_leaders_overview(orphan, users):
    client = Client()
    client.force_login(users.leader)
    health = client.get("/tasks/rules/health/").content.decode()
    assert f'data-recipient-gap="department:{orphan.pk}"' in health
    home = client.get("/").content.decode()
    assert f'data-gap="department:{orphan.pk}"' in home


def test_its_reminder_escalates_to_the_leader_instead_of_being_skipped(orphan, users, settings):
    settings.NOTIFICATIONS_REMINDER_TIME = "00:00"
    scan(inline=True)
    message = Message.objects.get(department=orphan)
    assert message.urgent
    assert list(message.notifications.values_list("recipient__username", flat=True)) == ["u_leader"]
    assert "东大街街道办事处" in message.body


def test_the_daily_check_opens_one_task_for_the_administrator_and_closes_it_when_fixed(orphan, users, city):
    [task] = coverage_check()
    assert task.responsible_jurisdiction == city.anyang
    assert coverage_check() == []  # found again: nothing new
    issue = CoverageIssue.objects.get()
    assert issue.department == orphan
    from tests.factories import member

    member(users.outsider, role="staff", department=orphan)
    coverage_check()
    issue.refresh_from_db()
    task.refresh_from_db()
    assert issue.resolved_at is not None and task.status == "done"


def test_a_department_whose_deliveries_failed_in_the_last_day_gets_a_task(city, users):
    message = Message.objects.create(kind="notice", title="x", department=city.wenfeng_police)
    Delivery.objects.create(
        message=message,
        channel=Channel.SMS,
        recipient=users.staff,
        recipient_label="x",
        department=city.wenfeng_police,
        status=DeliveryStatus.FAILED,
        created_at=timezone.now() - dt.timedelta(hours=2),
    )
    opened = coverage_check()
    assert [t.subject_label for t in opened] == [str(CoverageIssue.objects.get(kind="failed_deliveries"))]
    assert Task.objects.filter(rule__key="alerts.coverage_gap").count() == 1


def test_the_admin_lists_the_gaps(orphan, users, admin_client):
    coverage_check()
    page = admin_client.get("/admin/alerts/coverageissue/")
    assert page.status_code == 200 and "东大街街道办事处" in page.content.decode()
