"""Celery tasks of the drills app: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from drills.services import government_drill_duties_sync


@shared_task(name="drills.tasks.sync_government_drill_duties")
def sync_government_drill_duties() -> int:
    """Daily: every city, district, township and street without a government drill duty gets one (a jurisdiction
    added since yesterday owes its first drill). Idempotent: the engine's dedupe key makes one task per
    jurisdiction, whatever the number of runs or workers."""
    return government_drill_duties_sync()
