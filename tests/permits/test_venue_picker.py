"""The venue of a permit application is picked by search, not from a list of every venue (issue 18 point 4): at
10,000 venues the old <select> made /permits/new/ take ~25 s. The form's field searches the venues the applicant
may choose — as you type (GET permits:venue_picker, only organizers, only their city) or, without script, when
the form is sent (part of a name); the service refuses a venue of another city whatever the client sends."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from crowdsafe.errors import DomainError
from crowdsafe.org.choices import JurisdictionLevel
from permits import services
from permits.models import PermitApplication
from tests.factories import JurisdictionFactory
from tests.forms.conftest import signed_in
from tests.permits.conftest import build_application
from venues import services as venue_services
from venues.choices import VenueKind
from venues.models import Venue

pytestmark = pytest.mark.django_db

MANY = 10_000


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def elsewhere(city):
    """A venue in 梅河口市, another city than the applicant's (安阳市)."""
    community = JurisdictionFactory(
        code="220581100001", name="山城社区", level=JurisdictionLevel.COMMUNITY, parent=city.mhk_town
    )
    return venue_services.venue_create(actor=None, name="梅河口体育馆", kind=VenueKind.STADIUM, grid=community)


def _many_venues(city, n: int = MANY) -> None:
    Venue.objects.bulk_create(
        [
            Venue(
                name=f"测试场所{i:05d}",
                kind=VenueKind.SQUARE,
                grid=city.grid,
                jurisdiction_path=city.grid.path,
                address=f"安阳市文峰区测试路{i}号",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )


def _new_form(organisation, **overrides) -> dict:
    data = {"organisation": organisation.pk, "event_name": "新春灯会", "event_kind": "garden_fair"}
    data.update(overrides)
    return data


# --- the pages at scale ----------------------------------------------------------------------------------------


def test_at_10000_venues_the_new_application_page_lists_none_of_them(permit_city, stadium):
    _many_venues(permit_city.city)
    client = signed_in(permit_city.users.organizer)
    client.get(reverse("permits:application_create"))  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        response = client.get(reverse("permits:application_create"))
        elapsed = time.monotonic() - started
    html = response.content.decode()
    assert response.status_code == 200
    assert len(queries) <= 15, [q["sql"] for q in queries]
    assert "测试场所" not in html and 'name="venue"' in html
    print(f"new application page at {MANY} venues: {len(queries)} queries, {len(html)} bytes, {elapsed:.3f} s")
    assert len(html) < 60_000, len(html)  # the 10,000 options alone were ~1 MB
    assert elapsed < 2, elapsed
    assert f'data-picker-url="{reverse("permits:venue_picker")}' in html


def test_at_10000_venues_the_portal_form_shows_only_the_chosen_venue(permit_city, stadium):
    _many_venues(permit_city.city)
    draft = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        complete=False,
    )
    client = signed_in(permit_city.users.organizer)
    client.get(reverse("permits:application_edit", args=[draft.pk]))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("permits:application_edit", args=[draft.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(queries) <= 40, len(queries)
    assert "测试场所" not in html
    assert 'value="文峰体育中心体育场（东大街社区第一网格）"' in html


# --- the search as you type --------------------------------------------------------------------------------------


def test_the_picker_finds_the_organizers_venues_by_part_of_the_name(permit_city, stadium, elsewhere):
    _many_venues(permit_city.city, 50)
    client = signed_in(permit_city.users.organizer)
    url = reverse("permits:venue_picker")
    rows = client.get(url, {"q": "体育"}).json()["results"]
    assert [r["name"] for r in rows] == ["文峰体育中心体育场（东大街社区第一网格）"]  # not 梅河口体育馆
    assert rows[0]["code"] == str(stadium.venue.pk)
    assert len(client.get(url, {"q": "测试场所"}).json()["results"]) == 20  # bounded
    assert client.get(url, {"q": ""}).json()["results"] == []
    scoped = client.get(url, {"q": "体育", "organisation": permit_city.city.organisation.pk}).json()["results"]
    assert len(scoped) == 1


def test_the_picker_is_for_organizers_of_their_own_organisations(permit_city, stadium, users):
    url = reverse("permits:venue_picker")
    assert signed_in(users.grid_worker).get(url, {"q": "体育"}).status_code == 403
    # An organizer asking for someone else's organisation gets nothing of it.
    other = signed_in(permit_city.other_organizer)
    assert other.get(url, {"q": "体育", "organisation": permit_city.city.organisation.pk}).status_code == 403
    response = signed_in(permit_city.users.organizer).post(url, {"q": "体育"})
    assert response.status_code == 405
    anonymous = signed_in(permit_city.users.organizer)
    anonymous.logout()
    assert anonymous.get(url, {"q": "体育"}).status_code == 302


# --- without script: the name is searched when the form is sent -------------------------------------------------


def test_without_script_a_typed_part_of_the_name_chooses_the_venue(permit_city, stadium):
    client = signed_in(permit_city.users.organizer)
    response = client.post(
        reverse("permits:application_create"), _new_form(permit_city.city.organisation, venue="体育中心")
    )
    assert response.status_code == 302, response.context["form"].errors
    assert PermitApplication.objects.get().venue == stadium.venue


def test_a_picked_venue_is_sent_by_its_id_and_shown_again_by_name(permit_city, stadium):
    client = signed_in(permit_city.users.organizer)
    response = client.post(
        reverse("permits:application_create"),
        _new_form(permit_city.city.organisation, venue=str(stadium.venue.pk), event_name=""),
    )
    assert response.status_code == 200
    assert 'value="文峰体育中心体育场（东大街社区第一网格）"' in response.content.decode()


def test_several_or_no_matches_are_said_next_to_the_field(permit_city, stadium):
    _many_venues(permit_city.city, 8)
    client = signed_in(permit_city.users.organizer)
    url = reverse("permits:application_create")
    errors = client.post(url, _new_form(permit_city.city.organisation, venue="测试场所")).context["form"].errors
    assert "Several venues match “测试场所”" in errors["venue"][0]
    assert errors["venue"][0].count("测试场所0") == 5
    errors = client.post(url, _new_form(permit_city.city.organisation, venue="不存在的场馆")).context["form"].errors
    assert "No venue you may choose is called “不存在的场馆”" in errors["venue"][0]
    assert not PermitApplication.objects.exists()


def test_a_venue_of_another_city_is_refused_whatever_the_client_sends(permit_city, stadium, elsewhere):
    client = signed_in(permit_city.users.organizer)
    url = reverse("permits:application_create")
    errors = client.post(url, _new_form(permit_city.city.organisation, venue=str(elsewhere.pk))).context["form"].errors
    assert "venue" in errors
    with pytest.raises(DomainError) as caught:
        services.application_create(
            organisation=permit_city.city.organisation,
            actor=permit_city.users.organizer,
            event_name="灯会",
            venue=elsewhere,
        )
    assert caught.value.field == "venue"
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(permit_city.users.organizer)
    response = api.post(
        reverse("v1:permit-application-list"), {"event_name": "灯会", "venue": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "venue"
    assert not PermitApplication.objects.exists()
