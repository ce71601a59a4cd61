"""The venues API: scoped like the pages, capacity fields with their working, nested zones and exits, bad
input as a 400 with the field, and a fixed number of queries for the list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from crowdsafe.org.choices import DepartmentKind, Role
from crowdsafe.org.services import grant_to_department
from tests.factories import DepartmentFactory, member
from tests.helpers.access import assert_scoped_access
from tests.venues.conftest import add_square_zone_and_exits, make_venue
from venues.models import Venue, Zone

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def partner(city, venue):
    fire = DepartmentFactory(name="梅河口市消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.meihekou)
    user = member(role=Role.STAFF, department=fire).user
    grant_to_department(obj=venue, codename="view_venue", department=fire, actor=None)
    return user


def test_the_acceptance_square_through_the_api(venue, users):
    zone = add_square_zone_and_exits(venue)
    body = client_for(users.township_officer).get(f"/api/v1/venues/{venue.pk}/").json()
    assert (body["area_capacity"], body["exit_capacity"], body["safe_capacity"], body["binding_limit"]) == (
        10_000,
        5_248,
        5_248,
        "exits",
    )
    assert body["declared_capacity"] == 6000 and body["capacity_warning"] is True
    assert any("5,248" in line for line in body["working"])
    [zone_body] = body["zones"]
    assert zone_body["id"] == zone.pk
    assert (zone_body["area_capacity"], zone_body["exit_capacity"], zone_body["safe_capacity"]) == (
        10_000,
        5_248,
        5_248,
    )
    assert zone_body["binding_limit"] == "exits" and zone_body["working"]
    assert {e["name"] for e in body["exits"]} == {"出口1", "出口2", "出口3"}
    assert body["grid"]["code"] == "410502001001G01" and body["operator"]["credit_code"] == "91410502MA0000001F"


def test_venue_detail_owner_partner_outsider(venue, users, partner):
    assert_scoped_access(
        f"/api/v1/venues/{venue.pk}/", owner=users.township_officer, partner=partner, outsider=users.outsider
    )
    assert_scoped_access(
        f"/api/v1/venues/{venue.pk}/zones/", owner=users.township_officer, partner=partner, outsider=users.outsider
    )


def test_a_partner_may_read_but_not_change_and_an_outsider_is_not_told_the_venue_exists(venue, users, partner):
    assert client_for(partner).patch(f"/api/v1/venues/{venue.pk}/", {"name": "改名"}, format="json").status_code == 403
    response = client_for(users.outsider).patch(f"/api/v1/venues/{venue.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 404
    venue.refresh_from_db()
    assert venue.name == "人民广场"


def test_the_list_is_scoped_filtered_and_carries_the_capacity(city, venue, users):
    add_square_zone_and_exits(venue)
    make_venue(city.grid, name="东大街商场", kind="commercial")
    client = client_for(users.township_officer)
    body = client.get("/api/v1/venues/").json()
    assert body["count"] == 2
    square = next(row for row in body["results"] if row["id"] == venue.pk)
    assert square["safe_capacity"] == 5_248 and square["binding_limit"] == "exits"
    assert client.get("/api/v1/venues/", {"kind": "commercial"}).json()["count"] == 1
    assert client.get("/api/v1/venues/", {"capacity_warning": "true"}).json()["count"] == 1
    assert client_for(users.outsider).get("/api/v1/venues/").json()["count"] == 0


def test_the_list_keeps_a_fixed_number_of_queries_whatever_the_page_size(city, users):
    client = client_for(users.leader)
    for i in range(3):
        add_square_zone_and_exits(make_venue(city.grid, name=f"场所{i:03d}"))
    client.get("/api/v1/venues/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/venues/", {"page_size": 3}).status_code == 200
    for i in range(3, 40):
        add_square_zone_and_exits(make_venue(city.grid, name=f"场所{i:03d}"))
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/venues/", {"page_size": 40}).json()
    assert len(body["results"]) == 40 and all(row["safe_capacity"] == 5_248 for row in body["results"])
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]


def test_creating_a_venue(city, users):
    response = client_for(users.township_officer).post(
        "/api/v1/venues/",
        {
            "name": "东大街文化广场",
            "kind": "square",
            "grid": city.grid.code,
            "latitude": "36.097600",
            "longitude": "114.392300",
            "operator_credit_code": city.organisation.credit_code,
            "declared_capacity": 2000,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["safe_capacity"] is None and body["working"][0].startswith("No zones are recorded")
    assert Venue.objects.get(pk=body["id"]).operator == city.organisation


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "castle"}, "kind"),
        ({"grid": "999999999999"}, "grid"),
        ({"grid": "410502001"}, "grid"),
        ({"latitude": "95", "longitude": "114"}, "latitude"),
        ({"latitude": "abc", "longitude": "114"}, "latitude"),
        ({"latitude": "36.1234567", "longitude": "114"}, "latitude"),
        ({"declared_capacity": -5}, "declared_capacity"),
        ({"operator_credit_code": "91410502MA9999999A"}, "operator_credit_code"),
        ({"fire_inspection_date": "2026-13-45"}, "fire_inspection_date"),
    ],
)
def test_bad_input_is_a_400_with_the_field(city, users, payload, field):
    data = {"name": "坏数据广场", "kind": "square", "grid": city.grid.code, **payload}
    response = client_for(users.township_officer).post("/api/v1/venues/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Venue.objects.exists()


def test_a_domain_refusal_is_a_400_naming_the_field(city, users):
    data = {"name": "半个坐标", "kind": "square", "grid": city.grid.code, "latitude": "36.1"}
    response = client_for(users.township_officer).post("/api/v1/venues/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Give both the latitude and the longitude, or neither.",
        "code": "invalid",
        "field": "longitude",
    }


def test_creating_outside_the_territory_is_refused(city, users):
    from tests.factories import JurisdictionFactory

    other = JurisdictionFactory(code="410503001001", name="红旗路社区", level="community", parent=city.beiguan_street)
    data = {"name": "北关广场", "kind": "square", "grid": other.code}
    assert client_for(users.township_officer).post("/api/v1/venues/", data, format="json").status_code == 403


def test_patch_and_put(venue, users):
    client = client_for(users.township_officer)
    body = client.patch(f"/api/v1/venues/{venue.pk}/", {"declared_capacity": 100}, format="json").json()
    assert body["declared_capacity"] == 100
    full = {"name": "人民广场（南区）", "kind": "park", "grid": venue.grid.code}
    body = client.put(f"/api/v1/venues/{venue.pk}/", full, format="json").json()
    assert (body["name"], body["kind"], body["latitude"], body["declared_capacity"]) == (
        "人民广场（南区）",
        "park",
        None,
        None,
    )
    assert client.put(f"/api/v1/venues/{venue.pk}/", {"name": "x"}, format="json").status_code == 400


def test_deactivating_through_the_api(venue, users):
    client = client_for(users.township_officer)
    assert client.post(f"/api/v1/venues/{venue.pk}/deactivate/", {}, format="json").status_code == 400
    body = client.post(f"/api/v1/venues/{venue.pk}/deactivate/", {"reason": "已拆除"}, format="json").json()
    assert body["is_active"] is False


def test_zones_and_exits_nested_under_the_venue(venue, users):
    client = client_for(users.township_officer)
    response = client.post(
        f"/api/v1/venues/{venue.pk}/zones/",
        {"name": "主区", "kind": "standing", "usable_area_m2": "5000"},
        format="json",
    )
    assert response.status_code == 201
    zone = response.json()
    assert zone["area_capacity"] == 10_000 and zone["exit_capacity"] == 0
    for name in ("东门", "西门", "南门"):
        response = client.post(
            f"/api/v1/venues/{venue.pk}/exits/",
            {"name": name, "kind": "level", "clear_width_m": "4", "zones": [zone["id"]]},
            format="json",
        )
        assert response.status_code == 201 and response.json()["zones"] == [zone["id"]]
    zone = client.get(f"/api/v1/venues/{venue.pk}/zones/{zone['id']}/").json()
    assert (zone["safe_capacity"], zone["binding_limit"]) == (5_248, "exits")
    zone = client.patch(
        f"/api/v1/venues/{venue.pk}/zones/{zone['id']}/", {"usable_area_m2": "1000"}, format="json"
    ).json()
    assert (zone["safe_capacity"], zone["binding_limit"]) == (2_000, "area")
    exits = client.get(f"/api/v1/venues/{venue.pk}/exits/").json()
    assert len(exits) == 3
    assert client.delete(f"/api/v1/venues/{venue.pk}/exits/{exits[0]['id']}/").status_code == 204
    assert client.delete(f"/api/v1/venues/{venue.pk}/zones/{zone['id']}/").status_code == 204
    assert not Zone.objects.exists()


def test_nested_bad_input_is_a_400(venue, users, city):
    client = client_for(users.township_officer)
    url = f"/api/v1/venues/{venue.pk}/zones/"
    assert (
        client.post(url, {"name": "看台", "kind": "seated", "usable_area_m2": "800"}, format="json").status_code == 400
    )
    assert client.post(url, {"name": "A", "kind": "standing", "usable_area_m2": "0"}, format="json").status_code == 400
    assert client.post(url, {"name": "A", "kind": "standing", "usable_area_m2": "x"}, format="json").status_code == 400
    other = make_venue(city.grid, name="别的场所")
    foreign = client.post(
        f"/api/v1/venues/{other.pk}/zones/", {"name": "A", "kind": "standing", "usable_area_m2": "10"}, format="json"
    ).json()
    response = client.post(
        f"/api/v1/venues/{venue.pk}/exits/",
        {"name": "东门", "clear_width_m": "3", "zones": [foreign["id"]]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "zones"
    assert client.get(f"/api/v1/venues/{venue.pk}/zones/{foreign['id']}/").status_code == 404


def test_bad_filters_are_a_400(users):
    response = client_for(users.leader).get("/api/v1/venues/", {"kind": "castle"})
    assert response.status_code == 400 and "kind" in response.json()


def test_risk_point_photos_are_linked_through_the_scoped_view(venue, users):
    from tests.venues.test_services import photo
    from venues import services

    point = services.risk_point_create(venue=venue, actor=None, kind="ramp", notes="北坡", photo=photo())
    body = client_for(users.township_officer).get(f"/api/v1/venues/{venue.pk}/").json()
    [risk] = body["risk_points"]
    assert risk["photo"] == f"http://testserver/venues/{venue.pk}/risk-points/{point.pk}/photo/"
