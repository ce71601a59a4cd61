"""Which reminders a due date needs by a moment: offsets in working days across the 2026 Mid-Autumn and National
Day holidays (and the adjusted working Saturday after them), the latest recurring reminder only, escalations once."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.calendar import WorkdayIndex
from notifications.conf import reminder_policy
from notifications.planning import horizon, index_for, wanted_for
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 10, 8)  # the Thursday after the National Day holidays (1–7 October 2026)


def plan(due: dt.date, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    policy = reminder_policy()
    index = index_for(earliest_due=due, now=now, policy=policy)
    return [(w.kind, w.due_at) for w in wanted_for(due, now=now, policy=policy, index=index)]


def test_the_index_knows_holidays_and_the_adjusted_working_saturday():
    index = WorkdayIndex(dt.date(2026, 9, 20), dt.date(2026, 10, 20))
    assert not index.is_working(dt.date(2026, 10, 1))
    assert not index.is_working(dt.date(2026, 9, 25))  # Mid-Autumn Festival
    assert index.is_working(dt.date(2026, 10, 10))  # a Saturday worked in exchange (调休上班)
    assert index.before(DUE, 1) == dt.date(2026, 9, 30)
    assert index.before(DUE, 3) == dt.date(2026, 9, 28)
    assert index.after(dt.date(2026, 9, 29), 2) == DUE
    assert index.between(dt.date(2026, 9, 29), DUE) == 2
    assert index.on_or_before(dt.date(2026, 10, 4)) == dt.date(2026, 9, 30)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Three working days before 8 October is Monday 28 September (the holidays do not count).
        (at(2026, 9, 27, 12), []),
        (at(2026, 9, 28, 9), [("before", at(2026, 9, 28))]),
        (at(2026, 9, 30, 8, 59), [("before", at(2026, 9, 28))]),
        # One working day before is the last day before the holidays, not 7 October.
        (at(2026, 9, 30, 9), [("before", at(2026, 9, 30))]),
        (at(2026, 10, 5, 9), [("before", at(2026, 9, 30))]),
        (at(2026, 10, 8, 9), [("due", at(2026, 10, 8))]),
        (at(2026, 10, 9, 8), [("due", at(2026, 10, 8))]),
        (at(2026, 10, 9, 9), [("overdue", at(2026, 10, 9))]),
        # Saturday 10 October is a working day: overdue reminder, and two working days late, the head.
        (at(2026, 10, 10, 9), [("overdue", at(2026, 10, 10)), ("escalate_head", at(2026, 10, 10))]),
        (at(2026, 10, 11, 15), [("overdue", at(2026, 10, 10)), ("escalate_head", at(2026, 10, 10))]),
        # Five working days late (9, 10, 12, 13, 14 October): the leader.
        (
            at(2026, 10, 14, 9),
            [("overdue", at(2026, 10, 14)), ("escalate_head", at(2026, 10, 10)), ("escalate_leader", at(2026, 10, 14))],
        ),
    ],
)
def test_the_reminders_of_a_task_due_after_national_day(now, expected):
    assert plan(DUE, now) == expected


def test_a_task_due_on_a_sunday_is_reminded_on_the_friday_before():
    sunday = dt.date(2026, 11, 22)
    assert plan(sunday, at(2026, 11, 20, 9)) == [("before", at(2026, 11, 20))]
    assert plan(sunday, at(2026, 11, 22, 9)) == [("due", at(2026, 11, 22))]


def test_offsets_time_and_escalation_are_settings(settings):
    settings.NOTIFICATIONS_REMINDER_OFFSETS = [5, 0]
    settings.NOTIFICATIONS_REMINDER_TIME = "14:30"
    settings.NOTIFICATIONS_OVERDUE_DAILY = False
    settings.NOTIFICATIONS_ESCALATE_HEAD_AFTER = 1
    # Five working days before 8 October: 30, 29, 28, 24 and 23 September (25–27 is the Mid-Autumn holiday).
    assert plan(DUE, at(2026, 9, 23, 14, 29)) == []
    assert plan(DUE, at(2026, 9, 23, 14, 30)) == [("before", at(2026, 9, 23, 14, 30))]
    assert plan(DUE, at(2026, 10, 9, 15)) == [
        ("due", at(2026, 10, 8, 14, 30)),
        ("escalate_head", at(2026, 10, 9, 14, 30)),
    ]


def test_the_horizon_reaches_three_working_days_ahead():
    policy = reminder_policy()
    now = at(2026, 9, 30, 10)
    index = index_for(earliest_due=None, now=now, policy=policy)
    # From Wednesday 30 September: 8, 9 and 10 October are the next three working days.
    assert horizon(now=now, policy=policy, index=index) == dt.date(2026, 10, 10)
    # Before 09:00 the day's reminders have not come due yet: counted from the day before.
    assert horizon(now=at(2026, 9, 30, 8), policy=policy, index=index) == dt.date(2026, 10, 9)
