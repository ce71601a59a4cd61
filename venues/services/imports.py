"""Importing a venue list from a spreadsheet: what is the venue list's own, on the kernel's import runner
(``crowdsafe.common.imports``: the job, its run, its pages). The list's columns and row checks are in
``venues.spreadsheets``; here are the bulk lookups a run needs and the creation of one valid row through
``venue_create`` (permission check, action log, hooks)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy

from crowdsafe.common import imports
from crowdsafe.common.spreadsheets import SheetRow, ascii_text, cell_text
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Jurisdiction, Organisation
from venues import spreadsheets
from venues.models import ImportJob, Venue
from venues.services.access import can_create_venues, placement_problem
from venues.services.venues import venue_create

CHUNK = imports.LOOKUP_CHUNK

# Which spreadsheet column a venue field's error belongs to (an error raised by the service at import time).
FIELD_COLUMN = {
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


def _codes(rows: Sequence[SheetRow], key: str) -> list[str]:
    return sorted({ascii_text(cell_text(values.get(key))).upper() for _n, values in rows} - {""})


def _checker(job: ImportJob, rows: Sequence[SheetRow]) -> spreadsheets.RowChecker:
    """The row checker of one run, given in a few bulk queries the grids, organisations and existing venue names
    the file mentions."""
    codes, credit_codes = _codes(rows, "grid_code"), _codes(rows, "operator_credit_code")
    grids: dict[str, Jurisdiction] = {}
    for i in range(0, len(codes), CHUNK):
        grids.update({j.code: j for j in Jurisdiction.objects.filter(code__in=codes[i : i + CHUNK])})
    organisations: dict[str, Organisation] = {}
    for i in range(0, len(credit_codes), CHUNK):
        chunk = credit_codes[i : i + CHUNK]
        organisations.update({o.credit_code: o for o in Organisation.objects.filter(credit_code__in=chunk)})
    grid_ids = sorted(j.pk for j in grids.values())
    existing: set[tuple[int, str]] = set()
    for i in range(0, len(grid_ids), CHUNK):
        active = Venue.objects.filter(is_active=True, grid_id__in=grid_ids[i : i + CHUNK])
        existing.update(active.values_list("grid_id", "name"))
    actor = job.created_by
    return spreadsheets.RowChecker(
        grids=grids,
        organisations=organisations,
        existing_names=existing,
        placement_problem=lambda grid, operator: placement_problem(actor=actor, grid=grid, operator=operator),
    )


def _create(job: ImportJob, row: spreadsheets.VenueRow) -> Venue:
    return venue_create(actor=job.created_by, **row.venue_kwargs(), log_data={"import_job": job.pk, "row": row.row})


def _error_column(exc: DomainError) -> str:
    return spreadsheets.HEADER[FIELD_COLUMN.get(exc.field or "", "name")]


VENUE_IMPORT: imports.Importer[ImportJob, spreadsheets.VenueRow] = imports.Importer(
    job_model=ImportJob,
    columns=spreadsheets.COLUMNS,
    checker=_checker,
    create=_create,
    error_column=_error_column,
    may_import=lambda user: can_create_venues(get_scope(user)),
    refused=gettext_lazy("You may not import venues."),
    task="venues.tasks.run_venue_import",
    default_name="venues.xlsx",
    imported=gettext_lazy("%(imported)s venues imported."),
    imported_leaving_out=gettext_lazy(
        "%(imported)s venues imported; %(invalid)s invalid rows were left out, as chosen."
    ),
    nothing_to_import=gettext_lazy("The spreadsheet has no venue rows to import."),
)


# The services (what views, the API, tasks and tests call), bound to the list's importer.
venue_import_start = VENUE_IMPORT.start
venue_import_accept_valid_rows = VENUE_IMPORT.accept_valid_rows
venue_import_run = VENUE_IMPORT.run
