"""Jurisdictions' boundaries (issue 17 point 3): the upload's checks (kernel upload check, then the geometry), the
administrator's upload in the admin, the scoped and cached GeoJSON endpoint (owner / partner / outsider), the
screen token's endpoint, the demo city's approximate boundaries, and the WGS-84 → GCJ-02 shift of the map script
against published reference values."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from crowdsafe.audit.models import ActionLog
from crowdsafe.common.files import UploadRefused
from crowdsafe.errors import DomainError
from crowdsafe.org import boundaries
from crowdsafe.org.boundaries import read_boundary, read_boundary_upload
from crowdsafe.org.choices import Role
from crowdsafe.org.demo_boundaries import plan, polygon, seed_boundaries
from crowdsafe.org.models import Boundary, Jurisdiction
from crowdsafe.org.services import jurisdiction_set_boundary
from dashboard.services import screen_token_create, screen_token_revoke
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

STREET = (114.33, 36.06, 114.39, 36.12)


def square(box=STREET) -> dict:
    return polygon(box)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def geojson_file(data, name="boundary.geojson") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, raw, content_type="application/geo+json")


def codes(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/geo+json"
    return [f["properties"]["code"] for f in json.loads(response.content)["features"]]


# --- the checks ----------------------------------------------------------------------------------------------


def test_a_polygon_a_feature_and_a_collection_are_read_as_one_geometry():
    assert read_boundary(square()) == square()
    assert read_boundary({"type": "Feature", "properties": {}, "geometry": square()}) == square()
    two = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": square()},
            {"type": "Feature", "geometry": square((114.39, 36.06, 114.45, 36.12))},
        ],
    }
    merged = read_boundary(two)
    assert merged["type"] == "MultiPolygon" and len(merged["coordinates"]) == 2
    # An open ring is closed; heights are dropped; positions kept to 6 decimals.
    ring = [[114.1234567, 36.1, 12.0], [114.2, 36.1], [114.2, 36.2]]
    assert read_boundary({"type": "Polygon", "coordinates": [ring]})["coordinates"][0] == [
        [114.123457, 36.1],
        [114.2, 36.1],
        [114.2, 36.2],
        [114.123457, 36.1],
    ]


@pytest.mark.parametrize(
    "data,words",
    [
        ({"type": "Point", "coordinates": [114.3, 36.1]}, "Point"),
        ({"type": "LineString", "coordinates": [[114.3, 36.1], [114.4, 36.1]]}, "LineString"),
        ({"type": "Polygon", "coordinates": [[[114.3, 96.1], [114.4, 36.1], [114.4, 36.2], [114.3, 96.1]]]}, "96.1"),
        ({"type": "Polygon", "coordinates": [[[36.1, 214.3], [36.1, 114.4], [36.2, 114.4]]]}, "214.3"),
        ({"type": "Polygon", "coordinates": [[["114.3", 36.1], [114.4, 36.1], [114.4, 36.2]]]}, "非数字"),
        ({"type": "Polygon", "coordinates": [[[114.3, 36.1], [114.4, 36.1], [114.3, 36.1]]]}, "三个顶点"),
        ({"type": "FeatureCollection", "features": []}, "没有要素"),
        ({"type": "Polygon", "coordinates": []}, "没有边界环"),
    ],
)
def test_anything_but_polygons_in_range_is_refused_with_a_message(data, words):
    with pytest.raises(UploadRefused) as refused:
        read_boundary(data, field="boundary_file")
    assert words in str(refused.value) and refused.value.field == "boundary_file"


def test_too_many_points_are_refused(monkeypatch):
    monkeypatch.setattr(boundaries, "MAX_POINTS", 4)
    with pytest.raises(UploadRefused, match="简化"):
        read_boundary(polygon((114.0, 36.0, 114.1, 36.1)))  # five positions


def test_the_upload_goes_through_the_kernels_check(settings):
    assert read_boundary_upload(geojson_file(square())) == square()
    assert read_boundary_upload(geojson_file(b"\xef\xbb\xbf  " + json.dumps(square()).encode(), "b.json")) == square()
    refusals = [
        (geojson_file(square(), "boundary.txt"), "upload_type"),
        (geojson_file(b"[1, 2, 3]"), "upload_content"),
        (geojson_file(b"\x89PNG\r\n\x1a\n" + b"0" * 40), "upload_content"),
        (geojson_file(b"{not json"), "upload_content"),
        (geojson_file(b"[" * 100_000 + b"]" * 100_000), "upload_content"),
        (geojson_file(b""), "upload_empty"),
    ]
    for upload, code in refusals:
        with pytest.raises(UploadRefused) as refused:
            read_boundary_upload(upload)
        assert refused.value.code == code, (upload.name, refused.value.code)
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "boundary": 100}
    with pytest.raises(UploadRefused) as refused:
        read_boundary_upload(geojson_file(square()))
    assert refused.value.code == "upload_too_large"


# --- who may set a boundary ------------------------------------------------------------------------------------


@pytest.fixture
def staff_admin(users):
    users.admin.is_staff = True
    users.admin.save(update_fields=["is_staff"])
    return users.admin


@pytest.fixture
def other_city_admin(city):
    user = member(UserFactory(username="u_mhk_admin", is_staff=True), role=Role.ADMIN, jurisdiction=city.meihekou).user
    return user


def change_url(jurisdiction) -> str:
    return reverse("admin:org_jurisdiction_change", args=[jurisdiction.pk])


def test_the_city_administrator_uploads_a_boundary_in_the_admin(city, staff_admin):
    client = client_for(staff_admin)
    page = client.get(change_url(city.street))
    assert page.status_code == 200 and 'name="boundary_file"' in page.content.decode()
    response = client.post(
        change_url(city.street),
        {
            "name": city.street.name,
            "reason": "区划数据",
            "boundary_file": geojson_file(square()),
            "boundary_approximate": "on",
        },
    )
    assert response.status_code == 302
    saved = Boundary.objects.get(jurisdiction=city.street)
    assert saved.geometry == square() and saved.approximate and saved.points == 5
    assert (float(saved.centre_latitude), float(saved.centre_longitude)) == (36.09, 114.36)
    log = ActionLog.objects.get(subject_id=city.street.pk, verb="boundary_set")
    assert log.actor == staff_admin and log.reason == "区划数据"
    # A bad file is a form error and changes nothing.
    bad = client.post(
        change_url(city.street),
        {"name": city.street.name, "boundary_file": geojson_file({"type": "Point", "coordinates": [114.3, 36.1]})},
    )
    assert bad.status_code == 200
    assert "Point" in str(bad.context["adminform"].form.errors["boundary_file"])
    assert Boundary.objects.get(jurisdiction=city.street).geometry == square()
    # Removed on request.
    client.post(change_url(city.street), {"name": city.street.name, "boundary_remove": "on"})
    assert not Boundary.objects.filter(jurisdiction=city.street).exists()


def test_another_citys_administrator_and_outsiders_cannot_upload(city, users, other_city_admin):
    # Partner: the administrator of another city does not even find the jurisdiction.
    response = client_for(other_city_admin).post(
        change_url(city.street), {"name": city.street.name, "boundary_file": geojson_file(square())}
    )
    assert response.status_code == 302 and "/admin/" in response["Location"]
    assert not Boundary.objects.exists()
    # Outsider: a township officer is not let into the admin.
    response = client_for(users.township_officer).post(
        change_url(city.street), {"name": city.street.name, "boundary_file": geojson_file(square())}
    )
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Boundary.objects.exists()
    # The service says no to anyone but the city's administrator, whatever the door.
    for user in (users.leader, users.township_officer, other_city_admin):
        with pytest.raises(DomainError):
            jurisdiction_set_boundary(jurisdiction=city.street, geometry=square(), actor=user)
    assert not Boundary.objects.exists()


# --- the endpoint ------------------------------------------------------------------------------------------------


@pytest.fixture
def bounded(city):
    boxes = {
        city.anyang: (114.2, 35.9, 114.5, 36.3),
        city.wenfeng: (114.33, 36.0, 114.45, 36.12),
        city.street: STREET,
        city.beiguan: (114.2, 36.12, 114.45, 36.22),
        city.meihekou: (125.55, 42.4, 125.85, 42.62),
    }
    for jurisdiction, box in boxes.items():
        jurisdiction_set_boundary(jurisdiction=jurisdiction, geometry=polygon(box), actor=None, approximate=True)
    return boxes


@pytest.fixture
def beiguan_leader(city):
    return member(UserFactory(username="u_beiguan"), role=Role.LEADER, jurisdiction=city.beiguan).user


def test_owner_partner_outsider_each_see_their_own_subtree(city, users, bounded, beiguan_leader):
    url = reverse("org:boundaries")
    assert codes(client_for(users.leader).get(url)) == ["410502", "410502001"]  # owner: 文峰区, largest first
    assert codes(client_for(beiguan_leader).get(url)) == ["410503"]  # partner district: its own only
    assert codes(client_for(users.outsider).get(url)) == []  # 梅河口市's township: nothing of 安阳 (nor above it)
    assert codes(client_for(users.admin).get(url)) == ["410500", "410502", "410503", "410502001"]
    feature = json.loads(client_for(users.leader).get(url).content)["features"][1]
    assert feature["properties"] == {
        "code": "410502001",
        "name": "东大街街道",
        "level": "township",
        "depth": 2,
        "approximate": True,
    }
    assert feature["geometry"] == polygon(STREET)
    # A root narrows it; a root outside the user's territory is a 404, as anything outside it.
    assert codes(client_for(users.admin).get(url, {"root": "410503"})) == ["410503"]
    assert client_for(users.leader).get(url, {"root": "410503"}).status_code == 404
    assert client_for(users.outsider).get(url, {"root": "410502"}).status_code == 404
    assert Client().get(url).status_code == 302  # not signed in
    assert client_for(users.leader).post(url).status_code == 405


def test_the_endpoint_is_cached_per_visible_set_and_follows_a_change(
    city, users, bounded, django_assert_max_num_queries
):
    client = client_for(users.leader)
    url = reverse("org:boundaries")
    first = client.get(url)
    assert "private" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    with django_assert_max_num_queries(4):  # session, user, the visible ids; the body from the cache
        assert client.get(url).content == first.content
    jurisdiction_set_boundary(jurisdiction=city.street, geometry=polygon((114.34, 36.07, 114.38, 36.11)), actor=None)
    changed = json.loads(client.get(url).content)["features"][1]
    assert changed["geometry"] == polygon((114.34, 36.07, 114.38, 36.11))
    assert changed["properties"]["approximate"] is False
    # Another user sharing nothing gets their own answer, never the leader's cached one.
    assert codes(client_for(users.outsider).get(url)) == []


def test_the_screen_token_serves_its_territorys_boundaries(city, users, bounded):
    screen, token = screen_token_create(actor=users.leader, name="文峰区指挥中心", jurisdiction=city.wenfeng)
    url = reverse("dashboard:screen-token-boundaries", args=[token])
    response = Client().get(url)
    assert codes(response) == ["410502", "410502001"]
    assert response["Referrer-Policy"] == "no-referrer"
    page = Client().get(reverse("dashboard:screen-token", args=[token])).content.decode()
    assert f'"boundaries": "{url}"' in page
    assert Client().get(reverse("dashboard:screen-token-boundaries", args=["scr_nonsense"])).status_code == 404
    assert Client().post(url).status_code == 405
    screen_token_revoke(screen=screen, actor=users.admin)
    assert Client().get(url).status_code == 404


# --- the demo city -----------------------------------------------------------------------------------------------


def test_the_demo_boundaries_are_valid_and_hold_the_demo_venues():
    geometries = plan()
    for code, geometry in geometries.items():
        assert read_boundary(geometry) == geometry, code
    assert geometries["410500"]["type"] == "MultiPolygon"

    def inside(code, lat, lng):
        west, south = geometries[code]["coordinates"][0][0]
        east, north = geometries[code]["coordinates"][0][2]
        return west <= lng <= east and south <= lat <= north

    # The demo venues of 东大街街道 and of 林州市's towns (venues/management/commands/seed_demo_venues.py).
    assert inside("410502001", 36.0968, 114.3523) and inside("410502001", 36.0841, 114.3607)
    assert inside("410581001", 36.0832, 113.8201) and inside("410581101", 36.0162, 113.7011)


def test_seeding_the_demo_boundaries_is_idempotent_and_keeps_an_uploaded_one(city, users):
    jurisdiction_set_boundary(jurisdiction=city.street, geometry=square(), actor=users.admin)
    added = seed_boundaries()
    present = set(Jurisdiction.objects.values_list("code", flat=True)) & set(plan())
    assert added == len(present) - 1
    assert seed_boundaries() == 0
    uploaded = Boundary.objects.get(jurisdiction=city.street)
    assert uploaded.geometry == square() and not uploaded.approximate
    assert Boundary.objects.get(jurisdiction=city.wenfeng).approximate


# --- GCJ-02 ------------------------------------------------------------------------------------------------------

NODE = shutil.which("node")
# (WGS-84 lat, lng) → (GCJ-02 lat, lng): wandergis/coordtransform's published example (same constants, exact), and
# eviltransform's three test points (Shanghai, Shenzhen, Beijing; another Earth radius, so within 1e-5° ≈ 1 m).
REFERENCE = [
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938), 1e-12),
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215), 1e-5),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363), 1e-5),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657), 1e-5),
]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_map_script_shifts_wgs84_onto_gcj02_tiles_as_the_reference():
    script = Path(settings.BASE_DIR) / "static" / "js" / "crowdsafe-map.js"
    program = (
        f"global.window = global; require({json.dumps(str(script))});"
        f"const points = {json.dumps([p for p, _q, _t in REFERENCE] + [(48.85, 2.35)])};"
        "console.log(JSON.stringify(points.map(p => window.CrowdSafeMap.wgs84ToGcj02(p[0], p[1]))));"
    )
    shifted = json.loads(subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True).stdout)
    for (_wgs, (lat, lng), tolerance), (got_lat, got_lng) in zip(REFERENCE, shifted, strict=False):
        assert abs(got_lat - lat) < tolerance and abs(got_lng - lng) < tolerance, (lat, lng, got_lat, got_lng)
    assert shifted[-1] == [48.85, 2.35]  # outside China: unchanged
