"""Issue 15 point 3: the writes of the monitoring API — zones (POST/PATCH), sources (POST, token once, revoke),
manual counts, alert detail and state — for the owner (the territory's township officer), a partner (the
organizer whose event zone it is) and an outsider (another city's officer); bad input is a 400 that changes
nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from crowdsafe.audit.models import ActionLog
from monitoring.models import MonitoringAlert, Source, Zone
from monitoring.services import count_record, zone_create

pytestmark = pytest.mark.django_db

# About 40 m × 22 m near 安阳文峰塔 (WGS 84 lon/lat): ~880 m².
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [114.3500, 36.0970],
            [114.3504444, 36.0970],
            [114.3504444, 36.0971982],
            [114.3500, 36.0971982],
            [114.3500, 36.0970],
        ]
    ],
}


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def event_zone(city, users):
    """An event zone whose organizer (the partner) is ``city.organisation``."""
    return zone_create(
        actor=users.township_officer,
        jurisdiction=city.grid,
        name="文峰广场演出区",
        kind="standing",
        area_m2="400",
        organisation=city.organisation,
    )


def test_zones_are_created_and_changed_by_the_owner_only(city, users, event_zone):
    body = {"name": "东大街（鼓楼段）", "jurisdiction": city.grid.code, "kind": "moving", "polygon": SQUARE}
    created = api(users.township_officer).post("/api/v1/monitoring/zones/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.data["area_source"] == "polygon" and 850 < float(created.data["area_m2"]) < 910
    assert created.data["jurisdiction"] == city.grid.code and created.data["level"] == "blue"
    assert ActionLog.objects.filter(verb="zone_created", subject_id=created.data["id"]).exists()
    before = Zone.objects.count()
    # Bad input: a clear 400 and nothing stored.
    for bad in (
        {**body, "jurisdiction": "999999"},
        {**body, "kind": "crowd"},
        {**body, "polygon": {"type": "Polygon", "coordinates": [[[1, 2]]]}},
        {"name": "无面积", "jurisdiction": city.grid.code, "kind": "standing"},
        {**body, "gathering": 999999},
    ):
        answer = api(users.township_officer).post("/api/v1/monitoring/zones/", bad, format="json")
        assert answer.status_code == 400, (bad, answer.content)
    # The partner and the outsider may not create zones there.
    assert api(users.organizer).post("/api/v1/monitoring/zones/", body, format="json").status_code == 403
    assert api(users.outsider).post("/api/v1/monitoring/zones/", body, format="json").status_code == 403
    assert api(None).post("/api/v1/monitoring/zones/", body, format="json").status_code in (401, 403)
    assert Zone.objects.count() == before

    url = f"/api/v1/monitoring/zones/{event_zone.pk}/"
    changed = api(users.township_officer).patch(url, {"declared_capacity": 800, "area_m2": "500"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.data["declared_capacity"] == 800 and float(changed.data["area_m2"]) == 500
    assert api(users.organizer).get(url).status_code == 200  # the partner sees it …
    assert (
        api(users.organizer).patch(url, {"name": "改名"}, format="json").status_code == 403
    )  # … but may not change it
    assert api(users.outsider).patch(url, {"name": "改名"}, format="json").status_code == 404
    assert api(users.township_officer).patch(url, {"declared_capacity": -3}, format="json").status_code == 400
    assert Zone.objects.get(pk=event_zone.pk).name == "文峰广场演出区"


def test_a_source_is_created_with_its_token_shown_once_and_revoked(city, users, event_zone):
    body = {"name": "文峰广场摄像头1", "kind": "camera", "zones": [event_zone.pk], "interval_s": 30}
    created = api(users.township_officer).post("/api/v1/monitoring/sources/", body, format="json")
    assert created.status_code == 201, created.content
    token = created.data["token"]
    assert token.startswith("cs_") and created.data["jurisdiction"] == city.grid.code
    source = Source.objects.get(pk=created.data["id"])
    assert token not in (source.token_hash or "")
    detail = api(users.township_officer).get(f"/api/v1/monitoring/sources/{source.pk}/")
    assert detail.status_code == 200 and "token" not in detail.data
    listed = api(users.organizer).get("/api/v1/monitoring/sources/")
    assert source.pk in [s["id"] for s in listed.data["results"]]
    assert all("token" not in s for s in listed.data["results"])
    # The token writes readings for its zone.
    reading = {"readings": [{"zone": event_zone.pk, "observed_at": timezone.now().isoformat(), "count": 50}]}
    sent = APIClient().post("/api/v1/monitoring/readings/", reading, format="json", HTTP_AUTHORIZATION=f"Token {token}")
    assert sent.status_code == 200 and sent.data["accepted"] == 1
    # Partner and outsider may not create or revoke; bad input is refused.
    assert api(users.organizer).post("/api/v1/monitoring/sources/", body, format="json").status_code in (400, 403)
    assert api(users.outsider).post("/api/v1/monitoring/sources/", body, format="json").status_code == 400
    assert api(users.outsider).get(f"/api/v1/monitoring/sources/{source.pk}/").status_code == 404
    assert (
        api(users.township_officer)
        .post("/api/v1/monitoring/sources/", {**body, "zones": []}, format="json")
        .status_code
        == 400
    )
    assert (
        api(users.township_officer)
        .post("/api/v1/monitoring/sources/", {**body, "kind": "headcount"}, format="json")
        .status_code
        == 400
    )
    revoke = f"/api/v1/monitoring/sources/{source.pk}/revoke/"
    assert api(users.outsider).post(revoke).status_code == 404
    assert api(users.organizer).post(revoke).status_code == 403
    revoked = api(users.township_officer).post(revoke)
    assert revoked.status_code == 200 and revoked.data["revoked"] is True
    again = APIClient().post(
        "/api/v1/monitoring/readings/", reading, format="json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert again.status_code in (401, 403)
    assert Source.objects.filter(is_builtin=False).count() == 1


def test_manual_counts_by_owner_and_partner_not_outsider(city, users, event_zone, alerted):
    url = f"/api/v1/monitoring/zones/{event_zone.pk}/counts/"
    counted = api(users.organizer).post(url, {"count": 2000}, format="json")
    assert counted.status_code == 200, counted.content
    assert counted.data["count"] == 2000 and counted.data["level"] == "red"  # 5 p/m² standing
    assert api(users.township_officer).post(url, {"count": 100}, format="json").status_code == 200
    assert api(users.outsider).post(url, {"count": 100}, format="json").status_code == 404
    assert api(users.township_officer).post(url, {"count": -5}, format="json").status_code == 400
    assert api(users.township_officer).post(url, {"count": "many"}, format="json").status_code == 400


def test_alert_detail_and_state_for_owner_partner_outsider(city, users, event_zone, alerted):
    count_record(zone=event_zone, count=2000, actor=users.township_officer)
    alert = MonitoringAlert.objects.get(zone=event_zone, kind="level")
    url = f"/api/v1/monitoring/alerts/{alert.pk}/"
    assert api(users.outsider).get(url).status_code == 404
    assert api(users.outsider).post(url + "advance/", {"to": "acknowledged"}, format="json").status_code == 404
    shown = api(users.organizer).get(url)
    assert shown.status_code == 200 and shown.data["level"] == "red" and shown.data["observed_at"]
    done = api(users.township_officer).post(url + "advance/", {"to": "acknowledged", "note": "已到场"}, format="json")
    assert done.status_code == 200 and done.data["state"] == "acknowledged"
    assert api(users.organizer).post(url + "advance/", {"to": "raised"}, format="json").status_code == 400
    assert api(users.organizer).post(url + "advance/", {"to": "measures"}, format="json").status_code == 200
    assert api(users.township_officer).post(url + "advance/", {"to": "acknowledged"}, format="json").status_code == 400
    assert MonitoringAlert.objects.get(pk=alert.pk).state == "measures"


def test_the_zone_says_who_is_alerted_for_it_and_why(city, users, event_zone, alerted):
    shown = api(users.township_officer).get(f"/api/v1/monitoring/zones/{event_zone.pk}/")
    assert shown.status_code == 200
    rules = {w["name"]: w for w in shown.data["watchers"]}
    assert rules and all(w["reason"] for w in rules.values())
    people = [p for w in rules.values() for party in w["parties"] for p in party["people"]]
    assert users.township_officer.display_name in people or users.township_officer.username in people
    assert users.outsider.username not in people
