"""Counters kept by the database (issue 19): the machinery shared by every set of them — the task overview's
(``duties.counts``) and the hazard list's (``risk.counts``).

A set of counters is a table of signed delta rows (a key, a ``day``, ``n``) written by statement-level triggers
with transition tables on the counted table (``INSERT``, ``UPDATE``, ``DELETE``, ``TRUNCATE``), in the transaction
of the change: every path that writes the counted rows is counted (the services, ``bulk_create``,
``QuerySet.update``, raw SQL, ``COPY``), one row per key and statement, never updated, so two writers never wait on
each other. Why counters and not a summary refreshed by the beat: both read in a few milliseconds, but a summary is
as old as its last refresh, and each refresh costs the full group-by; counters cost a trigger per write statement
and are exact. The triggers live in each app's migration (frozen SQL, kept equal to the set's ``keys_sql`` by the
app's tests); what is shared is here:

- the key of a place: ``AREA_SQL``, the path cut to city / district / township (``AREA_LEVELS``); a territory
  deeper than a township is counted from the rows themselves (``usable_for``);
- ``Counters.compact`` (the beat, every few minutes): the deltas of each key folded into one row, the days the set
  no longer tells apart folded into ``NO_DAY`` (its ``folded_day_sql``), keys summing to zero dropped;
- ``Counters.verify``: the keys where the counters differ from a recount of the counted table (one statement, one
  snapshot); ``Counters.rebuild``: a recount from scratch; ``Counters.check``: the nightly fold, verification and
  rebuild when they differ (logged as an error: a write that bypassed the triggers).

On a database without the triggers (the embedded SQLite of ``scripts/run``: the migrations' triggers are
PostgreSQL-only) there are no counters: ``counters_kept`` is False, the readers count the rows themselves and the
fold and the check have nothing to do.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

logger = logging.getLogger(__name__)

NO_DAY = dt.date(1, 1, 1)
# The area of a counted row: its path cut to this many levels (city / district / township). A territory deeper
# than that (a village) is counted from the rows.
AREA_LEVELS = 3
AREA_SQL = "coalesce(substring({t}.jurisdiction_path from '^(?:[^/]*/){{1,3}}'), {t}.jurisdiction_path)"


def counters_kept() -> bool:
    """Whether the database keeps counters: the triggers are PostgreSQL's (PostgreSQL-only migrations)."""
    return connection.vendor == "postgresql"


def usable_for(paths: tuple[str, ...] | None, today: dt.date, *, local_today: dt.date) -> bool:
    """May a reader use the counters for a territory (``paths``, None: everywhere) on ``today``? Not for a
    territory below a township (the counters' area), nor for another day than the real one (``local_today``: the
    fold has put the past days together as of it)."""
    if not counters_kept() or today != local_today:
        return False
    return paths is None or all(path.count("/") <= AREA_LEVELS for path in paths)


@dataclass(frozen=True)
class Counters:
    """One set of counters: ``table`` counts ``source``; ``key_columns`` (comma-separated, without ``day``) and
    ``day`` make a key; ``keys_sql`` gives the counter rows (the key columns, ``day``, ``n``) of a set of counted
    rows ``{source}`` carrying a sign ``s`` (the same expression as the triggers); ``folded_day_sql`` is a row's
    day in the folded form, with the parameters ``fold_params(today)``; ``lock_key`` serialises the folds and
    rebuilds of this set (``pg_advisory_xact_lock``)."""

    name: str
    table: str
    source: str
    key_columns: str
    keys_sql: str
    folded_day_sql: str
    fold_params: Callable[[dt.date | None], dict]
    lock_key: int

    @property
    def _keys(self) -> list[str]:
        return [column.strip() for column in self.key_columns.split(",")]

    def recount_sql(self) -> str:
        """The folded counter rows recounted from the counted table (columns: the key, the folded day, n)."""
        keys = self.keys_sql.replace("{source}", f"SELECT 1 AS s, counted.* FROM {self.source} AS counted")
        return f"""
            SELECT {self.key_columns}, {self.folded_day_sql} AS day, sum(n) AS n
            FROM ({keys}) AS x
            GROUP BY {self.key_columns}, {len(self._keys) + 1}
        """

    def compact(self, *, today: dt.date | None = None) -> tuple[int, int]:
        """Fold the counter rows: the deltas of each key into one row, the days the set no longer tells apart into
        ``NO_DAY``, keys summing to zero dropped. Only the keys with something to fold are rewritten (one pass over
        the table to find them). Returns (rows deleted, rows written). Safe while the counted rows change: the
        triggers only insert, and a row committed after this statement's snapshot is left for the next fold."""
        if not counters_kept():
            return 0, 0
        columns = self.key_columns
        returned = ", ".join(f"c.{column}" for column in self._keys)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.lock_key])
            cursor.execute(
                f"""
                WITH folded AS (
                    SELECT id, {columns}, day, {self.folded_day_sql} AS fday, n FROM {self.table}
                ), to_fold AS (
                    SELECT {columns}, fday FROM folded
                    GROUP BY {columns}, fday
                    HAVING count(*) > 1 OR sum(n) = 0 OR bool_or(day <> fday)
                ), gone AS (
                    DELETE FROM {self.table} c
                    USING folded f JOIN to_fold USING ({columns}, fday)
                    WHERE c.id = f.id
                    RETURNING {returned}, f.fday, c.n
                ), written AS (
                    INSERT INTO {self.table} ({columns}, day, n)
                    SELECT {columns}, fday, sum(n) FROM gone
                    GROUP BY {columns}, fday
                    HAVING sum(n) <> 0
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM written)
                """,
                self.fold_params(today),
            )
            deleted, written = cursor.fetchone()
        return deleted, written

    def rebuild(self, *, today: dt.date | None = None) -> int:
        """Recount every counter row from the counted table (folded). Writes to it wait meanwhile (locked in SHARE
        mode: reads go on), so the recount and the rows that replace the old ones are of one state. Returns the
        rows written."""
        if not counters_kept():
            return 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.lock_key])
            cursor.execute(f"LOCK TABLE {self.source} IN SHARE MODE")
            cursor.execute(f"DELETE FROM {self.table}")
            cursor.execute(
                f"INSERT INTO {self.table} ({self.key_columns}, day, n) "
                f"SELECT {self.key_columns}, day, n FROM ({self.recount_sql()}) AS r WHERE n <> 0",
                self.fold_params(today),
            )
            return cursor.rowcount

    def verify(self, *, today: dt.date | None = None) -> list[dict]:
        """The keys where the counters differ from a recount of the counted table, both folded as of ``today``
        (one statement: one snapshot of both tables). Empty when they agree."""
        if not counters_kept():
            return []
        columns = self.key_columns
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH counted AS (
                    SELECT {columns}, {self.folded_day_sql} AS day, sum(n) AS n FROM {self.table}
                    GROUP BY {columns}, {len(self._keys) + 1} HAVING sum(n) <> 0
                ), recounted AS (
                    SELECT * FROM ({self.recount_sql()}) AS r WHERE n <> 0
                )
                SELECT {columns}, day, c.n, r.n
                FROM counted c FULL JOIN recounted r USING ({columns}, day)
                WHERE c.n IS DISTINCT FROM r.n
                ORDER BY {columns}, day
                """,
                self.fold_params(today),
            )
            names = [*self._keys, "day", "counted", "recounted"]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def check(self) -> dict:
        """The nightly check: fold, verify, and rebuild when the counters differ from the counted rows (logged as
        an error: a write that bypassed the triggers, e.g. with triggers disabled)."""
        deleted, written = self.compact()
        differences = self.verify()
        rebuilt = 0
        if differences:
            logger.error(
                "%s differ from a recount at %d keys, rebuilt: %s", self.name, len(differences), differences[:5]
            )
            rebuilt = self.rebuild()
        return {"folded": deleted, "written": written, "differences": len(differences), "rebuilt": rebuilt}


class CountersCommand(BaseCommand):
    """``manage.py <name>counts``: verify a set of counters against a recount of the rows they count; ``--rebuild``
    recounts them first, ``--compact`` folds them first. Exit status 1 (the first differences on stderr) when the
    verification finds a difference. A subclass names its ``counters`` and what they count (``counted``)."""

    counters: Counters
    counted: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help=f"recount the counters from the {self.counted} first"
        )
        parser.add_argument("--compact", action="store_true", help="fold the counter rows first")

    def handle(self, *args: Any, rebuild: bool = False, compact: bool = False, **options: Any) -> None:
        if rebuild:
            started = time.perf_counter()
            rows = self.counters.rebuild()
            self.stdout.write(f"rebuilt: {rows} counter rows in {time.perf_counter() - started:.1f} s")
        if compact:
            started = time.perf_counter()
            deleted, written = self.counters.compact()
            self.stdout.write(f"folded: {deleted} rows into {written} in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        differences = self.counters.verify()
        elapsed = time.perf_counter() - started
        if differences:
            for row in differences[:20]:
                self.stderr.write(str(row))
            raise CommandError(f"{len(differences)} counters differ from the {self.counted} ({elapsed:.1f} s)")
        self.stdout.write(f"the counters equal a recount of the {self.counted} ({elapsed:.1f} s)")
