"""The calendar as the deadline computations read it: covered years and their exception days, cached per
process and checked against a version token in Django's cache.

The tables are small (about 35 rows a year) and read by every deadline, so each process keeps the years it has
read in memory. That copy is keyed on a version token held in Django's cache (Redis in production and tests),
which every write to the tables replaces: every process sees an administrator's edit on its next computation,
at the price of one cache read per computation and no database query while nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction

from crowdsafe.workdays.festivals import statutory_holidays

logger = logging.getLogger(__name__)

VERSION_KEY_PREFIX = "crowdsafe:workdays:calendar-version"
# A process that is asked about many far-apart years keeps only this many; a normal one touches a handful.
MAX_CACHED_YEARS = 200


@dataclass(frozen=True)
class YearData:
    """One year as the computations see it. ``days`` maps a date to (kind, name); it is empty when the year is
    not covered, because an uncovered year is computed on weekends plus ``provisional``, whatever rows it may
    hold. ``provisional`` maps the statutory holidays of the national holiday rules to their names
    (``crowdsafe.workdays.festivals``); it is empty for a covered year."""

    year: int
    covered: bool
    days: Mapping[dt.date, tuple[str, str]] = field(default_factory=dict)
    provisional: Mapping[dt.date, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Snapshot:
    version: str | None
    years: Mapping[int, YearData]


_snapshot = _Snapshot(version=None, years={})
_snapshot_lock = threading.Lock()


def version_key() -> str:
    """The cache key of the version token. It names the database, because the token versions that database's
    rows: two sites (or two test runs) sharing one Redis but not one database must not invalidate each other."""
    name = str(connection.settings_dict.get("NAME") or "")
    return f"{VERSION_KEY_PREFIX}:{hashlib.sha256(name.encode()).hexdigest()[:16]}"


def _read_version() -> str | None:
    key = version_key()
    try:
        version = cache.get(key)
        if version is None:
            # First use, or the key was evicted: any fresh token will do, as long as every process agrees on
            # it (add() sets it only if no other process got there first).
            cache.add(key, uuid.uuid4().hex, timeout=None)
            version = cache.get(key)
        return version
    except Exception:  # the cache server being down must not stop deadlines: the database is the truth
        logger.warning("calendar cache version unreadable; reading the calendar from the database", exc_info=True)
        return None


def _new_version() -> None:
    try:
        cache.set(version_key(), uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("calendar cache version not bumped", exc_info=True)


def calendar_cache_clear() -> None:
    """Forget this process's copy (the next computation reads the tables again)."""
    global _snapshot
    with _snapshot_lock:
        _snapshot = _Snapshot(version=None, years={})


def _after_commit() -> None:
    calendar_cache_clear()
    _new_version()


def _writes_pending() -> bool:
    """Whether the current transaction has written to the calendar tables and not committed yet.

    Data read inside such a transaction may never be committed, so it must not be kept. Django drops pending
    on-commit callbacks when a transaction (or the savepoint they were registered in) rolls back, so our own
    callback still being queued is exactly "this transaction wrote and has not finished".
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    return any(entry[1] is _after_commit for entry in getattr(connection, "run_on_commit", ()))


def calendar_changed() -> None:
    """Record that the calendar tables changed. The model signals call it for single-row saves and deletes;
    bulk writes (the library sync) call it themselves.

    The version is replaced twice: now, so that this process and any reader of the not-yet-committed data
    start afresh, and again after the commit, because another process may have read the old rows between
    the first bump and the commit and kept them under the new version.
    """
    pending = _writes_pending()
    calendar_cache_clear()
    _new_version()
    if not pending:
        transaction.on_commit(_after_commit)


def _load(first_year: int, last_year: int) -> dict[int, YearData]:
    """Read the years ``first_year``..``last_year``: one query for the covered years and, when any is covered,
    one for their exception days."""
    from crowdsafe.workdays.models import CalendarDay, CalendarYear

    covered = set(CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year).values_list("year", flat=True))
    days: dict[int, dict[dt.date, tuple[str, str]]] = {year: {} for year in covered}
    if covered:
        rows = CalendarDay.objects.filter(
            date__gte=dt.date(min(covered), 1, 1), date__lte=dt.date(max(covered), 12, 31)
        ).values_list("date", "kind", "name")
        for date, kind, name in rows:
            if date.year in days:
                days[date.year][date] = (kind, name)
    return {
        year: YearData(
            year=year,
            covered=year in covered,
            days=days.get(year, {}),
            provisional={} if year in covered else statutory_holidays(year),
        )
        for year in range(first_year, last_year + 1)
    }


def years_data(years: Iterable[int]) -> dict[int, YearData]:
    """The given years, from this process's copy when it is current, else from the database (at most two
    queries, whatever the number of years)."""
    global _snapshot
    wanted = sorted(set(years))
    if not wanted:
        return {}
    version = _read_version()
    snapshot = _snapshot
    if version is None or snapshot.version != version:
        snapshot = _Snapshot(version=version, years={})
    missing = [year for year in wanted if year not in snapshot.years]
    if not missing:
        return {year: snapshot.years[year] for year in wanted}
    loaded = _load(missing[0], missing[-1])
    merged = {**snapshot.years, **loaded}
    if version is not None and not _writes_pending():
        with _snapshot_lock:
            _snapshot = _Snapshot(version=version, years=merged if len(merged) <= MAX_CACHED_YEARS else loaded)
    return {year: merged[year] for year in wanted}
