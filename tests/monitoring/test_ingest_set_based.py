"""Issue 15 point 8: the ingest's hot path set-based end to end — each distinct time of a batch parsed once, the
readings, rollups and zone states written by one statement each whose parameters do not grow with the batch, open
episodes read as plain values, the readings parser measuring the nesting on the parsed value — with the same
answers, rows and rollups as row by row. Real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.models import MonitoringAlert, Reading, Rollup, ZoneState
from monitoring.services import ingest, readings_ingest, source_create
from tests.monitoring.conftest import make_zone

pytestmark = pytest.mark.django_db


def gateway(city, users, zones, *, kind="camera"):
    return source_create(
        actor=users.township_officer, name="网关", kind=kind, jurisdiction=city.grid, zones=zones, interval_s=1
    )


def test_each_distinct_time_of_a_batch_is_parsed_once_and_every_row_is_answered_as_row_by_row(city, users, monkeypatch):
    zones = [make_zone(city, users, area=str(100 + i)) for i in range(20)]
    outside = make_zone(city, users, area="99")
    source, _token = gateway(city, users, zones)
    now = timezone.now()
    first, second = (now - dt.timedelta(seconds=30)).isoformat(), (now - dt.timedelta(seconds=20)).isoformat()
    rows = [{"zone": z.pk, "observed_at": at, "count": 50} for at in (first, second) for z in zones]
    rows += [
        {"zone": zones[0].pk, "observed_at": (now - dt.timedelta(seconds=10)).isoformat(), "count": "7"},  # text
        {"zone": zones[1].pk, "observed_at": (now - dt.timedelta(seconds=5)).isoformat(), "density": 1.5},
        {"zone": zones[2].pk, "observed_at": first, "count": -1},  # negative
        {"zone": zones[3].pk, "observed_at": first, "count": 5000},  # 50 p/m²: impossible
        {"zone": outside.pk, "observed_at": first, "count": 1},  # not this source's zone
        {"zone": zones[4].pk, "observed_at": (now + dt.timedelta(minutes=5)).isoformat(), "count": 1},  # future
        {"zone": zones[5].pk, "observed_at": first, "count": True},  # not a number
        {"zone": zones[6].pk, "observed_at": "yesterday", "count": 1},
        "not an object",
    ]
    figures = {
        z: ingest.ZoneFigures(z, float(a), *rest)
        for z, a, *rest in source.zones.values_list(*ingest.ZoneFigures.COLUMNS)
    }
    oldest = now - dt.timedelta(days=30)
    expected = [ingest._check(i, raw, zones=figures, now=now, oldest=oldest) for i, raw in enumerate(rows)]
    parsed = []
    real = ingest._moment

    def counted(value):
        parsed.append(value)
        return real(value)

    monkeypatch.setattr(ingest, "_moment", counted)
    result = readings_ingest(source=source, rows=rows, now=now)
    # The 40 common rows: one parse per distinct time; the rows the fast path hands on to the full check (a count
    # as text, a density, negative, impossible, a boolean, a time in the future or not a time) once more each.
    assert parsed.count(second) == 1
    assert len(parsed) <= 12
    assert [(r["index"], r["code"]) for r in result.rejected] == [
        (i, code) for i, (row, code, _reason) in enumerate(expected) if row is None
    ]
    assert [a["index"] for a in result.accepted] == [i for i, (row, _c, _r) in enumerate(expected) if row]
    for answer in result.accepted:
        row = expected[answer["index"]][0]
        assert answer["zone"] == row.zone_id and answer["observed_at"] == row.observed_at.isoformat()
    stored = {(r.zone_id, r.observed_at): r for r in Reading.objects.filter(source=source)}
    assert len(stored) == len(result.accepted) == 42
    for row, _c, _r in expected:
        if row is not None:
            got = stored[(row.zone_id, row.observed_at)]
            assert (got.count, got.entered, got.exited, got.density, got.people) == (
                row.count,
                row.entered,
                row.exited,
                row.density,
                row.people,
            )
            assert got.received_at == now


def test_a_resent_batch_with_new_rows_answers_exactly_the_old_ones_as_duplicates(city, users):
    zones = [make_zone(city, users, area=str(200 + i)) for i in range(4)]
    source, _token = gateway(city, users, zones)
    now = timezone.now()
    at = [(now - dt.timedelta(seconds=50 - 10 * i)).isoformat() for i in range(3)]
    readings_ingest(source=source, rows=[{"zone": z.pk, "observed_at": at[0], "count": 10} for z in zones], now=now)
    again = [{"zone": z.pk, "observed_at": at[1], "count": 20} for z in zones[:2]]
    again += [{"zone": z.pk, "observed_at": at[0], "count": 10} for z in zones]
    again += [{"zone": zones[0].pk, "observed_at": at[1], "count": 20}]  # the same key twice in the batch
    result = readings_ingest(source=source, rows=again, now=now)
    assert [(a["index"], a["duplicate"]) for a in result.accepted] == [
        (0, False),
        (1, False),
        (2, True),
        (3, True),
        (4, True),
        (5, True),
        (6, True),
    ]
    assert Reading.objects.filter(source=source).count() == 6
    assert result.zones == sorted([zones[0].pk, zones[1].pk])


def test_the_rollups_add_up_every_new_reading_of_the_minute_and_keep_the_last(city, users):
    zone = make_zone(city, users, area="500")
    source, _token = gateway(city, users, [zone])
    minute = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=3)

    def send(seconds_counts):
        rows = [
            {"zone": zone.pk, "observed_at": (minute + dt.timedelta(seconds=s)).isoformat(), "count": c}
            for s, c in seconds_counts
        ]
        readings_ingest(source=source, rows=rows)

    send([(10, 100), (40, 300)])
    send([(20, 50), (40, 999)])  # 40 s again: a duplicate, not added
    send([(50, 200), (70, 80)])  # 70 s: the next minute
    first = Rollup.objects.get(zone=zone, minute=minute)
    assert (first.n, first.people_sum, first.people_min, first.people_max) == (4, 650, 50, 300)
    assert (first.last_people, first.last_at) == (200, minute + dt.timedelta(seconds=50))
    nxt = Rollup.objects.get(zone=zone, minute=minute + dt.timedelta(minutes=1))
    assert (nxt.n, nxt.people_sum, nxt.last_people) == (1, 80, 80)


def test_a_gate_counters_rollups_count_the_people_inside(city, users):
    zone = make_zone(city, users, area="500")
    source, _token = gateway(city, users, [zone], kind="gate")
    minute = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=2)
    rows = [
        {"zone": zone.pk, "observed_at": (minute + dt.timedelta(seconds=s)).isoformat(), "entered": e, "exited": x}
        for s, e, x in ((5, 30, 0), (15, 20, 10), (25, 0, 5))
    ]
    readings_ingest(source=source, rows=rows)
    roll = Rollup.objects.get(zone=zone, minute=minute)
    assert (roll.n, roll.people_sum, roll.people_min, roll.people_max, roll.last_people) == (3, 105, 30, 40, 35)
    assert ZoneState.objects.get(zone=zone).count == 35


def test_the_readings_rollups_and_states_are_one_statement_each_whatever_the_batch(city, users):
    """Set-based end to end: each written by one statement through Django's cursor whose parameters are one per
    column, not one per row or per zone (the earlier VALUES lists had 9 per reading and 16 per zone)."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL statements (SQLite writes row by row)")
    zones = [make_zone(city, users, area=str(1000 + i)) for i in range(30)]
    source, _token = gateway(city, users, zones)
    now = timezone.now()

    def statements(n, second):
        seen = []

        def record(execute, sql, params, many, context):
            seen.append((sql, len(params or ())))
            return execute(sql, params, many, context)

        at = (now - dt.timedelta(seconds=60 - second)).isoformat()
        with connection.execute_wrapper(record):
            readings_ingest(source=source, rows=[{"zone": z.pk, "observed_at": at, "count": 100} for z in zones[:n]])
        found = {}
        for sql, count in seen:
            for name, start in (
                ("readings", "WITH v AS (SELECT * FROM unnest("),
                ("rollups", "INSERT INTO monitoring_rollup"),
                ("states", 'UPDATE "monitoring_zonestate"'),
            ):
                if sql.startswith(start):
                    found.setdefault(name, []).append(count)
        return found

    statements(30, 0)
    one, many = statements(1, 1), statements(30, 2)
    assert one == many == {"readings": [10], "rollups": [8], "states": [1]}


def test_open_episodes_are_read_as_values_and_made_objects_only_where_they_change(city, users, alerted):
    zones = [make_zone(city, users, area=str(1000 + i)) for i in range(12)]  # standing: orange from 3.5 p/m²
    source, _token = gateway(city, users, zones)
    now = timezone.now()

    def send(second, count):
        at = (now - dt.timedelta(seconds=60 - second)).isoformat()
        readings_ingest(source=source, rows=[{"zone": z.pk, "observed_at": at, "count": count} for z in zones])

    send(0, 3600)
    assert MonitoringAlert.objects.filter(zone__in=zones, state="raised").count() == 12
    made = []

    def count(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(count, sender=MonitoringAlert)
    try:
        send(1, 3650)  # still orange: no episode changes
        assert made == []
        send(2, 4800)  # red: each episode rises (and is made an object to be saved)
        assert len({m.pk for m in made}) == 12
    finally:
        post_init.disconnect(count, sender=MonitoringAlert)
    assert set(MonitoringAlert.objects.filter(zone__in=zones, kind="level").values_list("level", flat=True)) == {"red"}


def test_the_readings_parser_measures_the_nesting_on_the_parsed_value(city, users, street_zone, monkeypatch):
    from crowdsafe.web.api import parsers
    from tests.monitoring.conftest import feed

    _source, token = feed(street_zone, users)

    def scanned(text):
        raise AssertionError("the readings body was scanned with regular expressions")

    monkeypatch.setattr(parsers, "json_depth", scanned)
    client = APIClient()

    def post(body):
        return client.post(
            "/api/v1/monitoring/readings/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )

    ok = post(
        json.dumps({"readings": [{"zone": street_zone.pk, "observed_at": timezone.now().isoformat(), "count": 3}]})
    )
    assert ok.status_code == 200 and ok.json()["accepted"] == 1
    for depth in (70, 5000):
        deep = post('{"readings": [' + "[" * depth + "]" * depth + "]}")
        assert deep.status_code == 400 and "64" in json.dumps(deep.json()), depth  # at most 64 levels
    assert post('{"readings": [1, ').status_code == 400
