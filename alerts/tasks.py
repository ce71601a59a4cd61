"""Celery tasks of the alerts app: thin, idempotent (the rows say what is due)."""

from __future__ import annotations

from celery import shared_task

from alerts import coverage, services


@shared_task(name="alerts.tasks.escalate")
def escalate() -> int:
    """Every minute (beat): send again, and pass up, the alerts not acknowledged in time."""
    return services.alerts_escalate()


@shared_task(name="alerts.tasks.coverage_check")
def coverage_check() -> int:
    """Daily (beat): a task for the city administrator for each recipient gap and each department whose
    deliveries failed in the last day."""
    return len(coverage.coverage_check())
