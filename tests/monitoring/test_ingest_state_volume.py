"""Issue 15 point 8: what each batch writes and locks of the zone states — the rewritten JSON columns stored as
``json`` (text, not parsed into ``jsonb`` on every write), each measure's band named rather than copied, the trend
points as whole numbers, the zones' ids as one array parameter, and the readings inserted before the states are
locked (a resent batch waits for nobody). Real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crowdsafe.common.lookups import any_of
from monitoring import levels
from monitoring.models import Zone, ZoneState
from monitoring.services import readings_ingest
from tests.monitoring.conftest import feed, make_zone


@pytest.mark.django_db
def test_the_rewritten_state_columns_are_plain_json_on_postgresql(city, users):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'monitoring_zonestate' "
            "AND column_name IN ('latest', 'recent', 'forecast', 'working') ORDER BY column_name"
        )
        assert cursor.fetchall() == [("forecast", "json"), ("latest", "json"), ("recent", "json"), ("working", "json")]
    # Read back through the model as any JSON field (the driver decodes ``json`` itself).
    zone = make_zone(city, users, area="200")
    source, _token = feed(zone, users)
    now = timezone.now()
    readings_ingest(source=source, rows=[{"zone": zone.pk, "observed_at": now.isoformat(), "count": 300}], now=now)
    state = ZoneState.objects.get(zone=zone)
    assert isinstance(state.working, dict) and state.working["count"] == 300
    assert isinstance(state.latest, dict) and state.latest[str(source.pk)][0] == 300
    assert ZoneState.objects.filter(zone=zone).values_list("working", flat=True).get()["count"] == 300


@pytest.mark.django_db
def test_the_state_names_each_band_and_the_api_puts_its_thresholds_and_source_back(city, users):
    zone = make_zone(city, users, area="200")
    source, _token = feed(zone, users)
    now = timezone.now()
    readings_ingest(source=source, rows=[{"zone": zone.pk, "observed_at": now.isoformat(), "count": 1000}], now=now)
    stored = ZoneState.objects.get(zone=zone).working
    assert stored["measures"] and all(set(m) & {"bands", "source"} == set() for m in stored["measures"])
    assert all(m["band"].startswith(m["measure"] + ":") for m in stored["measures"])
    full = levels.working_in_full(stored)
    density = next(m for m in full["measures"] if m["measure"] == "density")
    assert density["bands"] == {"yellow": 2.5, "orange": 3.5, "red": 4.7}
    assert "Green Guide" in density["source"]
    # A working that already carries its bands (an alert's snapshot) is left as it is.
    assert levels.working_in_full(full) is full


def test_the_trend_points_are_whole_seconds_and_people():
    recent: list[list[float]] = []
    for i in range(5):
        recent = levels.add_point(recent, 1_796_655_831.455711 + 30 * i, 97.0 + i)
    assert recent[0] == [1_796_655_831, 97] and all(type(v) is int for point in recent for v in point)
    # Within the spacing the newest point is replaced, still as whole numbers.
    recent = levels.add_point(recent, recent[-1][0] + 5.6, 120.4)
    assert recent[-1] == [1_796_655_831 + 120 + 6, 120] and len(recent) == 5


@pytest.mark.django_db
def test_any_of_is_one_array_parameter_however_many_ids(city, users):
    zones = [make_zone(city, users, area="100") for _ in range(3)]
    ids = [z.pk for z in zones] + list(range(10_000_000, 10_001_000))
    with CaptureQueriesContext(connection) as captured:
        found = sorted(Zone.objects.filter(any_of("id", ids)).values_list("pk", flat=True))
    assert found == sorted(z.pk for z in zones)
    sql = captured.captured_queries[0]["sql"]
    assert "= ANY(" in sql and " IN (" not in sql
    assert list(Zone.objects.filter(any_of("id", []))) == []


@pytest.mark.django_db(transaction=True)
def test_a_resent_batch_is_answered_while_another_batch_holds_the_zone(city, users):
    """The readings go in before the states are locked: a batch whose rows are all stored already locks no zone
    state, so a gateway resending waits for nobody (before: it queued behind the batch holding the zone)."""
    zone = make_zone(city, users, area="200")
    source, _token = feed(zone, users)
    now = timezone.now()
    rows = [{"zone": zone.pk, "observed_at": (now - dt.timedelta(seconds=5)).isoformat(), "count": 80}]
    readings_ingest(source=source, rows=rows, now=now)
    holding, release = threading.Event(), threading.Event()

    def hold_the_zone():
        try:
            with transaction.atomic():
                ZoneState.objects.select_for_update().filter(zone=zone).get()
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_zone)
    holder.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        result = readings_ingest(source=source, rows=rows, now=now)
        assert [a["duplicate"] for a in result.accepted] == [True]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        release.set()
        holder.join(10)


@pytest.mark.django_db
def test_a_second_source_at_the_same_moment_that_changes_nothing_only_adds_its_estimate(city, users, monkeypatch):
    """Two gateways see one zone each second. When the second one's estimate for the same moment leaves the
    reconciled count (the highest fresh estimate) and its source as they are, the level, trend and working are not
    computed again — only its estimate is stored; the API still lists every source's estimate."""
    from rest_framework.test import APIClient

    from monitoring.services import source_create

    zone = make_zone(city, users, area="200")
    first, _t1 = feed(zone, users, interval_s=1)
    second = source_create(
        actor=users.township_officer,
        name="网关二",
        kind="camera",
        jurisdiction=zone.jurisdiction,
        zones=[zone],
        interval_s=1,
    )[0]
    now = timezone.now()
    at = now.isoformat()
    readings_ingest(source=first, rows=[{"zone": zone.pk, "observed_at": at, "count": 300}], now=now)
    before = ZoneState.objects.get(zone=zone)
    assert "candidates" not in before.working  # rebuilt from the estimates when read
    assessed = []
    real = levels.assess
    monkeypatch.setattr(levels, "assess", lambda **kw: assessed.append(kw) or real(**kw))
    readings_ingest(source=second, rows=[{"zone": zone.pk, "observed_at": at, "count": 250}], now=now)
    assert assessed == []
    after = ZoneState.objects.get(zone=zone)
    assert (after.count, after.source_id, after.level, after.working) == (300, first.pk, before.level, before.working)
    assert after.latest[str(second.pk)][0] == 250
    # A higher estimate at the same moment is evaluated: the count and its source change.
    readings_ingest(
        source=second,
        rows=[{"zone": zone.pk, "observed_at": (now + dt.timedelta(seconds=1)).isoformat(), "count": 320}],
        now=now + dt.timedelta(seconds=1),
    )
    assert len(assessed) == 1
    state = ZoneState.objects.get(zone=zone)
    assert (state.count, state.source_id) == (320, second.pk)
    client = APIClient()
    client.force_authenticate(users.township_officer)
    working = client.get(f"/api/v1/monitoring/zones/{zone.pk}/").json()["working"]
    assert {c["source"]: c["people"] for c in working["candidates"]} == {first.pk: 300, second.pk: 320}
    assert working["source"] == second.pk


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_stored_part_by_part_and_a_resend_after_a_failed_part_stores_only_the_rest(city, users, settings):
    """Each part of a batch's zones (``MONITORING_INGEST_CHUNK_ZONES``) is stored and evaluated in a transaction of
    its own, so another batch waits only for the part it shares. A part that fails (here: its zone held by another
    transaction past the lock timeout) leaves the parts before it stored and evaluated; the gateway's resend
    answers those as duplicates and stores the rest, each reading once."""
    from django.db.utils import OperationalError

    from monitoring.models import Reading
    from monitoring.services import source_create

    settings.MONITORING_INGEST_CHUNK_ZONES = 2
    zones = [make_zone(city, users, area=str(200 + i)) for i in range(5)]
    source = source_create(
        actor=users.township_officer,
        name="网关",
        kind="camera",
        jurisdiction=city.grid,
        zones=zones,
        interval_s=1,
    )[0]
    now = timezone.now()
    at = (now - dt.timedelta(seconds=3)).isoformat()
    # Rows not in zone order: the answers still come in the batch's order.
    rows = [{"zone": z.pk, "observed_at": at, "count": 100 + i} for i, z in reversed(list(enumerate(zones)))]
    holding, release = threading.Event(), threading.Event()

    def hold_the_last_zone():
        try:
            with transaction.atomic():
                ZoneState.objects.select_for_update().filter(zone=zones[-1]).get()
                holding.set()
                release.wait(15)
        finally:
            connections.close_all()

    ZoneState.objects.get_or_create(zone=zones[-1])
    holder = threading.Thread(target=hold_the_last_zone)
    holder.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        with pytest.raises(OperationalError):
            readings_ingest(source=source, rows=rows, now=now)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        release.set()
        holder.join(15)
    # The parts before the failed one are stored and evaluated; the last zone has nothing.
    assert set(Reading.objects.filter(source=source).values_list("zone_id", flat=True)) == {z.pk for z in zones[:4]}
    assert [ZoneState.objects.get(zone=z).count for z in zones[:4]] == [100, 101, 102, 103]
    assert ZoneState.objects.get(zone=zones[-1]).count is None
    result = readings_ingest(source=source, rows=rows, now=now)
    assert [a["index"] for a in result.accepted] == [0, 1, 2, 3, 4]
    assert [a["duplicate"] for a in result.accepted] == [False, True, True, True, True]
    assert result.zones == [zones[-1].pk]
    assert Reading.objects.filter(source=source).count() == 5
    assert ZoneState.objects.get(zone=zones[-1]).count == 104
