"""Which reminders a task with a given due date needs by a given moment — pure date arithmetic, no database.

Every reminder falls due at the policy's time of day (default 09:00, local) on a date derived from the due date d:

- ``before``: the n-th working day before d, for each offset n ≥ 1 (default 3 and 1), so a task due on the
  Thursday after the National Day holidays is reminded on the last working day before them, not on a holiday;
- ``due``: d itself (offset 0), whatever kind of day it is;
- ``overdue``: every working day after d while the task is outstanding;
- ``escalate_head`` / ``escalate_leader``: the n-th working day after d (default 2 and 5), once each.

For the recurring kinds (before, due, overdue) only the latest moment not after ``now`` is planned: a scan that
missed some moments (the platform was down over a weekend, the task was created inside the window) sends one
reminder that tells the truth now, not a backlog of stale ones. The text is written when the reminder is sent,
from the real number of working days left. Escalations are planned whenever their moment has passed: each is a
one-off that must not be lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from notifications.calendar import WorkdayIndex
from notifications.choices import ReminderKind
from notifications.conf import ReminderPolicy


@dataclass(frozen=True)
class Wanted:
    """A reminder a task with due date ``due_date`` should have: its kind and the moment it falls due."""

    due_date: dt.date
    kind: str
    due_at: dt.datetime


def moment(date: dt.date, policy: ReminderPolicy) -> dt.datetime:
    """The aware local moment a reminder dated ``date`` falls due."""
    return timezone.make_aware(dt.datetime.combine(date, policy.time))


def index_for(*, earliest_due: dt.date | None, now: dt.datetime, policy: ReminderPolicy) -> WorkdayIndex:
    """A working-day index wide enough for every question the plan asks about due dates from ``earliest_due`` to
    the planning horizon: offsets before them, escalations after them, and the days around today."""
    today = timezone.localdate(now)
    reach = max(policy.max_offset, policy.escalate_head_after, policy.escalate_leader_after, 1)
    # A working day is at most a couple of weeks away even around the Spring Festival; twice the count plus a
    # month is a generous margin either side.
    margin = dt.timedelta(days=2 * reach + 31)
    first = min(earliest_due or today, today) - margin
    return WorkdayIndex(first, today + 2 * margin)


def horizon(*, now: dt.datetime, policy: ReminderPolicy, index: WorkdayIndex) -> dt.date:
    """The latest due date that can have a reminder due by ``now``: tasks due later are not looked at.

    A ``before`` reminder n working days before d is due once its day P (a working day) has come: d ≤ the n-th
    working day after P. Taking P as the latest working day whose reminder time has passed and n as the largest
    offset gives the bound; the per-date plan then decides exactly."""
    today = timezone.localdate(now)
    last = index.on_or_before(today)
    if last is not None and moment(last, policy) > now:
        last = index.before(last, 1)
    bound = today
    if last is not None and policy.max_offset > 0:
        bound = max(bound, index.after(last, policy.max_offset))
    return bound


def wanted_for(due_date: dt.date, *, now: dt.datetime, policy: ReminderPolicy, index: WorkdayIndex) -> list[Wanted]:
    """The reminders a task due on ``due_date`` should have by ``now`` (see the module docstring)."""
    today = timezone.localdate(now)
    recurring: list[tuple[dt.datetime, str]] = []
    for n in policy.offsets:
        if n == 0:
            recurring.append((moment(due_date, policy), ReminderKind.DUE))
        else:
            recurring.append((moment(index.before(due_date, n), policy), ReminderKind.BEFORE))
    if policy.overdue_daily and due_date < today:
        day = index.on_or_before(today)
        if day is not None and moment(day, policy) > now:
            day = index.before(day, 1)
        if day is not None and day > due_date:
            recurring.append((moment(day, policy), ReminderKind.OVERDUE))
    wanted: list[Wanted] = []
    passed = [item for item in recurring if item[0] <= now]
    if passed:
        at, kind = max(passed)
        wanted.append(Wanted(due_date, kind, at))
    if due_date < today:
        for kind, n in (
            (ReminderKind.ESCALATE_HEAD, policy.escalate_head_after),
            (ReminderKind.ESCALATE_LEADER, policy.escalate_leader_after),
        ):
            at = moment(index.after(due_date, n), policy)
            if at <= now:
                wanted.append(Wanted(due_date, kind, at))
    return wanted


def wanted_for_dates(
    due_dates: Iterable[dt.date], *, now: dt.datetime, policy: ReminderPolicy, index: WorkdayIndex
) -> list[Wanted]:
    rows: list[Wanted] = []
    for due_date in due_dates:
        rows.extend(wanted_for(due_date, now=now, policy=policy, index=index))
    return rows
