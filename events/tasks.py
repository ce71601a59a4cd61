"""Celery tasks of the events app: thin, ids in, one service call each."""

from __future__ import annotations

from celery import shared_task

from events.services import expected_gatherings_create
from events.services.imports import gathering_import_run


@shared_task(name="events.run_import", ignore_result=True)
def run_gathering_import(job_id: int) -> None:
    """Run one spreadsheet import; a second delivery of the same job is a no-op (the job is claimed with a
    conditional update of its status)."""
    gathering_import_run(job_id=job_id)


@shared_task(name="events.create_expected_gatherings", ignore_result=True)
def create_expected_gatherings() -> int:
    """The daily key-date scan: expected gatherings for the occasions coming up. Running it twice makes nothing
    new (each prediction's form key is derived from the occasion and the place)."""
    return len(expected_gatherings_create().created)
