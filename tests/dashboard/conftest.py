"""Fixtures of the dashboard's tests: hand-counted tasks in the shared two-city tree (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from notifications.choices import MessageKind, ReminderKind, ReminderStatus
from notifications.models import Message, Notification, Reminder

_ids = itertools.count(900_000)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_task(
    label: str,
    *,
    jurisdiction,
    due: dt.date,
    status: str = "open",
    department=None,
    township=None,
    completed: dt.date | None = None,
):
    """One task about a made-up subject, held by ``department`` or (territorial) ``township``."""
    from duties.models import ResponsibilityRule, Task

    rule = ResponsibilityRule.objects.order_by("pk").first()
    completed_at = timezone.make_aware(dt.datetime.combine(completed, dt.time(12))) if completed else None
    return Task.objects.create(
        subject_type="venue",
        subject_id=next(_ids),
        subject_label=label,
        jurisdiction=jurisdiction,
        jurisdiction_path=jurisdiction.path,
        rule=rule,
        event="created",
        duty_name=f"duty {label}",
        basis=rule.basis,
        party_kind="territorial" if township else "department",
        responsible_department=department,
        responsible_jurisdiction=township,
        anchor_date=due,
        due_date=due,
        status=status,
        explanation="test",
        completed_at=completed_at,
        cancelled_at=timezone.now() if status == "cancelled" else None,
    )


@pytest.fixture
def ledger(city):
    """The hand-counted tasks (today is the real today; the period is the default four weeks):

    文峰区 / 东大街街道, 文峰分局 (public security): A open 10 days late, B overdue 4 days late, C in progress due
    tomorrow, D open due in 30 days, E done on time, F done late, G done 100 days ago (outside the period),
    H cancelled. 东大街街道 itself (territorial): I open 1 day late. 北关区, 北关分局: J open 2 days late.
    安阳市 itself, 市公安局: K done on time. 梅河口市 (another city), its fire brigade: L 3 days late."""
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    police, street = city.wenfeng_police, city.street
    t = SimpleNamespace(today=today)
    t.A = make_task("A", jurisdiction=city.grid, due=today - 10 * day, department=police)
    t.B = make_task("B", jurisdiction=street, due=today - 4 * day, status="overdue", department=police)
    t.C = make_task("C", jurisdiction=city.community, due=today + day, status="in_progress", department=police)
    t.D = make_task("D", jurisdiction=street, due=today + 30 * day, department=police)
    t.E = make_task(
        "E", jurisdiction=street, due=today - 5 * day, status="done", department=police, completed=today - 6 * day
    )
    t.F = make_task(
        "F", jurisdiction=street, due=today - 5 * day, status="done", department=police, completed=today - 2 * day
    )
    t.G = make_task(
        "G", jurisdiction=street, due=today - 99 * day, status="done", department=police, completed=today - 100 * day
    )
    t.H = make_task("H", jurisdiction=street, due=today - 9 * day, status="cancelled", department=police)
    t.I = make_task("I", jurisdiction=street, due=today - day, township=street)
    t.J = make_task("J", jurisdiction=city.beiguan_street, due=today - 2 * day, department=city.beiguan_police)
    t.K = make_task(
        "K", jurisdiction=city.anyang, due=today, status="done", department=city.city_police, completed=today - day
    )
    t.L = make_task("L", jurisdiction=city.mhk_town, due=today - 3 * day, department=city.mhk_fire)
    return t


def escalate(task, kind, *, to, read=False, days_ago=1):
    """One 督办 of ``task`` sent ``days_ago`` days ago to the users ``to``, opened by the first of them if ``read``."""
    sent = timezone.now() - dt.timedelta(days=days_ago)
    reminder = Reminder.objects.create(
        task=task, kind=kind, due_at=sent, task_due_date=task.due_date, status=ReminderStatus.SENT, sent_at=sent
    )
    message_kind = MessageKind.ESCALATION_HEAD if kind == ReminderKind.ESCALATE_HEAD else MessageKind.ESCALATION_LEADER
    message = Message.objects.create(
        kind=message_kind, title=f"督办 {task.subject_label}", reminder=reminder, created_at=sent
    )
    for i, user in enumerate(to):
        Notification.objects.create(
            message=message,
            recipient=user,
            created_at=sent,
            read_at=sent + dt.timedelta(hours=1) if read and i == 0 else None,
        )
    return message


@pytest.fixture
def escalations(city, users, ledger):
    """Hand-counted 督办 over the ledger (tests/dashboard/conftest.py):

    A (文峰分局, 10 days late): to the head, opened (a); to the leader, not opened (b).
    I (东大街街道 itself): to the leader, opened (c).  J (北关分局): to the head, not opened (d).
    B (文峰分局): to the head 40 days ago — outside the four-week period (e).  L (梅河口市): another city (f).
    Gaps under 安阳市: 北关分局 has nobody (1 open task, J); 文峰分局 has a head and staff, 东大街街道 an officer."""
    head, leader, admin = users.head, users.leader, users.admin
    return {
        "a": escalate(ledger.A, ReminderKind.ESCALATE_HEAD, to=[head, users.staff], read=True),
        "b": escalate(ledger.A, ReminderKind.ESCALATE_LEADER, to=[leader], read=False, days_ago=2),
        "c": escalate(ledger.I, ReminderKind.ESCALATE_LEADER, to=[leader], read=True),
        "d": escalate(ledger.J, ReminderKind.ESCALATE_HEAD, to=[admin], read=False),
        "e": escalate(ledger.B, ReminderKind.ESCALATE_HEAD, to=[head], read=True, days_ago=40),
        "f": escalate(ledger.L, ReminderKind.ESCALATE_HEAD, to=[users.outsider], read=True),
    }
