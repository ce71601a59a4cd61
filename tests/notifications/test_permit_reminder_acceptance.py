"""Acceptance: a permit decision due in 2 working days produces the reviewer's reminders at the right moments
across the 2026 National Day holidays, with a frozen clock (``now`` passed to the scan).

The application is accepted on Tuesday 29 September 2026, with the decision promised within 2 working days (the
seeded rule ``permits.review_county`` set to a local service commitment of 2 working days): Wednesday 30 September
is the first, and — 1 to 7 October being the National Day holidays — Thursday 8 October the second. The reviewer
is reminded at once (the three-working-day moment has passed), then at 09:00 on 30 September (one working day
before, the last day before the holidays), never during the holidays, and at 09:00 on 8 October (the day itself);
the head of the department hears of it on Saturday 10 October, an adjusted working day, two working days late.
"""

from __future__ import annotations

import datetime as dt

import pytest

from duties.models import ResponsibilityRule
from duties.services import task_start, tasks_evaluate
from notifications.models import Notification, Reminder
from notifications.services import scan
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision_task(city, people, applications):
    rule = ResponsibilityRule.objects.get(key="permits.review_county")
    rule.deadline_days, rule.deadline_unit = 2, "working"  # the city's promised 2 working days (承诺时限)
    rule.save(update_fields=["deadline_days", "deadline_unit"])
    application = applications.make(
        city.organisation, state="accepted", licensing_level="county", expected_attendance=3000
    )
    tasks = tasks_evaluate(subject=application, event="state_changed", actor=None, moment=dt.date(2026, 9, 29))
    [task] = [t for t in tasks if t.rule_id == rule.pk]
    assert task.due_date == dt.date(2026, 10, 8)
    assert task.responsible_department == city.wenfeng_police
    task_start(task=task, actor=people.staff)  # the reviewer takes it: the reminders are theirs
    return task


def inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("message__title", flat=True))


def test_the_reviewer_is_reminded_before_the_holidays_and_on_the_day(decision_task, people):
    duty = decision_task.duty_name
    seen: list[tuple[dt.datetime, list[str]]] = []
    moments = [
        at(2026, 9, 29, 10, 0),
        at(2026, 9, 29, 17, 0),
        at(2026, 9, 30, 8, 59),
        at(2026, 9, 30, 9, 0),
        at(2026, 9, 30, 16, 0),
        *(at(2026, 10, day, 9, 30) for day in range(1, 8)),
        at(2026, 10, 8, 8, 59),
        at(2026, 10, 8, 9, 0),
    ]
    for now in moments:
        before = len(inbox(people.staff))
        scan(now=now, inline=True)
        new = inbox(people.staff)[before:]
        if new:
            seen.append((now, new))
    assert seen == [
        (at(2026, 9, 29, 10, 0), [f"Due in 2 working days: {duty}"]),
        (at(2026, 9, 30, 9, 0), [f"Due in 1 working day: {duty}"]),
        (at(2026, 10, 8, 9, 0), [f"Due today: {duty}"]),
    ]
    sent = list(Reminder.objects.filter(task=decision_task).order_by("due_at").values_list("kind", "due_at", "sent_at"))
    assert sent == [
        ("before", at(2026, 9, 28), at(2026, 9, 29, 10, 0)),
        ("before", at(2026, 9, 30), at(2026, 9, 30, 9, 0)),
        ("due", at(2026, 10, 8), at(2026, 10, 8, 9, 0)),
    ]
    # Nobody else in the department was reminded: the task has its reviewer.
    assert Notification.objects.exclude(recipient=people.staff).count() == 0


def test_two_working_days_late_the_head_hears_of_it_on_the_adjusted_working_saturday(decision_task, people):
    scan(now=at(2026, 10, 9, 9, 0), inline=True)
    assert inbox(people.head) == []
    scan(now=at(2026, 10, 10, 9, 0), inline=True)  # Saturday, worked in exchange for the holidays
    [escalation] = inbox(people.head)
    assert escalation.startswith("Escalation: Overdue by 2 working days")
    assert inbox(people.staff)[-1].startswith("Overdue by 2 working days")
