"""The venue pages: scoped (owner, partner with a grant, outsider 404), a list with a fixed number of queries,
and the forms that call the services."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from crowdsafe.audit.selectors import timeline_for
from crowdsafe.org.choices import DepartmentKind, Role
from crowdsafe.org.services import grant_to_department
from tests.factories import DepartmentFactory, member
from tests.helpers.access import assert_scoped_access
from tests.venues.conftest import add_square_zone_and_exits, make_venue
from venues.choices import ZoneKind
from venues.models import Exit, Venue, Zone

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def partner(city, venue):
    fire = DepartmentFactory(name="梅河口市消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.meihekou)
    user = member(role=Role.STAFF, department=fire).user
    grant_to_department(obj=venue, codename="view_venue", department=fire, actor=None)
    return user


def test_the_venue_page_is_scoped(venue, users, partner):
    assert_scoped_access(
        reverse("venues:venue_detail", args=[venue.pk]),
        owner=users.township_officer,
        partner=partner,
        outsider=users.outsider,
    )


def test_the_edit_page_is_404_for_outsiders_and_403_for_a_partner_who_may_only_look(venue, users, partner):
    url = reverse("venues:venue_edit", args=[venue.pk])
    assert client_for(users.township_officer).get(url).status_code == 200
    assert client_for(partner).get(url).status_code == 403
    assert client_for(users.outsider).get(url).status_code == 404
    zone_url = reverse("venues:zone_form", args=[venue.pk])
    assert client_for(users.outsider).post(zone_url, {"name": "x"}).status_code == 404


def test_the_venue_page_shows_the_capacity_with_its_working_zones_exits_and_history(venue, users):
    add_square_zone_and_exits(venue)
    response = client_for(users.township_officer).get(
        reverse("venues:venue_detail", args=[venue.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-safe-capacity>5,248<" in html
    assert "2 × 4 m level × 82 persons per metre per minute × 8 minutes = 5,248" in html
    assert "exceeds the computed safe capacity" in html  # declared 6,000
    assert "广场主区" in html and "出口3" in html
    assert "data-venue-map" in html and "vendor/leaflet/leaflet.js" in html
    assert "data-timeline" in html


def test_the_list_shows_the_venues_and_keeps_a_fixed_number_of_queries(city, users, django_assert_max_num_queries):
    client = client_for(users.leader)
    url = reverse("venues:venue_list")
    for i in range(3):
        make_venue(city.grid, name=f"场所{i:03d}")
    client.get(url)  # warm the session and the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(3, 80):
        make_venue(city.grid, name=f"场所{i:03d}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("/venues/") > 50
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, {"page": 2})


def test_the_list_filters_and_an_invalid_filter_is_ignored(city, users):
    make_venue(city.grid, name="东大街广场")
    make_venue(city.grid, name="东大街商场", kind="commercial")
    client = client_for(users.leader)
    html = client.get(reverse("venues:venue_list"), {"kind": "commercial"}).content.decode()
    assert "东大街商场" in html and "东大街广场" not in html
    response = client.get(reverse("venues:venue_list"), {"kind": "castle", "operator": "abc"})
    assert response.status_code == 200 and "东大街广场" in response.content.decode()


def test_a_township_officer_adds_a_venue_through_the_form(city, users):
    client = client_for(users.township_officer)
    response = client.post(
        reverse("venues:venue_create"),
        {
            "name": "东大街文化广场",
            "kind": "square",
            "grid": city.grid.code,
            "latitude": "36.0976",
            "longitude": "114.3923",
            "fire_inspection_status": "not_inspected",
            "operator_credit_code": "",
        },
    )
    venue = Venue.objects.get(name="东大街文化广场")
    assert response.status_code == 302 and response.url == reverse("venues:venue_detail", args=[venue.pk])
    assert timeline_for(subject=venue)[0].actor == users.township_officer


def test_the_form_shows_the_services_refusal_next_to_the_field(city, users):
    client = client_for(users.township_officer)
    response = client.post(
        reverse("venues:venue_create"),
        {
            "name": "半个坐标",
            "kind": "square",
            "grid": city.grid.code,
            "latitude": "36.1",
            "fire_inspection_status": "not_inspected",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Give both the latitude and the longitude, or neither." in response.content.decode()
    response = client.post(
        reverse("venues:venue_create"),
        {"name": "错网格", "kind": "square", "grid": "410503001", "fire_inspection_status": "not_inspected"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "a venue is placed in a grid or a village/community" in response.content.decode()
    assert not Venue.objects.exists()


def test_a_venue_operator_adds_a_venue_for_their_own_organisation(city, operator):
    response = client_for(operator.user).post(
        reverse("venues:venue_create"),
        {
            "name": "人民广场",
            "kind": "square",
            "grid": city.grid.code,
            "operator": operator.organisation.pk,
            "fire_inspection_status": "not_inspected",
        },
    )
    assert response.status_code == 302
    assert Venue.objects.get().operator == operator.organisation


def test_users_who_keep_no_register_cannot_open_the_add_page(users):
    assert client_for(users.grid_worker).get(reverse("venues:venue_create")).status_code == 403


def test_zones_and_exits_are_added_through_their_forms(venue, users):
    client = client_for(users.township_officer)
    response = client.post(
        reverse("venues:zone_form", args=[venue.pk]), {"name": "看台", "kind": ZoneKind.SEATED, "usable_area_m2": "800"}
    )
    assert response.status_code == 200  # seats missing
    client.post(
        reverse("venues:zone_form", args=[venue.pk]),
        {"name": "看台", "kind": ZoneKind.SEATED, "usable_area_m2": "800", "seats": "600"},
    )
    zone = Zone.objects.get()
    response = client.post(
        reverse("venues:exit_form", args=[venue.pk]),
        {"name": "北门", "kind": "level", "clear_width_m": "3.5", "zones": [zone.pk]},
    )
    assert response.status_code == 302
    assert list(Exit.objects.get().zones.all()) == [zone]
    client.post(reverse("venues:zone_delete", args=[venue.pk, zone.pk]))
    assert not Zone.objects.exists()


def test_deactivating_from_the_page_needs_a_reason(venue, users):
    client = client_for(users.township_officer)
    client.post(reverse("venues:venue_deactivate", args=[venue.pk]), {"reason": ""})
    venue.refresh_from_db()
    assert venue.is_active
    client.post(reverse("venues:venue_deactivate", args=[venue.pk]), {"reason": "已拆除"})
    venue.refresh_from_db()
    assert not venue.is_active


def test_the_export_has_the_filtered_list_in_the_import_format(city, users, operator):
    make_venue(city.grid, name="东大街广场", operator=operator.organisation, declared_capacity=3000)
    make_venue(city.grid, name="东大街商场", kind="commercial")
    response = client_for(users.leader).get(reverse("venues:venue_export"), {"kind": "square"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("场所名称", "场所类型", "所在网格/社区代码")
    assert rows[1:] == [
        (
            "东大街广场",
            "广场",
            "410502001001G01",
            "安阳市文峰区人民大道1号",
            36.0976,
            114.3923,
            "91410502MA0000001F",
            None,
            None,
            3000,
        )
    ]


def test_an_outsider_gets_an_empty_export(city, users):
    make_venue(city.grid)
    response = client_for(users.outsider).get(reverse("venues:venue_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.max_row == 1


def test_the_navigation_offers_venues_to_government_users_and_venue_operators(users, operator):
    link = f'href="{reverse("venues:venue_list")}"'
    assert link in client_for(users.township_officer).get(reverse("home")).content.decode()
    assert link in client_for(operator.user).get(reverse("home")).content.decode()
    assert link not in client_for(users.organizer).get(reverse("home")).content.decode()


def test_a_risk_point_photo_is_served_only_to_those_who_may_see_the_venue(venue, users, partner):
    from tests.venues.test_services import photo
    from venues import services

    point = services.risk_point_create(venue=venue, actor=None, kind="steps", photo=photo())
    url = reverse("venues:risk_photo", args=[venue.pk, point.pk])
    assert (
        url in client_for(users.township_officer).get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    )
    assert_scoped_access(url, owner=users.township_officer, partner=partner, outsider=users.outsider)
    response = client_for(users.township_officer).get(url)
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
