"""The kernel's spreadsheet import runner (crowdsafe.common.imports), with a list of its own: a row checker and a
create function written here, so that what is tested is the runner, not a domain app's rules. The jobs are
venue import jobs only because the abstract job needs a concrete table to live in."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from crowdsafe.accounts.models import User
from crowdsafe.audit.selectors import timeline_for
from crowdsafe.common import imports
from crowdsafe.common.imports import ImportStatus
from crowdsafe.common.spreadsheets import Column, RowError, cell_text
from crowdsafe.errors import DomainError
from events.models import GatheringImportJob
from tests.factories import UserFactory
from venues.models import ImportJob

pytestmark = pytest.mark.django_db

COLUMNS = (Column("username", "用户名", required=True), Column("note", "备注"))


@dataclass
class Row:
    row: int
    username: str


@dataclass
class Checker:
    """Rejects the rows whose Excel numbers are in ``reject``."""

    reject: set[int]

    def check(self, number: int, values: Mapping[str, object]) -> tuple[Row | None, list[RowError]]:
        if number in self.reject:
            return None, [RowError(row=number, column="用户名", message="not a user name")]
        return Row(row=number, username=cell_text(values.get("username"))), []


@dataclass
class Creator:
    """Creates one user per row; ``fail_at`` makes it raise on that call (1-based)."""

    fail_at: int | None = None
    error: Exception = field(default_factory=lambda: RuntimeError("disk full"))
    calls: int = 0

    def __call__(self, job: ImportJob, row: Row) -> User:
        self.calls += 1
        if self.calls == self.fail_at:
            raise self.error
        return User.objects.create(username=f"imported-{row.username}")


def importer(*, reject=(), create=None) -> imports.Importer[ImportJob, Row]:
    return imports.Importer(
        job_model=ImportJob,
        columns=COLUMNS,
        checker=lambda job, rows: Checker(reject=set(reject)),
        create=create or Creator(),
        error_column=lambda exc: "用户名",
        may_import=lambda user: True,
        refused="no",
        task="venues.tasks.run_venue_import",
        default_name="list.xlsx",
        imported="%(imported)s imported.",
        imported_leaving_out="%(imported)s imported; %(invalid)s left out.",
        nothing_to_import="Nothing to import.",
    )


def workbook(names) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in COLUMNS])
    for name in names:
        sheet.append([name, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


def run(spec, names, *, valid_rows_only=False) -> ImportJob:
    """Start a job (its on-commit run never fires inside the test's transaction) and run it here, as the app's
    Celery task would."""
    job = imports.start_import(
        spec, actor=UserFactory(), file=workbook(names), valid_rows_only=valid_rows_only, language="en"
    )
    imports.run_import(spec, job_id=job.pk)
    job.refresh_from_db()
    return job


def imported_users() -> list[str]:
    return sorted(User.objects.filter(username__startswith="imported-").values_list("username", flat=True))


def test_a_row_the_checker_rejects_is_reported_by_its_row_number_and_nothing_is_imported():
    # The header is row 1: "b" is on row 3.
    job = run(importer(reject={3}), ["a", "b", "c"])
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [(3, "用户名", "not a user name")]
    assert job.errors[0]["text"] == "Row 3, column “用户名”: not a user name"
    assert (job.total_rows, job.valid_rows, job.invalid_rows, job.imported_rows) == (3, 2, 1, 0)
    assert job.message == "1 of 3 rows are invalid; nothing was imported."
    assert imported_users() == []
    assert [e.verb for e in timeline_for(subject=job)] == ["import_rejected", "import_started"]


def test_when_the_uploader_chose_so_only_the_valid_rows_are_imported():
    job = run(importer(reject={3}), ["a", "b", "c"], valid_rows_only=True)
    assert (job.status, job.imported_rows, job.invalid_rows) == (ImportStatus.DONE, 2, 1)
    assert job.message == "2 imported; 1 left out."
    assert imported_users() == ["imported-a", "imported-c"]


def test_a_job_run_twice_does_nothing_the_second_time():
    create = Creator()
    spec = importer(create=create)
    job = run(spec, ["a", "b"])
    assert (job.status, job.imported_rows) == (ImportStatus.DONE, 2)
    again = imports.run_import(spec, job_id=job.pk)
    assert again is not None and again.status == ImportStatus.DONE
    assert create.calls == 2
    assert imported_users() == ["imported-a", "imported-b"]
    assert [e.verb for e in timeline_for(subject=job)] == ["import_finished", "import_started"]


def test_a_failure_in_the_create_function_half_way_leaves_no_rows():
    job = run(importer(create=Creator(fail_at=2)), ["a", "b", "c"])
    assert (job.status, job.imported_rows) == (ImportStatus.FAILED, 0)
    assert "nothing was imported" in job.message
    assert imported_users() == []


def test_a_row_the_service_refuses_half_way_rejects_the_file_with_its_row_number_and_leaves_no_rows():
    create = Creator(fail_at=2, error=DomainError("taken meanwhile", field="username"))
    job = run(importer(create=create), ["a", "b", "c"])
    assert job.status == ImportStatus.REJECTED
    assert job.message == "A row became invalid while importing; nothing was imported."
    assert [(e["row"], e["message"]) for e in job.errors] == [(3, "taken meanwhile")]
    assert imported_users() == []


def test_a_row_the_service_refuses_is_left_out_when_the_uploader_chose_the_valid_rows():
    create = Creator(fail_at=2, error=DomainError("taken meanwhile", field="username"))
    job = run(importer(create=create), ["a", "b", "c"], valid_rows_only=True)
    assert (job.status, job.imported_rows, job.valid_rows, job.invalid_rows) == (ImportStatus.DONE, 2, 2, 1)
    assert [(e["row"], e["message"]) for e in job.errors] == [(3, "taken meanwhile")]
    assert imported_users() == ["imported-a", "imported-c"]


def test_a_sheet_without_a_required_column_is_rejected_on_row_1():
    book = Workbook()
    book.active.append(["备注"])
    book.active.append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    spec = importer()
    job = imports.start_import(
        spec, actor=UserFactory(), file=SimpleUploadedFile("list.xlsx", buffer.getvalue()), language="en"
    )
    imports.run_import(spec, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["column"]) for e in job.errors] == [(1, "用户名")]


# --- the one status block, under each app's URL names ------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "namespace", "list_name"),
    [(ImportJob, "venues", "venue_list"), (GatheringImportJob, "events", "gathering_list")],
)
def test_the_status_block_polls_its_own_apps_progress_url_until_the_job_has_finished(model, namespace, list_name):
    user = UserFactory()
    job = model.objects.create(created_by=user, original_name="list.xlsx", total_rows=4, processed_rows=1)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    progress = reverse(f"{namespace}:import_progress", args=[job.pk])

    html = client.get(progress).content.decode()
    card = html[html.index('id="import-status"') :]
    assert f'hx-get="{progress}" hx-trigger="every 1s"' in card[: card.index(">")]
    assert "1 of 4 rows" in html

    model.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, imported_rows=4)
    html = client.get(progress).content.decode()
    card = html[html.index('id="import-status"') :]
    assert "hx-get" not in card[: card.index(">")]
    assert reverse(f"{namespace}:{list_name}") in html
