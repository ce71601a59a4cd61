"""``manage.py hazardcounts``: verify the hazard list's counters against a recount of the hazards
(``risk.counts``); ``--rebuild`` recounts them, ``--compact`` folds them. Exit status 1 when the verification finds a
difference."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from risk.counts import hazardcounts_compact, hazardcounts_rebuild, hazardcounts_verify


class Command(BaseCommand):
    help = "Verify the hazard list's counters against the hazards; --rebuild recounts them, --compact folds them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recount the counters from the hazards first")
        parser.add_argument("--compact", action="store_true", help="fold the counter rows first")

    def handle(self, *args, rebuild: bool = False, compact: bool = False, **options) -> None:
        if rebuild:
            started = time.perf_counter()
            rows = hazardcounts_rebuild()
            self.stdout.write(f"rebuilt: {rows} counter rows in {time.perf_counter() - started:.1f} s")
        if compact:
            started = time.perf_counter()
            deleted, written = hazardcounts_compact()
            self.stdout.write(f"folded: {deleted} rows into {written} in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        differences = hazardcounts_verify()
        elapsed = time.perf_counter() - started
        if differences:
            for row in differences[:20]:
                self.stderr.write(str(row))
            raise CommandError(f"{len(differences)} counters differ from the hazards ({elapsed:.1f} s)")
        self.stdout.write(f"the counters equal a recount of the hazards ({elapsed:.1f} s)")
