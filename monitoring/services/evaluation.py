"""Each touched zone evaluated once per batch: the gate balance, the per-source latest estimates, the
reconciled count, the level with hysteresis, the forecast, and the episodes (issue 15 points 2–4).

Set-based around plain values: the zones' figures and the states' columns are read as tuples (no model per zone;
the states without their large ``working`` and ``forecast``, which evaluation rewrites), each zone is evaluated
once in Python, and the states are written back in one ``UPDATE … FROM json_to_recordset(…)`` per shape
(evaluated zones: every column; zones whose newest row was older than their level: the per-source estimates
only). Model objects are made only for the few zones whose episodes change (their alerts need the zone and its
place)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.common.lookups import any_of
from monitoring import levels
from monitoring.choices import Level, SourceKind, rank
from monitoring.models import Source, Zone, ZoneState

STATE_FIELDS = [
    "level",
    "level_since",
    "count",
    "observed_at",
    "density",
    "utilisation",
    "source",
    "below_since",
    "gate_inside",
    "gate_base_at",
    "latest",
    "recent",
    "forecast",
    "working",
    "interrupted",
    "updated_at",
]
# What a zone not re-evaluated (its newest row older than its level, or no count) changes: its estimates.
LATEST_FIELDS = ["gate_inside", "gate_base_at", "latest", "updated_at"]
# What the evaluation reads of a state, besides ``forecast`` (read for the early warning's hysteresis:
# ``levels.early_warning_hold``); ``working`` is rewritten, never read.
READ_FIELDS = [
    "level",
    "level_since",
    "count",
    "observed_at",
    "below_since",
    "gate_inside",
    "gate_base_at",
    "latest",
    "recent",
]


@dataclass
class ZoneFigures:
    """What the ingest needs of a zone: its area, kind and capacities (read as one tuple per zone)."""

    pk: int
    area_m2: float
    kind: str
    safe_capacity: int | None
    declared_capacity: int | None
    approved_capacity: int | None
    exercise: bool

    COLUMNS = ("pk", "area_m2", "kind", "safe_capacity", "declared_capacity", "approved_capacity", "exercise")


@dataclass
class State:
    """A zone state's columns while the batch is evaluated (the row is locked)."""

    zone_id: int
    level: str
    level_since: dt.datetime | None
    count: int | None
    observed_at: dt.datetime | None
    below_since: dt.datetime | None
    gate_inside: int | None
    gate_base_at: dt.datetime | None
    latest: dict[str, Any]
    recent: list[Any]
    density: float | None = None
    utilisation: float | None = None
    source_id: int | None = None
    forecast: dict[str, Any] = field(default_factory=dict)
    working: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False
    updated_at: dt.datetime | None = None
    evaluated: bool = False

    def as_model(self) -> ZoneState:
        """An unsaved ``ZoneState`` with these values (for the episodes of the few zones that need them)."""
        values = {name: getattr(self, name) for name in STATE_FIELDS if name != "source"}
        return ZoneState(zone_id=self.zone_id, source_id=self.source_id, **values)


# Read after ``READ_FIELDS``: the forecast (the early warning's hysteresis), the level's source and whether the zone is
# marked interrupted (a zone evaluated again at the same moment with the same count changes neither).
TRAILING_FIELDS = ["forecast", "source", "interrupted"]
_DATETIMES = {i for i, name in enumerate(["zone", *READ_FIELDS, *TRAILING_FIELDS]) if name.endswith(("_since", "_at"))}


def _locked_rows(ids: list[int]) -> list[list[Any]]:
    """The states' rows (zone, ``READ_FIELDS``, ``TRAILING_FIELDS``) locked in id order, read on PostgreSQL as one
    JSON array decoded by one ``json.loads``: a row of plain values per zone instead of three JSON documents decoded
    one by one (a thousand-zone batch decoded 3,000 small documents and prepared each value through Django)."""
    columns = [f'"{_concrete(name).column}"' for name in ["zone", *READ_FIELDS, *TRAILING_FIELDS]]
    with connection.cursor() as cursor:
        cursor.execute(
            f'WITH locked AS (SELECT {", ".join(columns)} FROM "{ZoneState._meta.db_table}" '
            "WHERE zone_id = ANY(%s::bigint[]) ORDER BY zone_id FOR UPDATE) "
            f"SELECT json_agg(json_build_array({', '.join(columns)}) ORDER BY zone_id)::text FROM locked",
            ["{" + ",".join(map(str, ids)) + "}"],
        )
        document = cursor.fetchone()[0]
    rows = json.loads(document) if document else []
    for row in rows:
        for i in _DATETIMES:
            if row[i] is not None:
                row[i] = dt.datetime.fromisoformat(row[i])
    return rows


def states_lock(zone_ids: list[int]) -> dict[int, State]:
    """Lock the zones' state rows in id order and read them (a missing row, a zone older than its state table,
    is made first)."""
    if not zone_ids:
        return {}

    def read(ids: list[int]) -> dict[int, State]:
        rows: Any
        if connection.vendor == "postgresql":
            rows = _locked_rows(ids)
        else:
            rows = (
                ZoneState.objects.select_for_update()
                .filter(any_of("zone_id", ids))
                .order_by("zone_id")
                .values_list("zone_id", *READ_FIELDS, *TRAILING_FIELDS)
            )
        states = {}
        for *columns, forecast, source_id, interrupted in rows:
            state = states[columns[0]] = State(*columns)
            state.forecast, state.source_id, state.interrupted = forecast or {}, source_id, bool(interrupted)
        return states

    states = read(zone_ids)
    missing = [z for z in zone_ids if z not in states]
    if missing:
        ZoneState.objects.bulk_create([ZoneState(zone_id=z) for z in missing], ignore_conflicts=True)
        states.update(read(missing))
    for state in states.values():
        state.latest = dict(state.latest or {})
        state.recent = list(state.recent or [])
    return states


def _iso(at: dt.datetime) -> str:
    return at.isoformat()


def _reconcile(state: State, *, at: dt.datetime) -> tuple[int | None, int | None, list[dict[str, Any]]]:
    return reconcile(state.latest, at=at)


def reconcile(latest: dict[str, Any], *, at: dt.datetime) -> tuple[int | None, int | None, list[dict[str, Any]]]:
    """(count, source id, candidates) from the sources' latest estimates (a state's ``latest``): the highest fresh
    estimate. Fresh: observed within the silent factor times the source's interval before ``at``; when none is
    fresh, the newest one."""
    candidates = []
    factor = settings.MONITORING_SILENT_FACTOR
    for sid, (people, iso, kind, interval) in (latest or {}).items():
        seen = dt.datetime.fromisoformat(iso)
        fresh = (at - seen).total_seconds() <= factor * max(int(interval), 1)
        candidates.append({"source": int(sid), "people": people, "observed_at": iso, "kind": kind, "fresh": fresh})
    fresh_ones = [c for c in candidates if c["fresh"] and c["people"] is not None]
    pool = fresh_ones or sorted((c for c in candidates if c["people"] is not None), key=lambda c: c["observed_at"])[-1:]
    if not pool:
        return None, None, candidates
    best = max(pool, key=lambda c: (c["people"], c["observed_at"]))
    return int(best["people"]), int(best["source"]), candidates


def describe(zone: Zone, working: dict[str, Any], forecast: dict[str, Any]) -> str:
    """The level's working in words (stored on the episode and in the urgent message)."""
    parts = [_("%(count)d people on %(area)s m²") % {"count": working.get("count", 0), "area": working.get("area_m2")}]
    for m in working.get("measures", []):
        if m["measure"] == "density":
            parts.append(
                _("density %(value).2f persons/m² (red from %(red)s)")
                % {"value": m["value"], "red": m["bands"].get("red")}
            )
        elif m["measure"] == "utilisation":
            parts.append(_("%(pct).0f%% of the capacity of %(cap)d") % {"pct": m["value"] * 100, "cap": m["capacity"]})
        else:
            parts.append(_("%(pct).0f%% of the approved %(cap)d") % {"pct": m["value"] * 100, "cap": m["capacity"]})
    if forecast.get("rate_per_min") is not None:
        parts.append(_("trend %(rate)+.1f persons/min") % {"rate": forecast["rate_per_min"]})
    if forecast.get("minutes_to_red") is not None:
        parts.append(_("red in about %(min).0f min") % {"min": forecast["minutes_to_red"]})
    if working.get("source_name"):
        parts.append(_("from %(source)s") % {"source": working["source_name"]})
    return f"{zone.name}：{'，'.join(parts)}"


def evaluate_zones(
    *,
    source: Source,
    zones: dict[int, ZoneFigures],
    states: dict[int, State],
    by_zone: dict[int, list[Any]],
    now: dt.datetime,
    reset_gate: bool = False,
    bands: levels.BandTable | None = None,
    source_names: dict[int, str] | None = None,
) -> list[tuple[int, dt.datetime, int]]:
    """Evaluate each zone with new rows; returns the (zone, observed_at, people) points for the rollups.
    ``bands`` and ``source_names`` (filled in here with the sources it meets): read once for a batch evaluated part
    by part."""
    from monitoring.services.alerts import (
        episodes_need_follow,
        follow_episodes,
        open_episodes_for,
        open_episodes_load,
    )

    points: list[tuple[int, dt.datetime, int]] = []
    key = str(source.pk)
    gate = source.kind == SourceKind.GATE
    # 1. The gate balance, the rollup points and this source's latest estimate of each zone.
    for zone_id, rows in sorted(by_zone.items()):
        state = states[zone_id]
        rows.sort(key=lambda r: r.observed_at)
        # Gate pairs: people inside is the running balance since the last manual count; readings observed before
        # that count are already in it (out-of-order history changes nothing).
        if gate:
            for r in rows:
                if r.entered is None:
                    continue
                if state.gate_base_at is None or r.observed_at > state.gate_base_at:
                    state.gate_inside = (state.gate_inside or 0) + r.entered - r.exited
                    r.people = max(state.gate_inside, 0)
        elif reset_gate and state.gate_inside is not None:
            last = rows[-1]
            state.gate_inside, state.gate_base_at = last.people, last.observed_at
        for r in rows:
            if r.people is not None:
                points.append((zone_id, r.observed_at, r.people))
        newest = rows[-1]
        previous = state.latest.get(key)
        if previous is None or dt.datetime.fromisoformat(previous[1]) <= newest.observed_at:
            people = max(state.gate_inside, 0) if gate and state.gate_inside is not None else newest.people
            iso = getattr(newest, "iso", "") or _iso(newest.observed_at)
            state.latest[key] = [people, iso, source.kind, source.interval_s]
    # 2. The names of the sources a level may come from (one query for the batch).
    sids = {int(sid) for z in by_zone for sid in states[z].latest}
    source_names = {} if source_names is None else source_names
    unnamed = sids - set(source_names)
    if unnamed:
        source_names.update(Source.objects.filter(pk__in=unnamed).values_list("pk", "name"))
    bands = levels.load_bands() if bands is None else bands
    # 3. Each zone's level, forecast and working, once.
    follow: list[tuple[State, str]] = []
    for zone_id, rows in sorted(by_zone.items()):
        zone, state = zones[zone_id], states[zone_id]
        at = rows[-1].observed_at
        # Out-of-order: history filled in (stored, rolled up), but the current level never moves back in time.
        if state.observed_at is not None and at < state.observed_at:
            continue
        count, from_source, candidates = _reconcile(state, at=at)
        if count is None:
            continue
        # Already evaluated at this moment (another source's batch of the same second) and the reconciled count is
        # the same, from the same source: level, trend and working come out the same — only this source's estimate
        # is new (written with the state's estimates; the working's candidates are rebuilt from them when read).
        same = at == state.observed_at and count == state.count and from_source == state.source_id
        if same and not state.interrupted:
            continue
        assessment = levels.assess(
            count=count,
            area_m2=zone.area_m2,
            zone_kind=zone.kind,
            safe_capacity=zone.safe_capacity,
            declared_capacity=zone.declared_capacity,
            approved_capacity=zone.approved_capacity,
            bands=bands,
        )
        previous_level = state.level
        level, below_since = levels.hysteresis(
            current=state.level,
            proposed=assessment.level,
            count=count,
            count_for=assessment.count_for,
            below_since=state.below_since,
            at=at,
        )
        ts = at.timestamp()
        state.recent = levels.add_point(state.recent, ts, float(count))
        forecast = levels.forecast(
            recent=state.recent, now_ts=ts, count=float(count), level=level, count_for=assessment.count_for
        )
        if rank(level) < rank(Level.RED):
            forecast = levels.early_warning_hold(forecast, previous=state.forecast, at=at)
        working = assessment.working
        working.update(
            {
                "source": from_source,
                "source_name": source_names.get(from_source or 0, ""),
                "candidates": candidates,
                "reconciliation": "highest fresh estimate",
                "level_before_hysteresis": assessment.level,
                "held_by_hysteresis": level != assessment.level,
                "observed_at": _iso(at),
            }
        )
        if level != previous_level:
            state.level_since = at
        state.level, state.below_since = level, below_since
        state.count, state.observed_at = count, at
        state.density = round(assessment.density, 4) if assessment.density is not None else None
        state.utilisation = round(assessment.utilisation, 4) if assessment.utilisation is not None else None
        state.source_id = from_source
        state.forecast, state.working = forecast, working
        state.interrupted = False
        state.evaluated = True
        follow.append((state, previous_level))
    # 4. The episodes: the open ones of the batch's zones in one locked query, then only the zones where
    # something changes (a level change, an orange/red level without its episode, an episode to ease, an early
    # warning to open or ease) — with their zone objects, read together.
    if follow:
        open_episodes = open_episodes_for([state.zone_id for state, _previous in follow])
        changing = [
            (state, previous)
            for state, previous in follow
            if episodes_need_follow(
                zone_id=state.zone_id,
                level=state.level,
                forecast=state.forecast,
                previous_level=previous,
                open_episodes=open_episodes,
            )
        ]
        if changing:
            objects = Zone.objects.select_related("jurisdiction").in_bulk([state.zone_id for state, _p in changing])
            episodes = open_episodes_load(open_episodes, [state.zone_id for state, _p in changing])
            for state, previous in changing:
                zone_object = objects[state.zone_id]
                # The episode's snapshot and words carry the bands in full (the state stores their names).
                state.working = levels.working_in_full(state.working, bands)
                follow_episodes(
                    zone=zone_object,
                    state=state.as_model(),
                    previous_level=previous,
                    reason=describe(zone_object, state.working, state.forecast),
                    open_episodes=episodes,
                )
    saved_at = timezone.now()
    for zone_id in by_zone:
        states[zone_id].updated_at = saved_at
    touched = [states[z] for z in sorted(by_zone)]
    states_save([s for s in touched if s.evaluated], STATE_FIELDS)
    states_save([s for s in touched if not s.evaluated], LATEST_FIELDS)
    return points


def states_save(states: list[Any], names: list[str] = STATE_FIELDS) -> None:
    """Write the columns ``names`` of the evaluated states: on PostgreSQL one ``UPDATE … FROM json_to_recordset(…)``
    with the batch's rows as one JSON document (Django's ``bulk_update`` builds a CASE WHEN per row and field:
    measured, 33 of a 1,000-zone batch's 50 s; a ``VALUES`` list adapts each of the 16 values of each row);
    elsewhere (SQLite, the embedded default) an update per row."""
    if not states:
        return
    fields = [_concrete(name) for name in names]
    if connection.vendor != "postgresql":
        for state in states:
            values = {f.attname: getattr(state, f.attname) for f in fields}
            if "working" in values:
                values["working"] = levels.working_stored(values["working"])
            ZoneState.objects.filter(zone_id=state.zone_id).update(**values)
        return
    # The rows as one JSON document read by json_to_recordset: one ``json.dumps`` of the batch (C) instead of an
    # adaptation per value, and no escaping of the JSON columns inside a VALUES list.
    table = ZoneState._meta.db_table
    columns = [str(f.column) for f in fields]
    attnames = [f.attname for f in fields]
    casts = [f.db_type(connection) for f in fields]
    records = []
    for state in states:
        record: dict[str, Any] = {"zone_id": state.zone_id}
        for column, attname in zip(columns, attnames, strict=True):
            value = getattr(state, attname)
            if isinstance(value, dt.datetime):
                value = value.isoformat()
            record[column] = value
        if "working" in record:
            record["working"] = levels.working_stored(record["working"])
        records.append(record)
    assignments = ", ".join(f'"{c}" = v."{c}"' for c in columns)
    spec = ", ".join(f'"{c}" {t}' for c, t in zip(columns, casts, strict=True))
    sql = (
        f'UPDATE "{table}" AS s SET {assignments} FROM json_to_recordset(%s::json) AS v(zone_id integer, {spec}) '
        "WHERE s.zone_id = v.zone_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_dumps(records)])


def _dumps(value: Any) -> str:
    """JSON for the states' columns: UTF-8 as it is (not ``\\uXXXX``, six bytes a Chinese character) and no spaces."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _concrete(name: str) -> Field[Any, Any]:
    f = ZoneState._meta.get_field(name)
    assert isinstance(f, Field)
    return f
