"""The hazard list's counters (issue 19): how many hazards are open, major, overdue and awaiting verification, by
township, kept by the database in the transaction of every change to ``risk_hazard``, so that a leader's hazard
list (and the home page's hazard panel) sums a few hundred counter rows instead of reading every open hazard of
the city (250,000 at a million hazards).

The design is the task counters' (``duties.counts``; the machinery, and why counters and not a summary refreshed
by the beat, in ``crowdsafe.common.counters``): signed delta rows (``risk.models.HazardCount``) written by the
statement triggers of migration ``risk 0007`` (``INSERT``, ``UPDATE``, ``DELETE``, ``TRUNCATE``; every path that
writes hazards is counted), one row per key and statement, never updated. A key is (``area``: the hazard's path
cut to city/district/township; ``kind``; ``level``; ``state``; ``day``), for open hazards only
(``risk.choices.OPEN_HAZARD_STATES``):

- ``t``: open, by level and state, ``day`` = ``NO_DAY``;
- ``o``: open by rectification deadline (level and state empty); the fold puts every day before its today into
  ``NO_DAY`` (a hazard due before today is overdue on every later day).

The figures of a territory on ``today``: open = Σt; major = Σt with level major; awaiting verification = Σt with
that state; overdue = Σo with day < today (the folded row and the days since the last fold: a handful per area).

``hazardcounts_compact`` (the beat, every few minutes) folds the deltas and the past days; ``hazardcounts_verify``
recounts from the hazards and lists any difference; ``hazardcounts_rebuild`` recounts them from scratch (the
command ``manage.py hazardcounts``, and the nightly beat check when the verification finds a difference).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from crowdsafe.common import counters
from crowdsafe.common.counters import AREA_SQL, NO_DAY
from crowdsafe.common.statements import Statement
from crowdsafe.db.routers import read_alias, replica_reads
from crowdsafe.org.access import get_scope, minimal_prefixes, path_q
from risk.choices import OPEN_HAZARD_STATES, HazardLevel, HazardState
from risk.models import HazardCount

# Serialises the folds and the rebuilds (pg_advisory_xact_lock key; the task counters' is 1_919_001).
LOCK_KEY = 1_919_002

_OPEN_SQL = ", ".join(f"'{s}'" for s in sorted(s.value for s in OPEN_HAZARD_STATES))

# The counter rows of a set of hazards ``h`` carrying a sign ``h.s`` (the triggers' transition tables, or the
# hazards table itself with 1): the same expression as the triggers of migration risk 0007.
KEYS_SQL = f"""
    SELECT {AREA_SQL.format(t="h")} AS area,
           k.kind,
           CASE k.kind WHEN 't' THEN h.level ELSE '' END AS level,
           CASE k.kind WHEN 't' THEN h.state ELSE '' END AS state,
           CASE k.kind WHEN 'o' THEN h.rectification_deadline ELSE DATE '0001-01-01' END AS day,
           h.s AS n
    FROM ({{source}}) AS h
    CROSS JOIN (VALUES ('t'), ('o')) AS k (kind)
    WHERE h.state IN ({_OPEN_SQL})
"""

KEY_COLUMNS = "area, kind, level, state"

# A counter row's day in the folded form (``%(today)s``: the fold's local date).
FOLDED_DAY_SQL = """
    CASE WHEN kind = 'o' AND day < %(today)s THEN DATE '0001-01-01' ELSE day END
"""


def _fold_params(today: dt.date | None = None) -> dict:
    return {"today": today or timezone.localdate()}


HAZARD_COUNTERS = counters.Counters(
    name="risk hazard counters",
    table="risk_hazardcount",
    source="risk_hazard",
    key_columns=KEY_COLUMNS,
    keys_sql=KEYS_SQL,
    folded_day_sql=FOLDED_DAY_SQL,
    fold_params=_fold_params,
    lock_key=LOCK_KEY,
)


def hazardcounts_compact(*, today: dt.date | None = None) -> tuple[int, int]:
    """Fold the counter rows: the deltas of each key into one row, the past deadline days into ``NO_DAY``.
    Returns (rows deleted, rows written)."""
    return HAZARD_COUNTERS.compact(today=today)


def hazardcounts_rebuild(*, today: dt.date | None = None) -> int:
    """Recount every counter row from the hazards (folded); hazard writes wait meanwhile. Returns the rows."""
    return HAZARD_COUNTERS.rebuild(today=today)


def hazardcounts_verify(*, today: dt.date | None = None) -> list[dict]:
    """The keys where the counters differ from a recount of the hazards, both folded as of ``today``. Empty when
    they agree."""
    return HAZARD_COUNTERS.verify(today=today)


def hazardcounts_check() -> dict:
    """The nightly check: fold, verify, and rebuild when the counters differ from the hazards (logged as an
    error)."""
    return HAZARD_COUNTERS.check()


def territory_of(user, today: dt.date) -> tuple[bool, tuple[str, ...] | None]:
    """Whether the counters answer ``hazard_counts`` for ``user`` on ``today`` exactly, and for which territory
    (its subtrees; None: everywhere, a superuser). Not when the user sees hazards by more than a territory (the
    supervising or finding department's, the responsible unit's, a department's grants:
    ``risk.access.hazard_visible_q``), sees none by territory, their territory lies below a township (the
    counters' area), on another day than today, or without counters (SQLite): then the hazards are counted."""
    scope = get_scope(user)
    if scope.is_superuser:
        paths = None
    elif scope.organisation_ids or scope.department_ids or scope.department_group_ids or not scope.territory_paths:
        return False, ()
    else:
        paths = scope.territory_paths
    return counters.usable_for(paths, today, local_today=timezone.localdate()), paths


def figures(paths: tuple[str, ...] | None, *, today: dt.date) -> dict[str, int]:
    """``hazard_counts``' figures of a territory (``paths``, None: everywhere) from the counters, in one statement:
    the open totals (kind t) and the open deadlines before today (kind o), two ranges of the counters' index.
    From the read replica when there is one, as the query it replaces. On every hazard list: compiled once
    (``crowdsafe.common.statements``: ~1 ms of the page, issue 19)."""
    if paths is None:
        rows = _FIGURES_EVERYWHERE.rows(today=today)
    else:
        rows = _FIGURES_IN.rows(today=today, paths=tuple(minimal_prefixes(paths)))
    values = rows[0] if rows else (0, 0, 0, 0)
    return {name: int(value) for name, value in zip(FIGURES, values, strict=True)}


FIGURES = ("open", "major", "overdue", "awaiting")


def _figures_of(rows: Q) -> QuerySet:
    """The four figures of the counter rows ``rows``: one row of sums (no GROUP BY: every row in one group)."""

    def total(condition: Q):
        return Coalesce(Sum("n", filter=condition), 0)

    return (
        replica_reads(HazardCount.objects.filter(rows))
        .order_by()
        .annotate(everything=Value(1, output_field=IntegerField()))
        .values("everything")
        .annotate(
            open=total(Q(kind="t")),
            major=total(Q(kind="t", level=HazardLevel.MAJOR)),
            overdue=total(Q(kind="o")),
            awaiting=total(Q(kind="t", state=HazardState.AWAITING_VERIFICATION)),
        )
        .values_list(*FIGURES)
    )


def _open_rows(today: dt.date) -> Q:
    return Q(kind="t", day=NO_DAY) | Q(kind="o", day__lt=today)


_FIGURES_EVERYWHERE = Statement(lambda today: _figures_of(_open_rows(today)), using=read_alias, today=dt.date)
_FIGURES_IN = Statement(
    lambda today, paths: _figures_of(_open_rows(today) & path_q(paths, field="area")),
    using=read_alias,
    today=dt.date,
    paths=(str,),
)
