"""Importing a gathering list (清单) from a spreadsheet, with row-level validation, on the venue import's job
machinery (``venues.services.imports``: the upload checks, the job's claim by a conditional update, its
outcome and progress). As for venues: every row is checked first and nothing is written while checking; if any
row is invalid the job is rejected with every problem listed by row and column, unless the uploader chose to
import the valid rows; the valid rows are created in one transaction through ``gathering_report`` (permission,
triage, action log, duties), so a crash half-way imports nothing.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.models import Jurisdiction
from events import access, spreadsheets
from events.models import Gathering, GatheringImportJob
from events.services.gatherings import gathering_report
from venues.choices import ImportPhase, ImportStatus
from venues.models import Venue
from venues.services.imports import (
    INLINE_MAX_ROWS,
    LOOKUP_CHUNK,
    MAX_ROWS,
    MAX_STORED_ERRORS,
    PROGRESS_EVERY,
    STALE_AFTER,
    claim_import_job,
    finish_import_job,
    import_job_accept_valid_rows,
    import_job_create,
    import_progress,
    progress_cache_key,
)
from venues.spreadsheets import RowError, SpreadsheetError, ascii_text, cell_text, read_rows

logger = logging.getLogger(__name__)

__all__ = ["gathering_import_accept_valid_rows", "gathering_import_run", "gathering_import_start", "import_progress"]


def _dispatch(job: GatheringImportJob) -> None:
    if job.total_rows <= INLINE_MAX_ROWS:
        transaction.on_commit(lambda: gathering_import_run(job_id=job.pk))
    else:
        from events.tasks import run_gathering_import

        transaction.on_commit(lambda: run_gathering_import.delay(job.pk))


def gathering_import_start(*, actor, file, valid_rows_only: bool = False, language: str | None = None):
    """Keep the uploaded list and start checking it."""
    if actor is None or not access.can_report(actor_scope(actor)):
        raise PermissionDeniedError(_("You may not import gatherings."))
    with transaction.atomic():
        job = import_job_create(
            GatheringImportJob,
            actor=actor,
            file=file,
            valid_rows_only=valid_rows_only,
            language=language,
            default_name="gatherings.xlsx",
        )
        _dispatch(job)
    return job


def gathering_import_accept_valid_rows(*, job: GatheringImportJob, actor) -> GatheringImportJob:
    with transaction.atomic():
        locked = import_job_accept_valid_rows(GatheringImportJob, job=job, actor=actor)
        _dispatch(locked)
    return locked


def gathering_import_run(*, job_id: int) -> GatheringImportJob | None:
    """Run one import job. Idempotent: a job that is not waiting is left alone."""
    if not claim_import_job(GatheringImportJob, job_id):
        return GatheringImportJob.objects.filter(pk=job_id).first()
    job = GatheringImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language):
        try:
            _run(job)
        except Exception:
            logger.exception("gathering import %s failed", job_id)
            job.refresh_from_db()
            job.imported_rows = 0
            finish_import_job(
                job,
                status=ImportStatus.FAILED,
                message=_("The import stopped because of an unexpected error; nothing was imported. Try again."),
                verb="import_failed",
            )
    return job


def _lookups(rows):
    codes = sorted({ascii_text(cell_text(v.get("grid_code"))).upper() for _n, v in rows} - {""})
    grids: dict[str, Jurisdiction] = {}
    for i in range(0, len(codes), LOOKUP_CHUNK):
        grids.update({j.code: j for j in Jurisdiction.objects.filter(code__in=codes[i : i + LOOKUP_CHUNK])})
    grid_ids = sorted(j.pk for j in grids.values())
    venues: dict[tuple[int, str], Venue] = {}
    for i in range(0, len(grid_ids), LOOKUP_CHUNK):
        for venue in Venue.objects.filter(is_active=True, grid_id__in=grid_ids[i : i + LOOKUP_CHUNK]).select_related(
            "grid"
        ):
            venues[(venue.grid_id, venue.name)] = venue
    return grids, venues


class _Abort(Exception):
    def __init__(self, error: RowError):
        self.error = error


def _run(job: GatheringImportJob) -> None:
    try:
        sheet = read_rows(job.file, max_rows=MAX_ROWS, columns=spreadsheets.COLUMNS)
    except SpreadsheetError as exc:
        finish_import_job(job, status=ImportStatus.FAILED, message=str(exc), verb="import_failed")
        return
    finally:
        job.file.close()
    if sheet.missing:
        errors = [
            RowError(row=1, column=header, message=_("This column is missing from the header row."))
            for header in sheet.missing
        ]
        job.errors = [e.as_dict() for e in errors]
        job.invalid_rows = 0
        finish_import_job(
            job,
            status=ImportStatus.REJECTED,
            message=_("The header row lacks %(count)s of the columns; nothing was imported.") % {"count": len(errors)},
            verb="import_rejected",
        )
        return

    job.total_rows = len(sheet.rows)
    GatheringImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    grids, venues = _lookups(sheet.rows)
    actor = job.created_by

    def placement_problem(grid, venue):
        if access.can_report_at(actor_scope(actor), Gathering(grid=grid, venue=venue)):
            return None
        return _("%(grid)s is outside your territory.") % {"grid": grid.name}

    checker = spreadsheets.RowChecker(grids=grids, venues=venues, placement_problem=placement_problem)
    valid: list[spreadsheets.GatheringRow] = []
    errors: list[RowError] = []
    invalid_rows = 0
    for index, (number, values) in enumerate(sheet.rows, start=1):
        row, row_errors = checker.check(number, values)
        if row_errors:
            invalid_rows += 1
            errors.extend(row_errors)
        else:
            valid.append(row)
        if index % PROGRESS_EVERY == 0:
            GatheringImportJob.objects.filter(pk=job.pk).update(processed_rows=index)
    job.processed_rows = len(sheet.rows)
    job.valid_rows = len(valid)
    job.invalid_rows = invalid_rows
    job.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]

    if errors and not job.valid_rows_only:
        finish_import_job(
            job,
            status=ImportStatus.REJECTED,
            message=_("%(count)s of %(total)s rows are invalid; nothing was imported.")
            % {"count": invalid_rows, "total": job.total_rows},
            verb="import_rejected",
        )
        return
    if not valid:
        finish_import_job(
            job,
            status=ImportStatus.DONE if not errors else ImportStatus.REJECTED,
            message=_("The spreadsheet has no gathering rows to import.") if not errors else _("No row is valid."),
            verb="import_finished" if not errors else "import_rejected",
        )
        return

    job.phase = ImportPhase.IMPORTING
    GatheringImportJob.objects.filter(pk=job.pk).update(
        phase=ImportPhase.IMPORTING, processed_rows=job.processed_rows, valid_rows=job.valid_rows
    )
    key = progress_cache_key(job)
    cache.set(key, 0, timeout=int(STALE_AFTER.total_seconds()))
    skipped: list[RowError] = []
    try:
        with transaction.atomic():
            imported = 0
            for index, row in enumerate(valid, start=1):
                try:
                    with transaction.atomic():
                        gathering_report(actor=actor, log_data={"import_job": job.pk, "row": row.row}, **row.values)
                except DomainError as exc:
                    error = RowError(
                        row=row.row,
                        column=spreadsheets.HEADER[spreadsheets.FIELD_COLUMN.get(exc.field or "", "title")],
                        message=str(exc.message),
                    )
                    if not job.valid_rows_only:
                        raise _Abort(error) from exc
                    skipped.append(error)
                    continue
                imported += 1
                if index % 50 == 0:
                    cache.set(key, index, timeout=int(STALE_AFTER.total_seconds()))
    except _Abort as abort:
        job.errors = [abort.error.as_dict()]
        job.invalid_rows = 1
        job.valid_rows -= 1
        job.imported_rows = 0
        finish_import_job(
            job,
            status=ImportStatus.REJECTED,
            message=_("A row became invalid while importing; nothing was imported."),
            verb="import_rejected",
        )
        return
    job.imported_rows = imported
    if skipped:
        job.invalid_rows += len(skipped)
        job.valid_rows -= len(skipped)
        job.errors = (job.errors + [e.as_dict() for e in skipped])[:MAX_STORED_ERRORS]
    if job.invalid_rows:
        message = _("%(imported)s gatherings imported; %(invalid)s invalid rows were left out, as chosen.") % {
            "imported": imported,
            "invalid": job.invalid_rows,
        }
    else:
        message = _("%(imported)s gatherings imported.") % {"imported": imported}
    finish_import_job(job, status=ImportStatus.DONE, message=message, verb="import_finished")
