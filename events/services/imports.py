"""Importing a gathering list (清单) from a spreadsheet: what is the list's own, on the kernel's import runner
(``crowdsafe.common.imports``: the job, its run, its pages). The list's columns and row checks are in
``events.spreadsheets``; here are the bulk lookups a run needs and the creation of the valid rows, set-based,
through ``gatherings_report_many`` (permission, triage, action log, duties; the same records as
``gathering_report`` row by row, which ``_create`` still does for one row)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crowdsafe.common import imports
from crowdsafe.common.spreadsheets import RowError, SheetRow, ascii_text, cell_text
from crowdsafe.errors import DomainError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.models import Jurisdiction
from events import access, spreadsheets
from events.models import Gathering, GatheringImportJob
from events.services.gatherings import gathering_report, gatherings_report_many
from venues.models import Venue

CHUNK = imports.LOOKUP_CHUNK


def _checker(job: GatheringImportJob, rows: Sequence[SheetRow]) -> spreadsheets.RowChecker:
    """The row checker of one run, given in a few bulk queries the grids and the active venues the file names."""
    codes = sorted({ascii_text(cell_text(values.get("grid_code"))).upper() for _n, values in rows} - {""})
    grids: dict[str, Jurisdiction] = {}
    for i in range(0, len(codes), CHUNK):
        grids.update({j.code: j for j in Jurisdiction.objects.filter(code__in=codes[i : i + CHUNK])})
    grid_ids = sorted(j.pk for j in grids.values())
    venues: dict[tuple[int, str], Venue] = {}
    for i in range(0, len(grid_ids), CHUNK):
        active = (
            Venue.objects.filter(is_active=True, grid_id__in=grid_ids[i : i + CHUNK])
            .select_related("grid", "operator")
            .prefetch_related("special_equipment")
        )
        venues.update({(venue.grid_id, venue.name): venue for venue in active})
    scope = actor_scope(job.created_by)

    def placement_problem(grid: Jurisdiction, venue: Venue | None) -> str | None:
        if access.can_report_at(scope, Gathering(grid=grid, venue=venue)):
            return None
        return _("%(grid)s is outside your territory.") % {"grid": grid.name}

    return spreadsheets.RowChecker(grids=grids, venues=venues, placement_problem=placement_problem)


def _create(job: GatheringImportJob, row: spreadsheets.GatheringRow) -> Gathering:
    gathering, _created = gathering_report(
        actor=job.created_by, log_data={"import_job": job.pk, "row": row.row}, **row.values
    )
    return gathering


def _create_many(
    job: GatheringImportJob,
    rows: Sequence[spreadsheets.GatheringRow],
    skip_refused: bool,
    on_progress: Callable[[int], None],
) -> list[RowError]:
    """The checked rows, set-based (``gatherings_report_many``): the rows the service refuses, as row errors."""
    report = gatherings_report_many(
        actor=job.created_by,
        items=[(row.values, {"import_job": job.pk, "row": row.row}) for row in rows],
        skip_refused=skip_refused,
        on_progress=on_progress,
    )
    return [
        RowError(row=rows[index].row, column=_error_column(exc), message=str(exc.message))
        for index, exc in report.refused
    ]


def _error_column(exc: DomainError) -> str:
    return spreadsheets.HEADER[spreadsheets.FIELD_COLUMN.get(exc.field or "", "title")]


GATHERING_IMPORT: imports.Importer[GatheringImportJob, spreadsheets.GatheringRow] = imports.Importer(
    job_model=GatheringImportJob,
    columns=spreadsheets.COLUMNS,
    checker=_checker,
    create=_create,
    create_many=_create_many,
    error_column=_error_column,
    may_import=lambda user: access.can_report(actor_scope(user)),
    refused=gettext_lazy("You may not import gatherings."),
    task="events.tasks.run_gathering_import",
    default_name="gatherings.xlsx",
    imported=gettext_lazy("%(imported)s gatherings imported."),
    imported_leaving_out=gettext_lazy(
        "%(imported)s gatherings imported; %(invalid)s invalid rows were left out, as chosen."
    ),
    nothing_to_import=gettext_lazy("The spreadsheet has no gathering rows to import."),
)


# The services (what views, the API, tasks and tests call), bound to the list's importer.
gathering_import_start = GATHERING_IMPORT.start
gathering_import_accept_valid_rows = GATHERING_IMPORT.accept_valid_rows
gathering_import_run = GATHERING_IMPORT.run
