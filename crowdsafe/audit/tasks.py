"""Celery tasks of the action log's app: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from crowdsafe.common.pii import caller_phones_expire as expire


@shared_task(name="crowdsafe.audit.tasks.caller_phones_expire")
def caller_phones_expire() -> int:
    """Daily (beat): callers' numbers older than CALLER_PHONE_RETENTION_DAYS are blanked, each logged (PIPL Art. 19).
    Idempotent: a blanked number is not selected again."""
    return expire()
