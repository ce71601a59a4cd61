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
``manage.py taskcounts``, and the nightly beat check when the verification finds a difference). The fold, the
verification and the rebuild are the kernel's (``crowdsafe.common.counters``, shared with the hazard list's counters
``risk.counts``); this module says what the task counters are.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crowdsafe.common import counters
from crowdsafe.common.counters import AREA_LEVELS, AREA_SQL, NO_DAY, counters_kept
from duties.choices import OUTSTANDING_VALUES

__all__ = ["AREA_LEVELS", "AREA_SQL", "NO_DAY", "TASK_COUNTERS", "counters_kept"]

DONE_KEEP_DAYS = 31
# Serialises the folds and the rebuilds (pg_advisory_xact_lock key).
LOCK_KEY = 1_919_001

_OUTSTANDING_SQL = ", ".join(f"'{s}'" for s in OUTSTANDING_VALUES)

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


TASK_COUNTERS = counters.Counters(
    name="duties task counters",
    table="duties_taskcount",
    source="duties_task",
    key_columns=KEY_COLUMNS,
    keys_sql=KEYS_SQL,
    folded_day_sql=FOLDED_DAY_SQL,
    fold_params=_fold_params,
    lock_key=LOCK_KEY,
)


def taskcounts_compact(*, today: dt.date | None = None) -> tuple[int, int]:
    """Fold the counter rows (``crowdsafe.common.counters.Counters.compact``): the deltas of each key into one row,
    the past due days and the old done days into ``NO_DAY``. Returns (rows deleted, rows written)."""
    return TASK_COUNTERS.compact(today=today)


def taskcounts_rebuild(*, today: dt.date | None = None) -> int:
    """Recount every counter row from the tasks (folded); task writes wait meanwhile. Returns the rows."""
    return TASK_COUNTERS.rebuild(today=today)


def taskcounts_verify(*, today: dt.date | None = None) -> list[dict]:
    """The keys where the counters differ from a recount of the tasks, both folded as of ``today``. Empty when
    they agree."""
    return TASK_COUNTERS.verify(today=today)


def taskcounts_check() -> dict:
    """The nightly check: fold, verify, and rebuild when the counters differ from the tasks (logged as an error)."""
    return TASK_COUNTERS.check()


def usable_for(paths: tuple[str, ...] | None, today: dt.date) -> bool:
    """May the overview read the counters for a territory (``paths``, None: everywhere) on ``today``? Not for a
    territory below a township (the counters' area), nor for another day than today (the fold has put the past due
    days together as of the real today)."""
    return counters.usable_for(paths, today, local_today=timezone.localdate())
