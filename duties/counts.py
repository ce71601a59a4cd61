"""The overview's counters (issue 19): how many tasks each holder owes and has done, by township, kept by the
database in the transaction of every change to ``duties_task``, so that a leader's overview sums a few thousand
counter rows instead of grouping every outstanding task of the city.

Why counters and not a summary refreshed by the beat: both read in a few milliseconds, but the summary is as old as
its last refresh (a task completed a minute ago would still be owed on the leader's page, while the list behind the
figure no longer shows it), and each refresh costs the full group-by (about a second at a million tasks). The
counters cost a statement-level trigger per write statement (measured in bench/README.md) and are exact.

The rows (``duties.models.TaskCount``) are signed deltas written by the statement triggers of migration
``duties 0010`` (``INSERT``, ``UPDATE``, ``DELETE``, ``TRUNCATE``; so every path that writes tasks is counted — the
services, ``bulk_create``, ``QuerySet.update``, raw SQL, ``COPY``), one row per key and statement, never updated:
two transactions changing tasks of the same holder never wait on each other. A key is (``area``: the subject's path
cut to city/district/township; the holder: department, township, organisation-held; ``kind``; ``day``):

- ``t``: outstanding (open, in progress, overdue), ``day`` = ``NO_DAY``;
- ``o``: outstanding by due date; the fold puts every day before its today into ``NO_DAY`` (a task due before today
  is overdue on every later day, so the days no longer matter);
- ``D``: done, ``day`` = ``NO_DAY``;
- ``d``: done by the UTC date of ``completed_at``; the fold puts the days more than ``DONE_KEEP_DAYS`` ago into
  ``NO_DAY``.

The overview's figures for a holder, on ``today`` with the done window starting at the moment ``since``:
outstanding = Σt; overdue = Σo with day < today; due soon = Σo with today ≤ day ≤ today + 3; done since ``since`` =
ΣD − Σd with day ≤ the UTC date of ``since`` + the tasks done on that date at or after ``since`` (counted from
``duties_task``: one day, by the index on ``completed_at``). Every part reads a handful of rows per holder and
township, whatever the number of tasks.

``taskcounts_compact`` (the beat, every few minutes) folds the deltas and the past days; ``taskcounts_verify``
recounts from the tasks and lists any difference; ``taskcounts_rebuild`` recounts them from scratch (the command
``manage.py taskcounts``, and the nightly beat check when the verification finds a difference).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.utils import timezone

from duties.choices import OUTSTANDING_VALUES

logger = logging.getLogger(__name__)

NO_DAY = dt.date(1, 1, 1)
# The area of a task: its subject's path cut to this many levels (city / district / township). A leader whose
# territory is deeper (a village) is counted from the tasks.
AREA_LEVELS = 3
DONE_KEEP_DAYS = 31
# Serialises the folds and the rebuilds (pg_advisory_xact_lock key).
LOCK_KEY = 1_919_001

_OUTSTANDING_SQL = ", ".join(f"'{s}'" for s in OUTSTANDING_VALUES)
AREA_SQL = "coalesce(substring({t}.jurisdiction_path from '^(?:[^/]*/){{1,3}}'), {t}.jurisdiction_path)"

# The counter rows of a set of tasks ``t`` carrying a sign ``t.s`` (the triggers' transition tables, or the tasks
# table itself with 1): the same expression as the triggers of migration duties 0010.
KEYS_SQL = f"""
    SELECT {AREA_SQL.format(t="t")} AS area,
           coalesce(t.responsible_department_id, 0) AS department_id,
           coalesce(t.responsible_jurisdiction_id, 0) AS township_id,
           t.responsible_organisation_id IS NOT NULL AS org_held,
           k.kind,
           CASE k.kind WHEN 'o' THEN t.due_date
                       WHEN 'd' THEN (t.completed_at AT TIME ZONE 'UTC')::date
                       ELSE DATE '0001-01-01' END AS day,
           t.s AS n
    FROM ({{source}}) AS t
    JOIN (VALUES ('t'), ('o'), ('D'), ('d')) AS k (kind)
      ON CASE WHEN k.kind IN ('t', 'o') THEN t.status IN ({_OUTSTANDING_SQL}) ELSE t.status = 'done' END
"""

KEY_COLUMNS = "area, department_id, township_id, org_held, kind"

# A counter row's day in the folded form (``%(today)s``: the fold's local date, ``%(kept)s``: the first done day
# kept as a day of its own).
FOLDED_DAY_SQL = """
    CASE WHEN kind = 'o' AND day < %(today)s THEN DATE '0001-01-01'
         WHEN kind = 'd' AND day < %(kept)s THEN DATE '0001-01-01'
         ELSE day END
"""


def _fold_params(today: dt.date | None = None) -> dict:
    utc_today = timezone.now().astimezone(dt.UTC).date()
    return {"today": today or timezone.localdate(), "kept": utc_today - dt.timedelta(days=DONE_KEEP_DAYS)}


def _recount_sql() -> str:
    """The folded counter rows recounted from ``duties_task`` (columns: the key, the folded day, n)."""
    keys = KEYS_SQL.replace("{source}", "SELECT 1 AS s, task.* FROM duties_task AS task")
    return f"""
        SELECT {KEY_COLUMNS}, {FOLDED_DAY_SQL} AS day, sum(n) AS n
        FROM ({keys}) AS x
        GROUP BY {KEY_COLUMNS}, 6
    """


def counters_kept() -> bool:
    """Whether the database keeps the counters: the triggers are PostgreSQL's (migration duties 0010 is
    PostgreSQL-only). On the embedded SQLite database of ``scripts/run`` there are none; the overview groups the tasks
    themselves and the beat's fold and check have nothing to do."""
    return connection.vendor == "postgresql"


def taskcounts_compact(*, today: dt.date | None = None) -> tuple[int, int]:
    """Fold the counter rows: the deltas of each key into one row, the past due days and the old done days into
    ``NO_DAY``, keys summing to zero dropped. Only the keys with something to fold are rewritten (one pass over the
    table to find them). Returns (rows deleted, rows written). Safe while tasks change: the triggers only insert,
    and a row committed after this statement's snapshot is simply left for the next fold."""
    if not counters_kept():
        return 0, 0
    params = _fold_params(today)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(
            f"""
            WITH folded AS (
                SELECT id, {KEY_COLUMNS}, day, {FOLDED_DAY_SQL} AS fday, n FROM duties_taskcount
            ), todo AS (
                SELECT {KEY_COLUMNS}, fday FROM folded
                GROUP BY {KEY_COLUMNS}, fday
                HAVING count(*) > 1 OR sum(n) = 0 OR bool_or(day <> fday)
            ), gone AS (
                DELETE FROM duties_taskcount c
                USING folded f JOIN todo USING ({KEY_COLUMNS}, fday)
                WHERE c.id = f.id
                RETURNING c.area, c.department_id, c.township_id, c.org_held, c.kind, f.fday, c.n
            ), written AS (
                INSERT INTO duties_taskcount ({KEY_COLUMNS}, day, n)
                SELECT {KEY_COLUMNS}, fday, sum(n) FROM gone
                GROUP BY {KEY_COLUMNS}, fday
                HAVING sum(n) <> 0
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM written)
            """,
            params,
        )
        deleted, written = cursor.fetchone()
    return deleted, written


def taskcounts_rebuild(*, today: dt.date | None = None) -> int:
    """Recount every counter row from the tasks (folded). Task writes wait meanwhile (the table is locked in SHARE
    mode: reads go on), so the recount and the rows that replace the old ones are of one state. Returns the rows."""
    if not counters_kept():
        return 0
    params = _fold_params(today)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute("LOCK TABLE duties_task IN SHARE MODE")
        cursor.execute("DELETE FROM duties_taskcount")
        cursor.execute(
            f"INSERT INTO duties_taskcount ({KEY_COLUMNS}, day, n) "
            f"SELECT {KEY_COLUMNS}, day, n FROM ({_recount_sql()}) AS r WHERE n <> 0",
            params,
        )
        return cursor.rowcount


def taskcounts_verify(*, today: dt.date | None = None) -> list[dict]:
    """The keys where the counters differ from a recount of the tasks, both folded as of ``today`` (one statement:
    one snapshot of both tables). Empty when they agree."""
    if not counters_kept():
        return []
    params = _fold_params(today)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH counted AS (
                SELECT {KEY_COLUMNS}, {FOLDED_DAY_SQL} AS day, sum(n) AS n FROM duties_taskcount
                GROUP BY {KEY_COLUMNS}, 6 HAVING sum(n) <> 0
            ), recounted AS (
                SELECT * FROM ({_recount_sql()}) AS r WHERE n <> 0
            )
            SELECT {KEY_COLUMNS}, day, c.n, r.n
            FROM counted c FULL JOIN recounted r USING ({KEY_COLUMNS}, day)
            WHERE c.n IS DISTINCT FROM r.n
            ORDER BY {KEY_COLUMNS}, day
            """,
            params,
        )
        columns = ["area", "department_id", "township_id", "org_held", "kind", "day", "counted", "recounted"]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def taskcounts_check() -> dict:
    """The nightly check: fold, verify, and rebuild when the counters differ from the tasks (logged as an error:
    a write that bypassed the triggers, e.g. with triggers disabled)."""
    deleted, written = taskcounts_compact()
    differences = taskcounts_verify()
    rebuilt = 0
    if differences:
        logger.error(
            "duties task counters differ from the tasks at %d keys, rebuilt: %s", len(differences), differences[:5]
        )
        rebuilt = taskcounts_rebuild()
    return {"folded": deleted, "written": written, "differences": len(differences), "rebuilt": rebuilt}


def usable_for(paths: tuple[str, ...] | None, today: dt.date) -> bool:
    """May the overview read the counters for a territory (``paths``, None: everywhere) on ``today``? Not for a
    territory below a township (the counters' area), nor for another day than today (the fold has put the past due
    days together as of the real today)."""
    if not counters_kept() or today != timezone.localdate():
        return False
    return paths is None or all(path.count("/") <= AREA_LEVELS for path in paths)
