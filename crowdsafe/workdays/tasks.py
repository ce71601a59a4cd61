"""Background work of the working-day calendar. Tasks are thin: they call one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import OperationalError

from crowdsafe.workdays.services import calendar_sync_from_library


# The nightly beat entry (crowdsafe/celery.py) refers to this name. The sync is idempotent, so a retry after a
# dropped database connection, or a second delivery of the message, changes nothing twice.
@shared_task(
    name="crowdsafe.workdays.tasks.sync_calendar",
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=30,
)
def sync_calendar() -> dict[str, Any]:
    """Bring the calendar up to date with the installed holiday library."""
    return calendar_sync_from_library(actor=None).as_dict()
