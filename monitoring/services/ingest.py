"""The one ingest path (issue 15 point 3): a batch of readings from one source, checked row by row, stored
set-based and idempotently, rolled up by minute, and each touched zone evaluated once per batch.

1. check every row against the source's scoped zones (prefetched once): bad rows get their reason (the common row
   on a fast path; each distinct time text parsed once);
then, part by part of the batch's zones in id order (``MONITORING_INGEST_CHUNK_ZONES``), each part in a transaction
of its own — so the states of one part are locked only while that part is evaluated, and the batches of gateways
that share zones proceed side by side instead of one waiting for the other's whole batch; every stored reading is
evaluated in the transaction that stored it, and should a part fail, the gateway's resend stores only the rest:
2. one ``INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING`` (PostgreSQL: one array per column, no parameter per
   row), answering the rows it skipped: a resent row stores nothing and is answered as a duplicate;
3. lock the state rows of the zones with new rows in id order — two batches for one zone serialise here (the gate
   balance and the episode are read-modify-write), two batches for different zones do not wait for each other;
4. each zone's level, forecast and episodes, once; 5. one rollup upsert of the part's (zone, minute) rows.
Last, the source's last-seen time, its suspect flag and its 监测中断 episode, in one short transaction.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from monitoring import levels, partitions
from monitoring.choices import SourceKind
from monitoring.models import Reading, Rollup, Source
from monitoring.services.evaluation import ZoneFigures, states_lock

MAX_DENSITY = 10.0  # p/m²: physically impossible above this (issue 15 point 3)
FUTURE_SLACK = dt.timedelta(minutes=2)
SUSPECT_STREAK = 3


@dataclass
class IngestResult:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    zones: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": len(self.accepted),
            "duplicates": sum(1 for a in self.accepted if a["duplicate"]),
            "rejected": self.rejected,
            "rows": self.accepted,
        }


@dataclass(slots=True)
class Row:
    index: int
    zone_id: int
    observed_at: dt.datetime
    count: int | None = None
    entered: int | None = None
    exited: int | None = None
    density: float | None = None
    people: int | None = None
    # observed_at in ISO 8601 as answered (shared by the batch's rows of one moment).
    iso: str = ""


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float) and not value.is_integer():
        raise ValueError
    return int(value)


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())  # type: ignore[assignment]
        except ValueError:
            return None
        if moment is None:
            return None
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _check(
    index: int, raw: Any, *, zones: dict[int, ZoneFigures], now: dt.datetime, oldest: dt.datetime
) -> tuple[Row | None, str, str]:
    """(row, code, reason): a row, or why it is refused."""
    if not isinstance(raw, dict):
        return None, "malformed", _("Each reading must be an object.")
    try:
        zone_id = _int(raw.get("zone"))
    except (TypeError, ValueError):
        zone_id = None
    if zone_id is None or zone_id not in zones:
        return None, "zone", _("Unknown zone, or a zone this source may not write to.")
    observed_at = _moment(raw.get("observed_at"))
    if observed_at is None:
        return None, "observed_at", _("Give observed_at as an ISO 8601 date and time.")
    if observed_at > now + FUTURE_SLACK:
        return None, "future", _("The time is more than 2 minutes in the future.")
    if observed_at < oldest:
        return None, "too_old", _("The time is older than the raw readings are kept.")
    try:
        count, entered, exited = _int(raw.get("count")), _int(raw.get("entered")), _int(raw.get("exited"))
        density_raw = raw.get("density")
        density = None if density_raw in (None, "") else float(density_raw)
    except (TypeError, ValueError):
        return None, "malformed", _("Counts must be whole numbers and the density a number.")
    given = [count is not None, entered is not None or exited is not None, density is not None]
    if sum(given) != 1:
        return None, "malformed", _("Give exactly one of count, entered and exited, or density.")
    if (entered is None) != (exited is None):
        return None, "malformed", _("Give entered and exited together.")
    if any(v is not None and v < 0 for v in (count, entered, exited, density)):
        return None, "negative", _("Counts cannot be negative.")
    if density is not None and (math.isnan(density) or math.isinf(density)):
        return None, "malformed", _("Counts must be whole numbers and the density a number.")
    area = zones[zone_id].area_m2
    if density is not None and density > MAX_DENSITY:
        return None, "impossible", _("A density above 10 persons per m² is physically impossible.")
    if count is not None and count / area > MAX_DENSITY:
        return None, "impossible", _("This count would be more than 10 persons per m² in the zone: impossible.")
    row = Row(
        index=index,
        zone_id=zone_id,
        observed_at=observed_at,
        count=count,
        entered=entered,
        exited=exited,
        density=density,
    )
    row.people = count if count is not None else (round(density * area) if density is not None else None)
    return row, "", ""


def _check_batch(
    rows: list[Any], *, zones: dict[int, ZoneFigures], now: dt.datetime, oldest: dt.datetime
) -> tuple[list[Row], list[Row], list[dict[str, Any]], int]:
    """(good rows, rows repeating a key earlier in the batch, rejections, implausible rows): ``_check`` on each row,
    with a fast path for the common row — ``{"zone": int, "observed_at": str, "count": int}`` of a scoped zone —
    which only accepts what ``_check`` accepts, with the same values. A batch's rows share a few moments: each
    distinct ``observed_at`` text is parsed and checked once."""
    good: list[Row] = []
    duplicates: list[Row] = []
    rejected: list[dict[str, Any]] = []
    implausible = 0
    seen: set[tuple[int, dt.datetime]] = set()
    # observed_at text -> (moment, iso) when the moment passes the checks, else None.
    moments: dict[str, tuple[dt.datetime, str] | None] = {}
    future = now + FUTURE_SLACK
    areas = {pk: z.area_m2 for pk, z in zones.items()}
    for index, raw in enumerate(rows):
        row = None
        if type(raw) is dict:
            zone_id, count, text = raw.get("zone"), raw.get("count"), raw.get("observed_at")
            if (
                type(zone_id) is int
                and type(count) is int
                and type(text) is str
                and count >= 0
                and zone_id in areas
                and count / areas[zone_id] <= MAX_DENSITY
                and raw.get("entered") is None
                and raw.get("exited") is None
                and raw.get("density") is None
            ):
                if text in moments:
                    moment = moments[text]
                else:
                    at = _moment(text)
                    moment = moments[text] = (at, at.isoformat()) if at is not None and oldest <= at <= future else None
                if moment is not None:
                    row = Row(index, zone_id, moment[0], count, None, None, None, count, moment[1])
        if row is None:
            row, code, reason = _check(index, raw, zones=zones, now=now, oldest=oldest)
            if row is None:
                rejected.append({"index": index, "code": code, "reason": reason})
                implausible += code in ("negative", "impossible")
                continue
            row.iso = row.observed_at.isoformat()
        key = (row.zone_id, row.observed_at)
        if key in seen:
            duplicates.append(row)
            continue
        seen.add(key)
        good.append(row)
    return good, duplicates, rejected, implausible


def _array(values: Any) -> str:
    """A PostgreSQL array literal of numbers, ISO times or NULLs (none of them needs quoting)."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def _insert(source: Source, rows: list[Row], now: dt.datetime) -> set[tuple[int, dt.datetime]]:
    """Store the rows; returns the (zone, observed_at) keys actually inserted (the others were there already)."""
    if not rows:
        return set()
    if connection.vendor == "postgresql":
        partitions.ensure_days({timezone.localtime(at).date() for at in {r.observed_at for r in rows}})
        # One statement, the rows as one array per column (no per-row parameters to adapt): the insert skips the
        # keys already stored, and the statement answers the batch indexes of those skipped (usually none).
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH v AS (SELECT * FROM unnest(%s::int[], %s::timestamptz[], %s::int[], %s::int[], %s::int[], "
                "%s::float8[], %s::int[], %s::int[]) AS v(zone_id, observed_at, count, entered, exited, density, "
                "people, idx)), "
                "ins AS (INSERT INTO monitoring_reading (source_id, zone_id, observed_at, received_at, count, entered, "
                "exited, density, people) SELECT %s, zone_id, observed_at, %s, count, entered, exited, density, people "
                "FROM v ON CONFLICT (source_id, zone_id, observed_at) DO NOTHING RETURNING zone_id, observed_at) "
                "SELECT v.idx FROM v LEFT JOIN ins ON ins.zone_id = v.zone_id AND ins.observed_at = v.observed_at "
                "WHERE ins.zone_id IS NULL",
                [
                    _array(r.zone_id for r in rows),
                    _array(r.iso or r.observed_at.isoformat() for r in rows),
                    _array(r.count for r in rows),
                    _array(r.entered for r in rows),
                    _array(r.exited for r in rows),
                    _array(None if r.density is None else repr(r.density) for r in rows),
                    _array(r.people for r in rows),
                    _array(range(len(rows))),
                    source.pk,
                    now,
                ],
            )
            skipped = {i for (i,) in cursor.fetchall()}
        return {(r.zone_id, r.observed_at) for i, r in enumerate(rows) if i not in skipped}
    existing = set(
        Reading.objects.filter(
            source=source, zone_id__in={r.zone_id for r in rows}, observed_at__in={r.observed_at for r in rows}
        ).values_list("zone_id", "observed_at")
    )
    new = [r for r in rows if (r.zone_id, r.observed_at) not in existing]
    Reading.objects.bulk_create(
        [
            Reading(
                source=source,
                zone_id=r.zone_id,
                observed_at=r.observed_at,
                received_at=now,
                count=r.count,
                entered=r.entered,
                exited=r.exited,
                density=r.density,
                people=r.people,
            )
            for r in new
        ],
        ignore_conflicts=True,
    )
    return {(r.zone_id, r.observed_at) for r in new}


def _rollup(points: list[tuple[int, dt.datetime, int]]) -> None:
    """Add (zone, observed_at, people) to the one-minute rollups: one upsert for the batch."""
    if not points:
        return
    agg: dict[tuple[int, dt.datetime], list[Any]] = {}
    for zone_id, at, people in points:
        minute = at.replace(second=0, microsecond=0)
        a = agg.get((zone_id, minute))
        if a is None:
            agg[(zone_id, minute)] = [1, people, people, people, people, at]
        else:
            a[0] += 1
            a[1] += people
            a[2] = min(a[2], people)
            a[3] = max(a[3], people)
            if at >= a[5]:
                a[4], a[5] = people, at
    if connection.vendor == "postgresql":
        # One upsert, one array per column, in (zone, minute) order (two batches lock rollup rows in one order).
        items = sorted(agg.items())
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO monitoring_rollup (zone_id, minute, n, people_sum, people_min, people_max, last_people, "
                "last_at) SELECT * FROM unnest(%s::int[], %s::timestamptz[], %s::int[], %s::bigint[], %s::int[], "
                "%s::int[], %s::int[], %s::timestamptz[]) "
                "ON CONFLICT (zone_id, minute) DO UPDATE SET n = monitoring_rollup.n + EXCLUDED.n, "
                "people_sum = monitoring_rollup.people_sum + EXCLUDED.people_sum, "
                "people_min = LEAST(monitoring_rollup.people_min, EXCLUDED.people_min), "
                "people_max = GREATEST(monitoring_rollup.people_max, EXCLUDED.people_max), "
                "last_people = CASE WHEN EXCLUDED.last_at >= monitoring_rollup.last_at THEN EXCLUDED.last_people "
                "ELSE monitoring_rollup.last_people END, "
                "last_at = GREATEST(monitoring_rollup.last_at, EXCLUDED.last_at)",
                [
                    _array(z for (z, _m), _a in items),
                    _array(m.isoformat() for (_z, m), _a in items),
                    *(_array(a[i] for _k, a in items) for i in range(5)),
                    _array(a[5].isoformat() for _k, a in items),
                ],
            )
        return
    for (zone_id, minute), a in sorted(agg.items()):
        roll, _created = Rollup.objects.get_or_create(zone_id=zone_id, minute=minute)
        roll.n += a[0]
        roll.people_sum += a[1]
        roll.people_min = a[2] if roll.people_min is None else min(roll.people_min, a[2])
        roll.people_max = a[3] if roll.people_max is None else max(roll.people_max, a[3])
        if roll.last_at is None or a[5] >= roll.last_at:
            roll.last_people, roll.last_at = a[4], a[5]
        roll.save()


def _flag_suspect(source: Source, *, implausible: int, total: int) -> None:
    """A source that keeps sending implausible data (negative counts, impossible densities) is flagged suspect:
    ``SUSPECT_STREAK`` batches in a row where at least half the rows, and at least 3, were implausible."""
    bad = implausible >= 3 and implausible * 2 >= total
    streak = source.implausible_streak + 1 if bad else 0
    fields = []
    if streak != source.implausible_streak:
        source.implausible_streak = streak
        fields.append("implausible_streak")
    if streak >= SUSPECT_STREAK and not source.suspect:
        source.suspect = True
        source.suspect_reason = _("%(n)d batches in a row with mostly implausible readings.") % {"n": streak}
        fields += ["suspect", "suspect_reason"]
        log_action(actor=None, subject=source, verb="source_suspect", reason=source.suspect_reason)
    if fields:
        Source.objects.filter(pk=source.pk).update(**{f: getattr(source, f) for f in fields})


def readings_ingest(
    *, source: Source, rows: list[Any], now: dt.datetime | None = None, reset_gate: bool = False
) -> IngestResult:
    """Store a batch of ``source``'s readings and evaluate the zones they touch (see the module docstring).
    ``now``: the clock of the checks and of the evaluation's "fresh" (an exercise replay passes its simulated
    time). ``reset_gate``: the counts are manual counts that reset the zones' gate balance."""
    from monitoring.services.evaluation import evaluate_zones

    now = now or timezone.now()
    result = IngestResult()
    oldest = now - dt.timedelta(days=settings.MONITORING_RAW_RETENTION_DAYS)
    zones = {
        row[0]: ZoneFigures(row[0], float(row[1]), *row[2:])
        for row in source.zones.filter(is_active=True).values_list(*ZoneFigures.COLUMNS)
    }
    good, duplicates_in_batch, result.rejected, implausible = _check_batch(rows, zones=zones, now=now, oldest=oldest)
    rows_of: dict[int, list[Row]] = defaultdict(list)
    for r in good:
        rows_of[r.zone_id].append(r)
    zone_ids = sorted(rows_of)
    inserted: set[tuple[int, dt.datetime]] = set()
    evaluated: list[int] = []
    size = max(1, settings.MONITORING_INGEST_CHUNK_ZONES)
    bands = levels.load_bands()
    source_names: dict[int, str] = {}
    # Part by part of the batch's zones in id order, each part in its own transaction: its readings stored, its
    # zones' states locked, evaluated and written, its rollups added — so every stored reading has been evaluated.
    # Should a part fail, the parts before it stay stored and the gateway's resend stores only the rest.
    for start in range(0, len(zone_ids), size):
        part = [r for zone_id in zone_ids[start : start + size] for r in rows_of[zone_id]]
        with transaction.atomic():
            # The readings first: rows of different sources never conflict, so concurrent batches of the gateways
            # that cover one zone insert side by side and wait for each other only at the zone states (and a
            # resend, every row a duplicate, locks no state at all).
            stored = _insert(source, part, now)
            inserted |= stored
            by_zone: dict[int, list[Row]] = defaultdict(list)
            for r in part:
                if (r.zone_id, r.observed_at) in stored:
                    by_zone[r.zone_id].append(r)
            states = states_lock(sorted(by_zone))
            rollup_points = evaluate_zones(
                source=source,
                zones=zones,
                states=states,
                by_zone=by_zone,
                now=now,
                reset_gate=reset_gate,
                bands=bands,
                source_names=source_names,
            )
            _rollup(rollup_points)
            evaluated += sorted(by_zone)
    result.accepted = [
        {
            "index": r.index,
            "zone": r.zone_id,
            "observed_at": r.iso,
            "duplicate": (r.zone_id, r.observed_at) not in inserted,
        }
        for r in good
    ]
    if duplicates_in_batch:
        result.accepted += [
            {"index": r.index, "zone": r.zone_id, "observed_at": r.iso, "duplicate": True} for r in duplicates_in_batch
        ]
        result.accepted.sort(key=lambda a: a["index"])
    result.zones = evaluated
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(last_seen_at=now)
        _flag_suspect(source, implausible=implausible, total=len(rows))
        if source.kind != SourceKind.HEADCOUNT:
            from monitoring.services.alerts import source_heard

            source_heard(source=source, now=now)
    return result
