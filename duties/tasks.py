"""Celery tasks of the responsibility engine: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from duties.services import tasks_mark_overdue


@shared_task(name="duties.tasks.mark_overdue")
def mark_overdue() -> int:
    """The nightly scan: outstanding tasks past their due date become overdue (idempotent: a second run the
    same day finds nothing; rows claimed with SKIP LOCKED, so two workers never mark one task twice)."""
    return tasks_mark_overdue()


@shared_task(name="duties.tasks.holiday_schedule_check")
def holiday_schedule_check() -> int:
    """1 November (beat): a task for each city's administrator when next year's holiday schedule is missing."""
    from duties.calendar import holiday_schedule_check as check

    return len(check())


@shared_task(name="duties.tasks.taskcounts_compact")
def taskcounts_compact() -> int:
    """Every few minutes (beat): fold the overview's counter rows (``duties.counts``). Returns the rows folded."""
    from duties.counts import taskcounts_compact as compact

    return compact()[0]


@shared_task(name="duties.tasks.taskcounts_check")
def taskcounts_check() -> dict:
    """Nightly (beat): fold, verify the counters against a recount of the tasks, rebuild them if they differ."""
    from duties.counts import taskcounts_check as check

    return check()
