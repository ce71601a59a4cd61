"""Celery tasks of the venues app: thin, ids in, one service call each."""

from __future__ import annotations

from celery import shared_task

from venues import duties, services


@shared_task(name="venues.run_import", ignore_result=True)
def run_venue_import(job_id: int) -> None:
    """Run one spreadsheet import. A second delivery of the same job is a no-op (the service claims the job
    with a conditional update of its status)."""
    services.venue_import_run(job_id=job_id)


@shared_task(name="venues.recompute_capacities", ignore_result=True)
def recompute_venue_capacities() -> None:
    """Recompute every venue's stored capacity after the capacity settings changed. Running it twice gives the
    same figures."""
    services.venue_capacity_recompute_all()


@shared_task(name="venues.appraisal_scan", ignore_result=True)
def appraisal_scan() -> None:
    """Open the building safety appraisal duties of venues past their design service life (issue 21 point 4).
    Idempotent: a rule's task is opened once per venue."""
    duties.appraisal_scan()
