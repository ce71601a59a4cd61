"""Celery tasks of the inspections app: thin, call one service."""

from __future__ import annotations

from celery import shared_task

from inspections.services.rounds import key_date_rounds


@shared_task(name="inspections.tasks.plan_key_date_inspections")
def plan_key_date_inspections() -> int:
    """Inspections before the key dates coming up (idempotent): the number started."""
    return len(key_date_rounds().created)
