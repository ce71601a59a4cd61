"""Issue 15 point 3: the readings API (source token, per-row reasons, idempotency, scope) and the zones and alerts
lists for the owner, a partner and an outsider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.models import Reading
from tests.monitoring.conftest import feed, make_zone

pytestmark = pytest.mark.django_db


def post(token, body, **extra):
    client = APIClient()
    return client.post(
        "/api/v1/monitoring/readings/", body, format="json", HTTP_AUTHORIZATION=f"Token {token}", **extra
    )


def test_a_batch_with_bad_rows_rejects_exactly_those_with_reasons_and_the_same_batch_twice_stores_nothing_twice(
    city, users, street_zone
):
    other = make_zone(city, users, area="50")
    _source, token = feed(street_zone, users)
    now = timezone.now()
    rows = [
        {"zone": street_zone.pk, "observed_at": (now - dt.timedelta(seconds=60)).isoformat(), "count": 100},
        {"zone": other.pk, "observed_at": now.isoformat(), "count": 10},  # not this source's zone
        {"zone": street_zone.pk, "observed_at": (now + dt.timedelta(minutes=5)).isoformat(), "count": 10},
        {"zone": street_zone.pk, "observed_at": (now - dt.timedelta(days=40)).isoformat(), "count": 10},
        {"zone": street_zone.pk, "observed_at": now.isoformat(), "count": -1},
        {"zone": street_zone.pk, "observed_at": now.isoformat(), "density": 12.5},
        {"zone": street_zone.pk, "observed_at": now.isoformat(), "count": 120},
    ]
    first = post(token, {"readings": rows})
    assert first.status_code == 200, first.content
    assert [(r["index"], r["code"]) for r in first.data["rejected"]] == [
        (1, "zone"),
        (2, "future"),
        (3, "too_old"),
        (4, "negative"),
        (5, "impossible"),
    ]
    assert all(r["reason"] for r in first.data["rejected"])
    assert first.data["accepted"] == 2 and first.data["duplicates"] == 0
    assert Reading.objects.count() == 2
    again = post(token, {"readings": rows})
    assert again.data["accepted"] == 2 and again.data["duplicates"] == 2
    assert Reading.objects.count() == 2


def test_csv_is_accepted_and_a_revoked_or_unknown_token_is_refused(city, users, street_zone):
    source, token = feed(street_zone, users)
    body = f"zone,observed_at,count\n{street_zone.pk},{timezone.now().isoformat()},42\n"
    answer = APIClient().post(
        "/api/v1/monitoring/readings/", body, content_type="text/csv", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert answer.status_code == 200 and answer.data["accepted"] == 1
    assert post("cs_nonsense", {"readings": []}).status_code in (401, 403)
    from monitoring.services import source_revoke

    source_revoke(source=source, actor=users.township_officer)
    assert post(token, {"readings": []}).status_code in (401, 403)


def test_a_source_token_cannot_write_to_a_zone_outside_its_scope(city, users, street_zone):
    other = make_zone(city, users, area="80")
    _source, token = feed(street_zone, users)
    answer = post(token, {"readings": [{"zone": other.pk, "observed_at": timezone.now().isoformat(), "count": 5}]})
    assert answer.data["accepted"] == 0 and answer.data["rejected"][0]["code"] == "zone"
    assert not Reading.objects.filter(zone_id=other.pk).exists()


@pytest.mark.parametrize("who, sees", [("township_officer", True), ("leader", True), ("outsider", False)])
def test_zones_and_alerts_for_owner_partner_and_outsider(city, users, street_zone, who, sees):
    client = APIClient()
    client.force_authenticate(getattr(users, who))
    listed = client.get("/api/v1/monitoring/zones/")
    assert listed.status_code == 200
    assert (street_zone.pk in [z["id"] for z in listed.data["results"]]) is sees
    detail = client.get(f"/api/v1/monitoring/zones/{street_zone.pk}/")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert detail.data["level"] == "blue" and "forecast" in detail.data
    alerts = client.get(f"/api/v1/monitoring/alerts/?zone={street_zone.pk}")
    assert alerts.status_code == 200


def test_the_zone_api_gives_each_measure_with_its_band_source_which_the_stored_state_names_only(
    city, users, street_zone
):
    from monitoring.models import ZoneState

    _source, token = feed(street_zone, users)
    assert (
        post(
            token, {"readings": [{"zone": street_zone.pk, "observed_at": timezone.now().isoformat(), "count": 600}]}
        ).status_code
        == 200
    )
    stored = ZoneState.objects.get(zone=street_zone).working
    assert all("source" not in m and m["band"].startswith(m["measure"] + ":") for m in stored["measures"])
    client = APIClient()
    client.force_authenticate(users.township_officer)
    working = client.get(f"/api/v1/monitoring/zones/{street_zone.pk}/").json()["working"]
    density = next(m for m in working["measures"] if m["measure"] == "density")
    assert density["value"] == 3.0 and "Green Guide" in density["source"]
    listed = client.get("/api/v1/monitoring/zones/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    mine = next(z for z in rows if z["id"] == street_zone.pk)
    assert "Green Guide" in next(m for m in mine["working"]["measures"] if m["measure"] == "density")["source"]


def test_a_batch_of_many_zones_costs_the_same_few_statements_as_a_batch_of_one(city, users):
    """Set-based (issue 15 point 8): the zones, their states (locked), the readings, the rollups and the states'
    write are one statement each whatever the number of zones — never one per zone or per reading."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring.services import readings_ingest, source_create

    zones = [make_zone(city, users, area=str(1000 + i)) for i in range(30)]
    source, _token = source_create(
        actor=users.township_officer, name="网关", kind="camera", jurisdiction=city.grid, zones=zones, interval_s=1
    )
    now = timezone.now()

    def batch(n, second):
        at = (now - dt.timedelta(seconds=60 - second)).isoformat()
        return [{"zone": z.pk, "observed_at": at, "count": 100} for z in zones[:n]]

    readings_ingest(source=source, rows=batch(30, 0), now=now)  # blue everywhere: no episode
    with CaptureQueriesContext(connection) as one:
        readings_ingest(source=source, rows=batch(1, 1), now=now)
    with CaptureQueriesContext(connection) as many:
        readings_ingest(source=source, rows=batch(30, 2), now=now)
    assert len(many.captured_queries) == len(one.captured_queries), [q["sql"][:80] for q in many.captured_queries]
