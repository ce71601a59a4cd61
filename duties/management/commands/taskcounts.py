"""``manage.py taskcounts``: verify the overview's counters against a recount of the tasks (``duties.counts``);
``--rebuild`` recounts them, ``--compact`` folds them. Exit status 1 when the verification finds a difference."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from duties.counts import taskcounts_compact, taskcounts_rebuild, taskcounts_verify


class Command(BaseCommand):
    help = "Verify the overview's task counters against the tasks; --rebuild recounts them, --compact folds them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recount the counters from the tasks first")
        parser.add_argument("--compact", action="store_true", help="fold the counter rows first")

    def handle(self, *args, rebuild: bool = False, compact: bool = False, **options) -> None:
        if rebuild:
            started = time.perf_counter()
            rows = taskcounts_rebuild()
            self.stdout.write(f"rebuilt: {rows} counter rows in {time.perf_counter() - started:.1f} s")
        if compact:
            started = time.perf_counter()
            deleted, written = taskcounts_compact()
            self.stdout.write(f"folded: {deleted} rows into {written} in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        differences = taskcounts_verify()
        elapsed = time.perf_counter() - started
        if differences:
            for row in differences[:20]:
                self.stderr.write(str(row))
            raise CommandError(f"{len(differences)} counters differ from the tasks ({elapsed:.1f} s)")
        self.stdout.write(f"the counters equal a recount of the tasks ({elapsed:.1f} s)")
