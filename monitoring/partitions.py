"""Day partitions of the raw readings on PostgreSQL (issue 15 point 7): ``monitoring_reading_pYYYYMMDD`` holds
``[day 00:00, next day 00:00)`` in the site's time zone. ``ensure_window`` makes the partitions from the retention
window's first day to a few days ahead and drops those wholly older than the retention; the daily beat task
(``monitoring.tasks.partitions``) and the migration call it. The ingest calls ``ensure_days`` for a day it has not
seen yet (a reading just after midnight before the beat ran), so a batch never fails for want of a partition.
Elsewhere (SQLite) the table is plain and these do nothing but delete old rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection

PREFIX = "monitoring_reading_p"
AHEAD_DAYS = 3
_known: set[dt.date] = set()


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=_tz())
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=_tz())
    return start, end


def retention_days() -> int:
    return int(getattr(settings, "MONITORING_RAW_RETENTION_DAYS", 30))


def ensure_days(days: Iterable[dt.date], *, connection: Any = None) -> list[str]:
    """Create the partitions of ``days`` that do not exist yet; returns the names created."""
    conn = connection or default_connection
    if conn.vendor != "postgresql":
        return []
    created = []
    with conn.cursor() as cursor:
        for day in sorted(set(days) - _known):
            name = f"{PREFIX}{day:%Y%m%d}"
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                start, end = _bounds(day)
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF monitoring_reading FOR VALUES FROM (%s) TO (%s)",
                    [start, end],
                )
                created.append(name)
            _known.add(day)
    return created


def existing(*, connection: Any = None) -> list[str]:
    conn = connection or default_connection
    if conn.vendor != "postgresql":
        return []
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'monitoring_reading' ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def ensure_window(*, today: dt.date | None = None, connection: Any = None) -> dict[str, list[str]]:
    """Partitions from the first day of the retention window to ``AHEAD_DAYS`` ahead; the older ones dropped
    (PostgreSQL), or the older rows deleted (elsewhere). Idempotent."""
    conn = connection or default_connection
    today = today or dt.datetime.now(_tz()).date()
    first = today - dt.timedelta(days=retention_days())
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + AHEAD_DAYS + 1)]
    if conn.vendor != "postgresql":
        from monitoring.models import Reading

        start, _end = _bounds(first)
        deleted, _ = Reading.objects.filter(observed_at__lt=start).delete()
        return {"created": [], "dropped": [f"{deleted} rows"] if deleted else []}
    created = ensure_days(days, connection=conn)
    dropped = []
    limit = f"{PREFIX}{first:%Y%m%d}"
    with conn.cursor() as cursor:
        for name in existing(connection=conn):
            if name.startswith(PREFIX) and name[len(PREFIX) :].isdigit() and name < limit:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
                dropped.append(name)
                _known.discard(dt.datetime.strptime(name[len(PREFIX) :], "%Y%m%d").date())
    return {"created": created, "dropped": dropped}


def forget() -> None:
    """Forget which partitions are known to exist (tests that recreate the database)."""
    _known.clear()
