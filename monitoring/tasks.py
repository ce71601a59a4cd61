"""Thin beat tasks: the silence scan (every minute) and the day partitions (daily)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="monitoring.tasks.check_silent")
def check_silent() -> int:
    from monitoring.services import sources_check_silent

    return sources_check_silent()


@shared_task(name="monitoring.tasks.partitions")
def partitions() -> dict[str, list[str]]:
    from monitoring.partitions import ensure_window

    return ensure_window()
