"""Spreadsheet imports (导入): the job, its runner and its pages, the same for every list an app imports.

Shaped after pretix's ``modelimport``: the kernel owns the run, and each app supplies only what is its own, in
an ``Importer``: the columns of its list, a row checker (built once per run, after the app's bulk lookups of what
the rows mention) and the function that creates one checked row through the app's service.

A run checks every row first and writes nothing while checking. If any row is invalid the job is rejected with
every problem listed by row and column, and nothing is imported, unless the uploader chose to import only the
valid rows. The valid rows are then created in one transaction, each through the app's service (permission
check, action log, hooks), so a failure half-way imports nothing and the job can simply be run again.

Progress: while checking, the job row itself is updated every ``PROGRESS_EVERY`` rows (nothing else is in a
transaction then). While importing, the rows being created are not visible to other connections until the
commit, and neither would a progress update made inside the same transaction; the count goes to the cache
instead, where the status block reads it (``import_progress``). The status block polls itself with htmx until
the job has finished.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import UploadField, UploadValidator, check_upload
from crowdsafe.common.scoping import ScopedQuerySet
from crowdsafe.common.spreadsheets import Column, RowError, SheetRow, SheetRows, SpreadsheetError, estimate_rows
from crowdsafe.common.spreadsheets import read_rows as read_sheet
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import Scope, get_scoped_or_404

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    Text = str | _StrPromise

logger = logging.getLogger(__name__)

# Files of up to this many rows (as the sheet's dimension record says) and of at most this many bytes are imported
# during the upload request (a second or two); all others in a Celery task while the page shows the progress. The
# byte bound keeps a file whose dimension record lies out of the request: the rows are counted only by the run.
INLINE_MAX_ROWS = 200
INLINE_MAX_BYTES = 64 * 1024
MAX_ROWS = 50_000
PROGRESS_EVERY = 100
# Creating a row goes through a service (permission, log, hooks): slower than checking, so counted more often.
IMPORT_PROGRESS_EVERY = 50
# A job still "running" this long after it started lost its worker (a crash, a redeploy): Celery redelivers
# the task (acks_late), and the claim below lets the redelivered task take the job over.
STALE_AFTER = datetime.timedelta(minutes=30)
# The job keeps this many error entries (the counts stay exact); a file with more problems is usually a wrong
# file or a wrong column, and the first thousand say so.
MAX_STORED_ERRORS = 1000
# How many codes an app's bulk lookup puts in one ``IN (...)``.
LOOKUP_CHUNK = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportStatus(models.TextChoices):
    """Life of a spreadsheet import: pending → running → done | rejected | failed; a rejected import can be
    sent back to pending once the user chooses to import only its valid rows."""

    PENDING = "pending", gettext_lazy("Waiting")
    RUNNING = "running", gettext_lazy("Running")
    DONE = "done", gettext_lazy("Done")
    REJECTED = "rejected", gettext_lazy("Rejected: some rows are invalid")
    FAILED = "failed", gettext_lazy("Failed")


class ImportPhase(models.TextChoices):
    CHECKING = "checking", gettext_lazy("Checking rows")
    IMPORTING = "importing", gettext_lazy("Importing rows")


FINISHED = frozenset({ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED})


# --- the job ----------------------------------------------------------------------------------------------


def uploaded_by_q(scope: Scope) -> Q:
    """Who sees an import job (the rule of ``ImportJob.objects.visible_to``): its uploader; an upload is its
    uploader's business (superusers see all, as for every scoped model)."""
    return Q(created_by_id=scope.user_id) if scope.user_id else Q(pk__in=[])


class ImportJobQuerySet(ScopedQuerySet[Any]):
    visibility_rule = "crowdsafe.common.imports.uploaded_by_q"


def import_file_field(upload_to: str) -> models.FileField:
    """The ``file`` of a concrete import job: the uploaded workbook, kept under the app's folder (``upload_to``)
    and checked as a spreadsheet upload."""
    return models.FileField(gettext_lazy("file"), upload_to=upload_to, validators=[UploadValidator("spreadsheet")])


class ImportJob(models.Model):
    """One spreadsheet import (导入任务): the uploaded file, who uploaded it and when, how far the run got, the row
    counts and every invalid row with its column and message. Each app's concrete job names where its files go
    (``file = import_file_field("venues/imports/%Y/%m/")``), its verbose names and its index."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(gettext_lazy("uploaded at"), auto_now_add=True)
    file = import_file_field("imports/%Y/%m/")
    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    language = models.CharField(gettext_lazy("language"), max_length=16, default="zh-hans")
    valid_rows_only = models.BooleanField(gettext_lazy("import only the valid rows"), default=False)
    status = models.CharField(
        gettext_lazy("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    phase = models.CharField(
        gettext_lazy("phase"), max_length=16, choices=ImportPhase.choices, default=ImportPhase.CHECKING
    )
    total_rows = models.PositiveIntegerField(gettext_lazy("rows"), default=0)
    processed_rows = models.PositiveIntegerField(gettext_lazy("rows processed"), default=0)
    valid_rows = models.PositiveIntegerField(gettext_lazy("valid rows"), default=0)
    invalid_rows = models.PositiveIntegerField(gettext_lazy("invalid rows"), default=0)
    imported_rows = models.PositiveIntegerField(gettext_lazy("rows imported"), default=0)
    errors = models.JSONField(gettext_lazy("errors"), default=list, blank=True)
    message = models.TextField(gettext_lazy("message"), blank=True)
    started_at = models.DateTimeField(gettext_lazy("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    def can_run(self) -> bool:
        return self.status == ImportStatus.PENDING

    def can_accept_valid_rows(self) -> bool:
        return self.status == ImportStatus.REJECTED and self.valid_rows > 0 and not self.valid_rows_only


# --- what an app supplies ---------------------------------------------------------------------------------


class CheckedRow(Protocol):
    """A valid row, ready for the app's create function; it knows its Excel row number."""

    @property
    def row(self) -> int: ...


J = TypeVar("J", bound=ImportJob)
R = TypeVar("R", bound=CheckedRow)
R_co = TypeVar("R_co", bound=CheckedRow, covariant=True)


class RowChecker(Protocol[R_co]):
    """Checks rows one at a time, in file order (so it can report a row that repeats an earlier one)."""

    def check(self, number: int, values: Mapping[str, object]) -> tuple[R_co | None, list[RowError]]: ...


@dataclass(frozen=True)
class Importer(Generic[J, R]):
    """One app's list import: everything the runner needs that is not the same for every list.

    - ``checker(job, rows)``: a row checker for this run, after the bulk lookups of what ``rows`` mention;
    - ``create(job, row)``: create one checked row through the app's service, logging ``job`` and the row; a
      ``DomainError`` (something changed since the check) makes the row invalid;
    - ``error_column(exc)``: the header of the column such an error is about;
    - ``may_import(user)`` and ``refused``: who may upload, and what the others are told;
    - ``task``: the dotted path of the app's Celery task that runs a job too large for the upload request.
    """

    job_model: type[J]
    columns: Sequence[Column]
    checker: Callable[[J, Sequence[SheetRow]], RowChecker[R]]
    create: Callable[[J, R], object]
    error_column: Callable[[DomainError], str]
    may_import: Callable[[Any], bool]
    refused: Text
    task: str
    default_name: str
    # "%(imported)s venues imported." and the same with "; %(invalid)s invalid rows were left out, as chosen."
    imported: Text
    imported_leaving_out: Text
    nothing_to_import: Text
    # Set-based creation, for a list of tens of thousands of rows: ``create_many(job, rows, skip_refused,
    # on_progress)`` creates the checked rows in bulk (the app's batch service: its checks, the action log, the
    # rules evaluated for the batch), and returns the rows its service refused with their errors; when
    # ``skip_refused`` is false and any row is refused it writes nothing. ``on_progress(n)`` after each step.
    # Without it, the rows are created one by one through ``create``.
    create_many: Callable[[J, Sequence[R], bool, Callable[[int], None]], list[RowError]] | None = None

    # The app's services are these, bound to its importer: ``venue_import_start = VENUE_IMPORT.start``.
    def start(self, *, actor: Any, file: Any, valid_rows_only: bool = False, language: str | None = None) -> J:
        return start_import(self, actor=actor, file=file, valid_rows_only=valid_rows_only, language=language)

    def accept_valid_rows(self, *, job: J, actor: Any) -> J:
        return accept_valid_rows(self, job=job, actor=actor)

    def run(self, *, job_id: int) -> J | None:
        return run_import(self, job_id=job_id)


# --- starting a job ---------------------------------------------------------------------------------------


def check_import_file(file: Any) -> int | None:
    """Check an uploaded workbook (the kernel's upload check: an .xlsx by its content, within the size limit of
    spreadsheets, its zip directory within the declared sizes and parts; then its first sheet's dimension record
    within the row limit) and return the row count that record gives (None when it gives none), or raise a
    ``DomainError`` on the "file" field. Bounded work whatever the file: nothing is parsed but the zip directory
    and the start of three parts; the rows are read and counted by the run, in the worker."""
    check_upload(file, kind="spreadsheet", field="file")
    try:
        estimated = estimate_rows(file)
    except SpreadsheetError as exc:
        raise DomainError(str(exc), field="file") from exc
    if estimated is not None and estimated > MAX_ROWS:
        raise DomainError(
            _("The spreadsheet has more than %(max)s rows: split it into smaller files.") % {"max": MAX_ROWS},
            field="file",
        )
    file.seek(0)
    return estimated


def start_import(
    importer: Importer[J, Any], *, actor: Any, file: Any, valid_rows_only: bool = False, language: str | None = None
) -> J:
    """Keep the uploaded file as a pending job and start checking it (at once after the commit for a small file,
    in the app's Celery task for a large one). ``valid_rows_only`` is the uploader's explicit choice to import the
    valid rows even when some rows are invalid."""
    if actor is None or not importer.may_import(actor):
        raise PermissionDeniedError(importer.refused)
    with transaction.atomic():
        estimated = check_import_file(file)
        job = importer.job_model(
            created_by=actor,
            original_name=(getattr(file, "name", "") or importer.default_name)[-255:],
            language=language or translation.get_language() or "zh-hans",
            valid_rows_only=valid_rows_only,
            total_rows=estimated or 0,
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
        _dispatch(importer, job, inline=estimated is not None and int(getattr(file, "size", 0)) <= INLINE_MAX_BYTES)
    return job


def accept_valid_rows(importer: Importer[J, Any], *, job: J, actor: Any) -> J:
    """The uploader's explicit choice, after a rejection, to import the valid rows: the job is pending again and
    runs as a new upload would."""
    with transaction.atomic():
        locked: J = importer.job_model._default_manager.select_for_update().get(pk=job.pk)
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
        _dispatch(importer, locked, inline=locked.file.size <= INLINE_MAX_BYTES)
    return locked


def _dispatch(importer: Importer[J, Any], job: J, *, inline: bool) -> None:
    """Run a small job after the commit, in this process; a larger one, or one whose rows are not known, in the
    app's Celery task."""
    if inline and job.total_rows <= INLINE_MAX_ROWS:
        transaction.on_commit(lambda: run_import(importer, job_id=job.pk))
    else:
        task = import_string(importer.task)
        transaction.on_commit(lambda: task.delay(job.pk))


# --- running a job ----------------------------------------------------------------------------------------


def run_import(importer: Importer[J, Any], *, job_id: int) -> J | None:
    """Run one import job: what the app's Celery task calls with the job's id. Idempotent: a job that is not
    waiting (already running, finished) is left alone."""
    model = importer.job_model
    if not _claim(model, job_id):
        current: J | None = model._default_manager.filter(pk=job_id).first()
        return current
    job: J = model._default_manager.select_related("created_by").get(pk=job_id)
    with translation.override(job.language):
        try:
            _run(importer, job)
        except Exception:
            logger.exception("%s %s failed", model._meta.label, job_id)
            job.refresh_from_db()
            job.imported_rows = 0  # the write transaction rolled back
            _finish(
                job,
                status=ImportStatus.FAILED,
                message=_("The import stopped because of an unexpected error; nothing was imported. Try again."),
                verb="import_failed",
            )
    return job


def _claim(model: type[ImportJob], job_id: int) -> bool:
    """Take the job for this run. A conditional UPDATE, so that two workers given the same job (a redelivered
    task, a double click) cannot both run it: only one UPDATE matches the pending row."""
    now = timezone.now()
    claimed = (
        model._default_manager.filter(pk=job_id)
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


def _finish(job: ImportJob, *, status: str, message: str = "", verb: str) -> None:
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
    cache.delete(_progress_key(job))


def _progress_key(job: ImportJob) -> str:
    return f"{job._meta.label_lower}:import:{job.pk}:progress"


def import_progress(job: ImportJob) -> tuple[int, int]:
    """(processed, total) of the job's current phase, for the progress bar."""
    if job.status == ImportStatus.RUNNING and job.phase == ImportPhase.IMPORTING:
        return int(cache.get(_progress_key(job)) or 0), job.valid_rows
    if job.phase == ImportPhase.IMPORTING:
        return job.imported_rows, job.valid_rows
    return job.processed_rows, job.total_rows


def _run(importer: Importer[J, R], job: J) -> None:
    sheet = _read(importer, job)
    if sheet is None:
        return
    valid = _check(importer, job, sheet.rows)
    if job.invalid_rows and not job.valid_rows_only:
        _finish(
            job,
            status=ImportStatus.REJECTED,
            message=_("%(count)s of %(total)s rows are invalid; nothing was imported.")
            % {"count": job.invalid_rows, "total": job.total_rows},
            verb="import_rejected",
        )
    elif not valid and job.invalid_rows:
        _finish(job, status=ImportStatus.REJECTED, message=_("No row is valid."), verb="import_rejected")
    elif not valid:
        _finish(job, status=ImportStatus.DONE, message=str(importer.nothing_to_import), verb="import_finished")
    else:
        _create(importer, job, valid)


def _read(importer: Importer[J, Any], job: J) -> SheetRows | None:
    """The file's rows, or None when the job has been finished because the file or its header row is unusable."""
    try:
        sheet = read_sheet(job.file, columns=importer.columns, max_rows=MAX_ROWS)
    except SpreadsheetError as exc:
        _finish(job, status=ImportStatus.FAILED, message=str(exc), verb="import_failed")
        return None
    finally:
        job.file.close()
    if sheet.missing:
        errors = [
            RowError(row=1, column=header, message=_("This column is missing from the header row."))
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
        return None
    job.total_rows = len(sheet.rows)
    type(job)._default_manager.filter(pk=job.pk).update(total_rows=job.total_rows)
    return sheet


def _check(importer: Importer[J, R], job: J, rows: Sequence[SheetRow]) -> list[R]:
    """Check every row, writing nothing but the progress; the problems and counts go on ``job``."""
    checker = importer.checker(job, rows)
    valid: list[R] = []
    errors: list[RowError] = []
    invalid_rows = 0
    for index, (number, values) in enumerate(rows, start=1):
        row, row_errors = checker.check(number, values)
        if row_errors:
            invalid_rows += 1
            errors.extend(row_errors)
        elif row is not None:
            valid.append(row)
        if index % PROGRESS_EVERY == 0:
            type(job)._default_manager.filter(pk=job.pk).update(processed_rows=index)
    job.processed_rows = len(rows)
    job.valid_rows = len(valid)
    job.invalid_rows = invalid_rows
    job.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    return valid


class _Abort(Exception):
    def __init__(self, error: RowError):
        self.error = error


def _reject_while_importing(job: ImportJob, errors: list[RowError]) -> None:
    job.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    job.invalid_rows = len(errors)
    job.valid_rows -= len(errors)
    job.imported_rows = 0
    _finish(
        job,
        status=ImportStatus.REJECTED,
        message=_("A row became invalid while importing; nothing was imported."),
        verb="import_rejected",
    )


def _create_many(importer: Importer[J, R], job: J, valid: list[R]) -> tuple[int | None, list[RowError]]:
    """The app's set-based creation, in one transaction; the progress goes to the cache after each step."""
    assert importer.create_many is not None
    key, timeout = _progress_key(job), int(STALE_AFTER.total_seconds())
    with transaction.atomic():
        refused = importer.create_many(
            job, valid, job.valid_rows_only, lambda done: cache.set(key, done, timeout=timeout)
        )
    if refused and not job.valid_rows_only:
        _reject_while_importing(job, refused)
        return None, refused
    return len(valid) - len(refused), refused


def _create_each(importer: Importer[J, R], job: J, valid: list[R]) -> tuple[int | None, list[RowError]]:
    """Each row through the app's service, in one transaction."""
    key, timeout = _progress_key(job), int(STALE_AFTER.total_seconds())
    skipped: list[RowError] = []
    imported = 0
    try:
        with transaction.atomic():
            for index, row in enumerate(valid, start=1):
                try:
                    # When refused rows are left out, a savepoint per row keeps the transaction usable after one;
                    # otherwise a refusal ends the whole transaction, and the savepoints would only cost time.
                    with transaction.atomic() if job.valid_rows_only else contextlib.nullcontext():
                        importer.create(job, row)
                except DomainError as exc:
                    error = RowError(row=row.row, column=importer.error_column(exc), message=str(exc.message))
                    if not job.valid_rows_only:
                        raise _Abort(error) from exc
                    skipped.append(error)
                    continue
                imported += 1
                if index % IMPORT_PROGRESS_EVERY == 0:
                    cache.set(key, index, timeout=timeout)
    except _Abort as abort:
        _reject_while_importing(job, [abort.error])
        return None, [abort.error]
    return imported, skipped


def _create(importer: Importer[J, R], job: J, valid: list[R]) -> None:
    """Create the valid rows in one transaction. A row the service refuses (something changed since the check:
    another user added the same venue meanwhile) rejects the whole file, or is left out when the uploader chose
    to import only the valid rows."""
    job.phase = ImportPhase.IMPORTING
    type(job)._default_manager.filter(pk=job.pk).update(
        phase=ImportPhase.IMPORTING, processed_rows=job.processed_rows, valid_rows=job.valid_rows
    )
    cache.set(_progress_key(job), 0, timeout=int(STALE_AFTER.total_seconds()))
    create = _create_each if importer.create_many is None else _create_many
    imported, skipped = create(importer, job, valid)
    if imported is None:  # rejected: nothing was imported
        return
    job.imported_rows = imported
    if skipped:
        job.invalid_rows += len(skipped)
        job.valid_rows -= len(skipped)
        job.errors = (job.errors + [e.as_dict() for e in skipped])[:MAX_STORED_ERRORS]
    if job.invalid_rows:
        message = importer.imported_leaving_out % {"imported": imported, "invalid": job.invalid_rows}
    else:
        message = importer.imported % {"imported": imported}
    _finish(job, status=ImportStatus.DONE, message=str(message), verb="import_finished")


# --- the pages --------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    """The upload form. The file is checked by the import service (``check_import_file``), whose refusal lands
    on the file field; an app whose page words the fields differently changes the three texts."""

    file_label: Text = gettext_lazy("Spreadsheet (.xlsx)")
    valid_rows_only_label: Text = gettext_lazy("Import only the valid rows")
    valid_rows_only_help: Text = gettext_lazy(
        "Leave this unticked to import nothing when any row is invalid: you then see every problem and can "
        "fix the file, or choose to import only the valid rows."
    )

    file = UploadField(kind="spreadsheet")
    valid_rows_only = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = self.file_label
        self.fields["valid_rows_only"].label = self.valid_rows_only_label
        self.fields["valid_rows_only"].help_text = self.valid_rows_only_help


@dataclass(frozen=True)
class ImportPages:
    """The import pages of one app's list, under its URL namespace: the upload form with the recent imports, the
    job's page, its status block (polled by htmx until the job has finished), the valid-rows choice and the
    empty template workbook. ``urlpatterns()`` gives the five URLs, named as the templates expect.

    ``columns_help`` may name the required and the ignored columns as ``%(required)s`` and ``%(ignored)s``;
    ``ignored`` lists the keys of the columns that are there for the reader and ignored on import. ``lists``
    are the extra sheets of the template workbook (title → the names a column accepts)."""

    importer: Importer[Any, Any]
    namespace: str
    title: Text
    heading: Text
    list_url: str
    list_label: Text
    see_imported: Text
    columns_help: Text
    sheet_title: str
    template_filename: str
    form_class: type[ImportForm] = ImportForm
    ignored: Sequence[str] = ()
    lists: Mapping[str, Iterable[str]] = field(default_factory=dict)
    stylesheets: Sequence[str] = ("css/venues.css",)

    # URL names, for the templates' {% url %}.
    @property
    def start_url(self) -> str:
        return f"{self.namespace}:import_start"

    @property
    def template_url(self) -> str:
        return f"{self.namespace}:import_template"

    @property
    def detail_url(self) -> str:
        return f"{self.namespace}:import_detail"

    @property
    def progress_url(self) -> str:
        return f"{self.namespace}:import_progress"

    @property
    def accept_url(self) -> str:
        return f"{self.namespace}:import_accept_valid_rows"

    def urlpatterns(self) -> list[URLPattern]:
        return [
            path("import/", login_required(self.start), name="import_start"),
            path("import/template.xlsx", login_required(self.template), name="import_template"),
            path("import/<int:pk>/", login_required(self.detail), name="import_detail"),
            path("import/<int:pk>/progress/", login_required(self.progress), name="import_progress"),
            path(
                "import/<int:pk>/valid-rows/",
                login_required(require_POST(self.accept)),
                name="import_accept_valid_rows",
            ),
        ]

    def jobs(self, request: HttpRequest) -> ImportJobQuerySet:
        """The user's own imports, newest first."""
        jobs: ImportJobQuerySet = self.importer.job_model.objects.visible_to(request.user)
        return jobs.select_related("created_by").order_by("-created_at", "-id")

    def start(self, request: HttpRequest) -> HttpResponse:
        importer = self.importer
        if not importer.may_import(request.user):
            raise PermissionDenied(importer.refused)
        form = self.form_class(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = start_import(
                    importer,
                    actor=request.user,
                    file=form.cleaned_data["file"],
                    valid_rows_only=form.cleaned_data["valid_rows_only"],
                    language=getattr(request, "LANGUAGE_CODE", None),
                )
            except DomainError as exc:
                form.add_error("file" if exc.field == "file" else None, str(exc.message))
            else:
                return redirect(self.detail_url, pk=job.pk)
        required = [c.header for c in importer.columns if c.required]
        ignored = [c.header for c in importer.columns if c.key in self.ignored]
        context = {
            "pages": self,
            "form": form,
            "recent": self.jobs(request)[:10],
            "headers": [c.header for c in importer.columns],
            "columns_help": self.columns_help % {"required": "、".join(required), "ignored": "、".join(ignored)},
        }
        return render(request, "common/import_start.html", context)

    def _status(self, request: HttpRequest, pk: int) -> dict[str, object]:
        job = get_scoped_or_404(self.jobs(request), pk=pk)
        processed, total = import_progress(job)
        percent = 100 if job.is_finished else (int(processed * 100 / total) if total else 0)
        return {"pages": self, "job": job, "processed": processed, "total": total, "percent": min(percent, 100)}

    def detail(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "common/import_detail.html", self._status(request, pk))

    def progress(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The status block alone, polled by htmx every second until the job has finished."""
        return render(request, "common/_import_status.html", self._status(request, pk))

    def accept(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_scoped_or_404(self.jobs(request), pk=pk)
        try:
            accept_valid_rows(self.importer, job=job, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect(self.detail_url, pk=job.pk)

    def template(self, request: HttpRequest) -> HttpResponse:
        """An empty workbook with the header row, and a sheet for each list of accepted names."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = self.sheet_title
        sheet.append([c.header for c in self.importer.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for title, names in self.lists.items():
            extra = workbook.create_sheet(title)
            extra.append([title])
            for name in names:
                extra.append([name])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{self.template_filename}"'
        return response
