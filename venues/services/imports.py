"""Importing a venue list from a spreadsheet: start a job, run it (in a Celery task for large files), and let
the user import only the valid rows of a rejected file.

A run checks every row first and writes nothing while checking. If any row is invalid the job is rejected
with every problem listed by row and column, and nothing is imported, unless the user chose to import only
the valid rows. The valid rows are then created in one transaction, through ``venue_create`` (permission
check, action log, hooks), so a crash half-way imports nothing and the job can simply be run again.

Progress: while checking, the job row itself is updated every ``PROGRESS_EVERY`` rows (nothing else is in a
transaction then). While importing, the rows being created are not visible to other connections until the
commit, and neither would a progress update made inside the same transaction; the count goes to the cache
instead, where the progress page reads it (``import_progress``).
"""

from __future__ import annotations

import datetime
import logging

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Jurisdiction, Organisation
from venues import spreadsheets
from venues.choices import ImportPhase, ImportStatus
from venues.models import ImportJob, Venue
from venues.services.access import can_create_venues, placement_problem
from venues.services.venues import venue_create
from venues.validators import validate_spreadsheet

logger = logging.getLogger(__name__)

# Files of up to this many rows are imported during the upload request (a second or two); larger ones in a
# Celery task while the page shows the progress.
INLINE_MAX_ROWS = 200
MAX_ROWS = 50_000
PROGRESS_EVERY = 100
# A job still "running" this long after it started lost its worker (a crash, a redeploy): Celery redelivers
# the task (acks_late), and the claim below lets the redelivered task take the job over.
STALE_AFTER = datetime.timedelta(minutes=30)
# The job keeps this many error entries (the counts stay exact); a file with more problems is usually a wrong
# file or a wrong column, and the first thousand say so.
MAX_STORED_ERRORS = 1000
LOOKUP_CHUNK = 5000


def _progress_key(job_id: int) -> str:
    return f"venues:import:{job_id}:progress"


# --- the job machinery, shared with other apps' imports --------------------------------------------------
# Any model with the fields of ``ImportJob`` (status, phase, the row counts, errors, message, the times, file,
# original_name, language, valid_rows_only, created_by) can use these: the gathering list import
# (``events.GatheringImportJob``) does.


def progress_cache_key(job) -> str:
    """Where the importing phase's progress is kept (the rows being created are not visible before the commit)."""
    if isinstance(job, ImportJob):
        return _progress_key(job.pk)
    return f"{job._meta.label_lower}:import:{job.pk}:progress"


def import_progress(job) -> tuple[int, int]:
    """(processed, total) of the job's current phase, for the progress bar."""
    if job.status == ImportStatus.RUNNING and job.phase == ImportPhase.IMPORTING:
        return int(cache.get(progress_cache_key(job)) or 0), job.valid_rows
    if job.phase == ImportPhase.IMPORTING:
        return job.imported_rows, job.valid_rows
    return job.processed_rows, job.total_rows


def check_import_file(file) -> int:
    """Check an uploaded workbook (type, size, readable, row limit) and return its estimated row count, or raise a
    ``DomainError`` on the "file" field."""
    try:
        validate_spreadsheet(file)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="file") from exc
    try:
        estimated = spreadsheets.estimate_rows(file)
    except spreadsheets.SpreadsheetError as exc:
        raise DomainError(str(exc), field="file") from exc
    if estimated > MAX_ROWS:
        raise DomainError(
            _("The spreadsheet has more than %(max)s rows: split it into smaller files.") % {"max": MAX_ROWS},
            field="file",
        )
    file.seek(0)
    return estimated


def import_job_create(model, *, actor, file, valid_rows_only: bool, language: str | None, default_name: str):
    """Keep a checked upload as a pending job of ``model`` (inside the caller's transaction) and log it."""
    estimated = check_import_file(file)
    job = model(
        created_by=actor,
        original_name=(getattr(file, "name", "") or default_name)[-255:],
        language=language or translation.get_language() or "zh-hans",
        valid_rows_only=valid_rows_only,
        total_rows=estimated,
    )
    job.file.save(job.original_name, file, save=False)
    job.save(force_insert=True)
    log_action(
        actor=actor,
        subject=job,
        verb="import_started",
        to_state=ImportStatus.PENDING,
        data={"file": job.original_name, "valid_rows_only": valid_rows_only, "estimated_rows": estimated},
    )
    return job


def import_job_accept_valid_rows(model, *, job, actor):
    """The uploader's explicit choice, after a rejection, to import the valid rows: the job is pending again
    (inside the caller's transaction; the caller dispatches it)."""
    locked = model.objects.select_for_update().get(pk=job.pk)
    if actor is None or locked.created_by_id != actor.pk:
        raise PermissionDeniedError(_("Only the person who uploaded the file can import it."))
    if not locked.can_accept_valid_rows():
        raise DomainError(_("This import cannot import its valid rows now."), code="invalid_state")
    old = locked.status
    locked.status = ImportStatus.PENDING
    locked.valid_rows_only = True
    locked.phase = ImportPhase.CHECKING
    locked.processed_rows = 0
    locked.message = ""
    locked.finished_at = None
    locked.save(update_fields=["status", "valid_rows_only", "phase", "processed_rows", "message", "finished_at"])
    log_action(actor=actor, subject=locked, verb="import_valid_rows_chosen", from_state=old, to_state=locked.status)
    return locked


def claim_import_job(model, job_id: int) -> bool:
    """Take the job for this run. A conditional UPDATE, so that two workers given the same job (a redelivered
    task, a double click) cannot both run it: only one UPDATE matches the pending row."""
    now = timezone.now()
    claimed = (
        model.objects.filter(pk=job_id)
        .filter(Q(status=ImportStatus.PENDING) | Q(status=ImportStatus.RUNNING, started_at__lt=now - STALE_AFTER))
        .update(
            status=ImportStatus.RUNNING,
            phase=ImportPhase.CHECKING,
            started_at=now,
            processed_rows=0,
            imported_rows=0,
        )
    )
    return claimed == 1


def finish_import_job(job, *, status: str, message: str = "", verb: str) -> None:
    """Save a run's outcome and counts, and log it."""
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(
            update_fields=[
                "status",
                "message",
                "finished_at",
                "phase",
                "total_rows",
                "processed_rows",
                "valid_rows",
                "invalid_rows",
                "imported_rows",
                "errors",
            ]
        )
        log_action(
            actor=job.created_by,
            subject=job,
            verb=verb,
            from_state=ImportStatus.RUNNING,
            to_state=status,
            reason=message,
            data={
                "rows": job.total_rows,
                "valid": job.valid_rows,
                "invalid": job.invalid_rows,
                "imported": job.imported_rows,
            },
        )
    cache.delete(progress_cache_key(job))


def _dispatch(job: ImportJob, *, estimated_rows: int) -> None:
    if estimated_rows <= INLINE_MAX_ROWS:
        transaction.on_commit(lambda: venue_import_run(job_id=job.pk))
    else:
        from venues.tasks import run_venue_import

        transaction.on_commit(lambda: run_venue_import.delay(job.pk))


def venue_import_start(*, actor, file, valid_rows_only: bool = False, language: str | None = None) -> ImportJob:
    """Keep the uploaded file and start checking it. ``valid_rows_only`` is the user's explicit choice to
    import the valid rows even when some rows are invalid."""
    if actor is None or not can_create_venues(get_scope(actor)):
        raise PermissionDeniedError(_("You may not import venues."))
    with transaction.atomic():
        job = import_job_create(
            ImportJob,
            actor=actor,
            file=file,
            valid_rows_only=valid_rows_only,
            language=language,
            default_name="venues.xlsx",
        )
        _dispatch(job, estimated_rows=job.total_rows)
    return job


def venue_import_accept_valid_rows(*, job: ImportJob, actor) -> ImportJob:
    """The user's explicit choice, after a rejection, to import the rows that were valid."""
    with transaction.atomic():
        locked = import_job_accept_valid_rows(ImportJob, job=job, actor=actor)
        _dispatch(locked, estimated_rows=locked.total_rows)
    return locked


def _claim(job_id: int) -> bool:
    return claim_import_job(ImportJob, job_id)


def _finish(job: ImportJob, *, status: str, message: str = "", verb: str) -> None:
    finish_import_job(job, status=status, message=message, verb=verb)


def venue_import_run(*, job_id: int) -> ImportJob | None:
    """Run one import job. Idempotent: a job that is not waiting (already running, finished) is left alone."""
    if not _claim(job_id):
        return ImportJob.objects.filter(pk=job_id).first()
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language):
        try:
            _run(job)
        except Exception:
            logger.exception("venue import %s failed", job_id)
            job.refresh_from_db()
            job.imported_rows = 0  # the write transaction rolled back
            _finish(
                job,
                status=ImportStatus.FAILED,
                message=_("The import stopped because of an unexpected error; nothing was imported. Try again."),
                verb="import_failed",
            )
    return job


class _Abort(Exception):
    def __init__(self, error: spreadsheets.RowError):
        self.error = error


def _lookups(rows) -> tuple[dict, dict, set]:
    codes = sorted(
        {spreadsheets.ascii_text(spreadsheets.cell_text(v.get("grid_code"))).upper() for _n, v in rows} - {""}
    )
    credit_codes = sorted(
        {spreadsheets.ascii_text(spreadsheets.cell_text(v.get("operator_credit_code"))).upper() for _n, v in rows}
        - {""}
    )
    grids: dict[str, Jurisdiction] = {}
    for i in range(0, len(codes), LOOKUP_CHUNK):
        grids.update({j.code: j for j in Jurisdiction.objects.filter(code__in=codes[i : i + LOOKUP_CHUNK])})
    organisations: dict[str, Organisation] = {}
    for i in range(0, len(credit_codes), LOOKUP_CHUNK):
        chunk = credit_codes[i : i + LOOKUP_CHUNK]
        organisations.update({o.credit_code: o for o in Organisation.objects.filter(credit_code__in=chunk)})
    grid_ids = sorted(j.pk for j in grids.values())
    existing: set[tuple[int, str]] = set()
    for i in range(0, len(grid_ids), LOOKUP_CHUNK):
        existing.update(
            Venue.objects.filter(is_active=True, grid_id__in=grid_ids[i : i + LOOKUP_CHUNK]).values_list(
                "grid_id", "name"
            )
        )
    return grids, organisations, existing


def _run(job: ImportJob) -> None:
    try:
        sheet = spreadsheets.read_rows(job.file, max_rows=MAX_ROWS)
    except spreadsheets.SpreadsheetError as exc:
        _finish(job, status=ImportStatus.FAILED, message=str(exc), verb="import_failed")
        return
    finally:
        job.file.close()
    if sheet.missing:
        errors = [
            spreadsheets.RowError(row=1, column=header, message=_("This column is missing from the header row."))
            for header in sheet.missing
        ]
        job.errors = [e.as_dict() for e in errors]
        job.invalid_rows = 0
        _finish(
            job,
            status=ImportStatus.REJECTED,
            message=_("The header row lacks %(count)s of the columns; nothing was imported.") % {"count": len(errors)},
            verb="import_rejected",
        )
        return

    job.total_rows = len(sheet.rows)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    grids, organisations, existing = _lookups(sheet.rows)
    actor = job.created_by
    checker = spreadsheets.RowChecker(
        grids=grids,
        organisations=organisations,
        existing_names=existing,
        placement_problem=lambda grid, operator: placement_problem(actor=actor, grid=grid, operator=operator),
    )
    valid: list[spreadsheets.VenueRow] = []
    errors: list[spreadsheets.RowError] = []
    invalid_rows = 0
    for index, (number, values) in enumerate(sheet.rows, start=1):
        row, row_errors = checker.check(number, values)
        if row_errors:
            invalid_rows += 1
            errors.extend(row_errors)
        else:
            valid.append(row)
        if index % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=index)
    job.processed_rows = len(sheet.rows)
    job.valid_rows = len(valid)
    job.invalid_rows = invalid_rows
    job.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]

    if errors and not job.valid_rows_only:
        _finish(
            job,
            status=ImportStatus.REJECTED,
            message=_("%(count)s of %(total)s rows are invalid; nothing was imported.")
            % {"count": invalid_rows, "total": job.total_rows},
            verb="import_rejected",
        )
        return
    if not valid:
        _finish(
            job,
            status=ImportStatus.DONE if not errors else ImportStatus.REJECTED,
            message=_("The spreadsheet has no venue rows to import.") if not errors else _("No row is valid."),
            verb="import_finished" if not errors else "import_rejected",
        )
        return

    job.phase = ImportPhase.IMPORTING
    ImportJob.objects.filter(pk=job.pk).update(
        phase=ImportPhase.IMPORTING, processed_rows=job.processed_rows, valid_rows=job.valid_rows
    )
    cache.set(_progress_key(job.pk), 0, timeout=int(STALE_AFTER.total_seconds()))
    skipped: list[spreadsheets.RowError] = []
    try:
        with transaction.atomic():
            imported = 0
            for index, row in enumerate(valid, start=1):
                try:
                    venue_create(actor=actor, **row.venue_kwargs(), log_data={"import_job": job.pk, "row": row.row})
                except DomainError as exc:
                    # Something changed since the check (another user added the same venue meanwhile).
                    error = spreadsheets.RowError(
                        row=row.row,
                        column=spreadsheets.HEADER.get(_FIELD_COLUMN.get(exc.field or "", "name"), "场所名称"),
                        message=str(exc.message),
                    )
                    if not job.valid_rows_only:
                        raise _Abort(error) from exc
                    skipped.append(error)
                    continue
                imported += 1
                if index % 50 == 0:
                    cache.set(_progress_key(job.pk), index, timeout=int(STALE_AFTER.total_seconds()))
    except _Abort as abort:
        job.errors = [abort.error.as_dict()]
        job.invalid_rows = 1
        job.valid_rows -= 1
        job.imported_rows = 0
        _finish(
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
        message = _("%(imported)s venues imported; %(invalid)s invalid rows were left out, as chosen.") % {
            "imported": imported,
            "invalid": job.invalid_rows,
        }
    else:
        message = _("%(imported)s venues imported.") % {"imported": imported}
    _finish(job, status=ImportStatus.DONE, message=message, verb="import_finished")


# Which spreadsheet column a venue field's error belongs to.
_FIELD_COLUMN = {
    "name": "name",
    "kind": "kind",
    "grid": "grid_code",
    "address": "address",
    "latitude": "latitude",
    "longitude": "longitude",
    "operator": "operator_credit_code",
    "responsible_person_name": "responsible_person_name",
    "responsible_person_phone": "responsible_person_phone",
    "declared_capacity": "declared_capacity",
}
