"""Celery tasks of the dashboard: thin, idempotent."""

from __future__ import annotations

from celery import shared_task

from dashboard import services


@shared_task(name="dashboard.tasks.issue_weekly_briefings")
def issue_weekly_briefings() -> int:
    """Monday morning (beat): last week's briefing (安全形势简报) for every territory with a leader, once per week and
    territory."""
    return len(services.briefings_issue_weekly())
