"""The gatherings API: the list (scoped, filtered, paginated, pinned queries), logging with a form key, the
actions, and errors as 400/403/404 JSON."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Gathering
from tests.events.conftest import a_working_afternoon, photo_file, report
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def payload(city, **overrides) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "online_to_offline",
        "grid": city.grid.code,
        "location_name": "东大街网红墙",
        "starts_at": a_working_afternoon().isoformat(),
        "estimated_attendance_min": 200,
        "estimated_attendance_max": 600,
        "source": "online_monitoring",
        "online_hype": True,
    }
    data.update(overrides)
    return data


def test_logging_through_the_api_is_idempotent(city, users):
    client = api(users.grid_worker)
    data = payload(city)
    first = client.post(reverse("v1:gathering-list"), data, format="json")
    again = client.post(reverse("v1:gathering-list"), data, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    body = first.json()
    assert body["risk_level"] == "orange"  # 600 is yellow at a free location, raised by the online hype
    assert body["risk_reasons"][0] == "A free location has no safe capacity: the attendance bands apply."
    assert Gathering.objects.count() == 1


def test_bad_input_is_a_400_naming_the_field(city, users):
    client = api(users.grid_worker)
    response = client.post(reverse("v1:gathering-list"), payload(city, grid="999999"), format="json")
    assert response.status_code == 400 and response.json()["field"] == "grid"
    response = client.post(reverse("v1:gathering-list"), payload(city, estimated_attendance_max=0), format="json")
    assert response.status_code == 400
    response = client.post(
        reverse("v1:gathering-list"),
        payload(city, estimated_attendance_min=900, estimated_attendance_max=100),
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "estimated_attendance_min"
    assert not Gathering.objects.exists()


def test_logging_outside_the_territory_is_a_403(city, users, places):
    response = api(users.grid_worker).post(
        reverse("v1:gathering-list"), payload(city, grid=places.grid2.code), format="json"
    )
    assert response.status_code == 403


def test_the_list_is_scoped_filtered_and_paginated(city, users, places, other_township_officer):
    for i in range(3):
        report(users.grid_worker, grid=city.grid, title=f"东{i}")
    report(other_township_officer, grid=places.grid2, title="西", estimated_attendance_max=3000)
    mine = api(users.township_officer).get(reverse("v1:gathering-list")).json()
    assert mine["count"] == 3 and {r["title"] for r in mine["results"]} == {"东0", "东1", "东2"}
    leader = api(users.leader)
    assert leader.get(reverse("v1:gathering-list")).json()["count"] == 4
    red = leader.get(reverse("v1:gathering-list"), {"risk_level": "orange"}).json()
    assert [r["title"] for r in red["results"]] == ["西"]
    paged = leader.get(reverse("v1:gathering-list"), {"page_size": 2}).json()
    assert len(paged["results"]) == 2 and paged["next"]
    assert leader.get(reverse("v1:gathering-list"), {"status": "bogus"}).status_code == 400


def test_list_queries_are_pinned(city, users, django_assert_max_num_queries):
    for i in range(3):
        report(users.grid_worker, grid=city.grid, title=f"聚集{i}")
    client = api(users.leader)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("v1:gathering-list")).status_code == 200
    for i in range(3, 25):
        report(users.grid_worker, grid=city.grid, title=f"聚集{i}")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("v1:gathering-list")).status_code == 200


def test_detail_is_scoped(city, users, other_township_officer):
    gathering = report(users.grid_worker, grid=city.grid)
    url = reverse("v1:gathering-detail", args=[gathering.pk])
    assert_scoped_access(url, owner=users.grid_worker, outsider=other_township_officer)
    assert_scoped_access(
        reverse("v1:gathering-verify", args=[gathering.pk]),
        owner=users.township_officer,
        outsider=other_township_officer,
        method="post",
        data={},
    )


def test_the_life_of_a_gathering_through_the_api(city, users, places):
    gathering = report(users.grid_worker, venue=places.square, starts_at=timezone.now() - dt.timedelta(hours=1))
    officer, police = api(users.township_officer), api(users.staff)
    base = f"/api/v1/gatherings/{gathering.pk}/"
    assert officer.post(base + "verify/", {"note": "现场核实"}, format="json").status_code == 200
    assert (
        api(users.grid_worker).post(base + "risk-level/", {"level": "red", "reason": "x"}, format="json").status_code
        == 403
    )
    body = police.post(base + "risk-level/", {"level": "red", "reason": "人流持续增加"}, format="json").json()
    assert (
        body["risk_level"] == "red" and body["risk_reasons"] == ["人流持续增加"] and body["risk_source"] == "override"
    )
    measure = police.post(base + "measures/", {"kind": "upstream_holding", "applied_by_unit": "巡特警"}, format="json")
    assert measure.status_code == 201
    patched = police.patch(base + f"measures/{measure.json()['id']}/", {"effect": "人数受控"}, format="json")
    assert patched.json()["effect"] == "人数受控"
    assert api(users.grid_worker).post(base + "headcounts/", {"count": 1800}, format="json").status_code == 201
    assert len(officer.get(base + "headcounts/").json()) == 1
    photo = api(users.grid_worker).post(base + "photos/", {"photos": [photo_file()]}, format="multipart")
    assert photo.status_code == 201
    decision = officer.post(base + "decisions/", {"kind": "suspend", "reason": "人数逼近安全容量"}, format="json")
    assert decision.json()["status"] == "suspended"
    assert officer.post(base + "decisions/", {"kind": "suspend", "reason": "again"}, format="json").status_code == 400
    officer.post(base + "decisions/", {"kind": "resume", "reason": "已疏导"}, format="json")
    ended = api(users.grid_worker).post(base + "end/", {}, format="json").json()
    assert ended["status"] == "ended"
    assert [d["kind"] for d in ended["decisions"]] == ["suspend", "resume"]
    assert len(ended["measures"]) == 2 and len(ended["photos"]) == 1


def test_merge_and_dismiss(city, users):
    first = report(users.grid_worker, grid=city.grid)
    second = report(users.grid_worker, grid=city.grid)
    third = report(users.grid_worker, grid=city.grid)
    officer = api(users.township_officer)
    merged = officer.post(f"/api/v1/gatherings/{second.pk}/merge/", {"into": first.pk}, format="json").json()
    assert merged["status"] == "merged" and merged["merged_into"] == first.pk
    assert officer.post(f"/api/v1/gatherings/{third.pk}/dismiss/", {}, format="json").status_code == 400
    assert (
        officer.post(f"/api/v1/gatherings/{third.pk}/dismiss/", {"reason": "误报"}, format="json").json()["status"]
        == "dismissed"
    )


def test_patch_updates_and_retriages(city, users, places):
    gathering = report(users.grid_worker, venue=places.square, estimated_attendance_max=500)
    response = api(users.township_officer).patch(
        f"/api/v1/gatherings/{gathering.pk}/", {"estimated_attendance_max": 2600}, format="json"
    )
    assert response.status_code == 200 and response.json()["risk_level"] == "red"


def test_the_attention_list_and_key_dates(city, users):
    report(users.grid_worker, grid=city.grid, title="大型", estimated_attendance_max=6000)
    report(users.grid_worker, grid=city.grid, title="小型")
    attention = api(users.leader).get(reverse("v1:gathering-attention")).json()
    assert [r["title"] for r in attention["results"]] == ["大型"]
    key_dates = api(users.leader).get(reverse("v1:gathering-key-dates")).json()
    lantern = next(k for k in key_dates if k["name"] == "元宵节")
    assert lantern["rule"] == "holiday" and lantern["offset_days"] == 14 and lantern["next_starts_on"]


def test_the_list_item_is_what_drf_gives(city, users, places):
    """``GatheringOutputSerializer``'s hand-written item equals DRF's generic output field for field (issue 19):
    at a venue and on a grid, with coordinates, a phone masked or revealed, a pre-level from facts and levels from
    words, merged, of a key date, with a headcount, times set or not, in two time zones; and the list API answers
    exactly those items."""
    from decimal import Decimal

    from rest_framework import serializers

    from crowdsafe.common.pii import PHONE
    from events.api.serializers import GatheringOutputSerializer
    from events.models import KeyDate
    from tests.helpers.serializers import assert_items_are_drfs

    at_venue = report(users.grid_worker, venue=places.square, title="庙会 <b>&", organizer_phone="13812345678")
    on_grid = report(
        users.grid_worker,
        grid=city.grid,
        latitude=Decimal("36.097512"),
        longitude=Decimal("114.392100"),
        online_hype=True,
        kind="online_to_offline",
        source="online_monitoring",
    )
    merged = report(users.grid_worker, grid=city.grid, title="重复")
    Gathering.objects.filter(pk=merged.pk).update(merged_into=on_grid)
    key_date = KeyDate.objects.order_by("pk").first()
    assert key_date is not None
    Gathering.objects.filter(pk=on_grid.pk).update(
        key_date=key_date,
        occurrence_on=dt.date(2027, 2, 6),
        latest_headcount=321,
        latest_headcount_at=dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC),
        risk_level="orange",
        risk_source="staff",
        risk_reasons=["人流密集"],
        ends_at=None,
    )
    gatherings = list(Gathering.objects.select_related("venue", "grid", "key_date").order_by("pk"))
    assert any(g.risk_source == "triage" and g.risk_facts for g in gatherings)
    assert_items_are_drfs(GatheringOutputSerializer, gatherings, contexts=({}, {"reveal": {PHONE}}))
    with timezone.override("Asia/Shanghai"):
        answer = api(users.leader).get(reverse("v1:gathering-list"), {"page_size": 200}).json()
        expected = {
            g.pk: serializers.ModelSerializer.to_representation(GatheringOutputSerializer(g), g) for g in gatherings
        }
    assert {item["id"]: item for item in answer["results"]} == expected
    shown = {item["id"]: item for item in answer["results"]}
    assert shown[at_venue.pk]["organizer_phone"] == "138****5678"
    assert shown[at_venue.pk]["venue"] == {"id": places.square.pk, "name": places.square.name}
    assert shown[merged.pk]["merged_into"] == on_grid.pk
    assert shown[on_grid.pk]["latitude"] == "36.097512"
