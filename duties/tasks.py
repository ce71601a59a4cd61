"""Celery tasks of the responsibility engine: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from duties.services import tasks_mark_overdue


@shared_task(name="duties.tasks.mark_overdue")
def mark_overdue() -> int:
    """The nightly scan: outstanding tasks past their due date become overdue (idempotent: a second run the
    same day finds nothing; rows claimed with SKIP LOCKED, so two workers never mark one task twice)."""
    return tasks_mark_overdue()
