"""One FilterSet per list (crowdsafe/common/filters.py): for the same filter, the page, the API and the selector give
the same rows; a malformed filter value is a form error on the page (the rest of the page still renders) and a 400
naming the parameter in the API, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from crowdsafe.common.filters import FilterSetBackend, ListFilterSet, TerritoryFilter
from events import selectors as event_selectors
from events.choices import GatheringSource
from events.filters import GatheringFilterSet
from tests.events.conftest import report
from tests.venues.conftest import make_venue
from venues import selectors as venue_selectors

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def api_ids(user, url: str, params: dict) -> set[int]:
    response = api_client(user).get(url, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- gatherings -----------------------------------------------------------------------------------------------


@pytest.fixture
def gatherings(city, users):
    from events import services

    big = report(users.grid_worker, grid=city.grid, title="大聚集", estimated_attendance_max=1500)
    verified = report(users.grid_worker, grid=city.grid, title="核实聚集", location_name="东门")
    services.gathering_verify(gathering=verified, actor=users.township_officer)
    hotline = report(users.grid_worker, grid=city.grid, title="热线聚集", source=GatheringSource.HOTLINE)
    return {"big": big, "verified": verified, "hotline": hotline}


GATHERING_CASES = [
    ({"risk_level": "orange"}, {"big"}),
    ({"status": "verified"}, {"verified"}),
    ({"status": "open"}, {"big", "verified", "hotline"}),
    ({"source": "hotline"}, {"hotline"}),
    ({"q": "东门"}, {"verified"}),
    ({"date_from": "2000-01-01", "date_to": "2000-01-02"}, set()),
    ({"jurisdiction": "999999999999"}, set()),
]


@pytest.mark.parametrize(("params", "expected"), GATHERING_CASES)
def test_the_gathering_page_api_and_selector_give_the_same_rows(city, users, gatherings, params, expected):
    want = {gatherings[name].pk for name in expected}
    leader = users.leader
    assert {g.pk for g in event_selectors.gathering_list(user=leader, filters=params)} == want
    api_params = {("search" if k == "q" else k): v for k, v in params.items()}  # the API's name of q
    assert api_ids(leader, reverse("v1:gathering-list"), api_params) == want
    page = page_client(leader).get(reverse("events:gathering_list"), params).content.decode()
    assert {g.pk for g in gatherings.values() if f">{g.title}</a>" in page} == want


def test_a_malformed_gathering_filter_is_a_form_error_on_the_page_and_a_400_in_the_api(city, users, gatherings):
    response = page_client(users.leader).get(reverse("events:gathering_list"), {"date_from": "31.02.", "kind": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date_from", "kind"}
    # A field with an error counts as not given: the list is the unfiltered one.
    assert all(f">{g.title}</a>" in response.content.decode() for g in gatherings.values())
    for params in ({"date_from": "31.02."}, {"status": "nonsense"}, {"search": "x" * 65}):
        response = api_client(users.leader).get(reverse("v1:gathering-list"), params)
        assert response.status_code == 400 and set(response.json()) == set(params), params


# --- venues ---------------------------------------------------------------------------------------------------


@pytest.fixture
def venues(city):
    from venues import services

    square = make_venue(city.grid, name="人民广场")
    mall = make_venue(city.grid, name="东大街商场", kind="commercial", address="东大街8号")
    closed = make_venue(city.grid, name="旧礼堂", kind="theatre")
    services.venue_deactivate(venue=closed, actor=None, reason="拆除")
    return {"square": square, "mall": mall, "closed": closed}


VENUE_CASES = [
    ({}, {"square", "mall"}),
    ({"kind": "commercial"}, {"mall"}),
    ({"q": "东大街8"}, {"mall"}),
    ({"include_inactive": "on"}, {"square", "mall", "closed"}),
    ({"jurisdiction": "999999999999"}, set()),
]


@pytest.mark.parametrize(("params", "expected"), VENUE_CASES)
def test_the_venue_page_api_and_selector_give_the_same_rows(city, users, venues, params, expected):
    want = {venues[name].pk for name in expected}
    officer = users.township_officer
    assert {v.pk for v in venue_selectors.venue_list(user=officer, filters=params)} == want
    api_params = {("search" if k == "q" else k): ("true" if v == "on" else v) for k, v in params.items()}
    assert api_ids(officer, "/api/v1/venues/", api_params) == want
    response = page_client(officer).get(reverse("venues:venue_list"), params)
    assert {v.pk for v in response.context["page"].object_list} == want


def test_a_malformed_venue_filter_is_a_form_error_on_the_page_and_a_400_in_the_api(users, venues):
    response = page_client(users.township_officer).get(reverse("venues:venue_list"), {"operator": "abc"})
    assert response.status_code == 200 and "operator" in response.context["form"].errors
    response = api_client(users.township_officer).get("/api/v1/venues/", {"operator": "1.5"})
    assert response.status_code == 400 and "operator" in response.json()


# --- the kernel -----------------------------------------------------------------------------------------------


def test_a_selector_reuses_the_filterset_the_page_built_so_a_division_code_is_looked_up_once(
    city, users, django_assert_num_queries
):
    filterset = GatheringFilterSet({"jurisdiction": city.street.code})
    with django_assert_num_queries(1):
        path = filterset.territory_path()
        assert GatheringFilterSet.of(filterset) is filterset
        assert filterset.territory_path() == path == city.street.path


def test_of_refuses_a_filterset_of_another_list():
    from venues.filters import VenueFilterSet

    with pytest.raises(TypeError):
        GatheringFilterSet.of(VenueFilterSet({}))


def test_every_converted_list_api_checks_its_filters_with_the_filterset_backend():
    from drills.api import views as drills
    from events.api import views as events_api
    from permits.api import views as permits
    from risk.api import views as risk
    from venues.api import views as venues_api

    views = [
        events_api.GatheringListApi,
        venues_api.VenueListApi,
        permits.ApplicationListApi,
        permits.ReviewQueueApi,
        risk.AssessmentListApi,
        risk.RegisterListApi,
        risk.HazardListApi,
        drills.PlanListApi,
        drills.DrillListApi,
        drills.ItemListApi,
    ]
    for view in views:
        assert view.filter_backends == [FilterSetBackend], view
        assert issubclass(view.filterset_class, ListFilterSet), view


def test_an_unknown_division_code_matches_nothing_rather_than_everything(city):
    territory = TerritoryFilter()
    assert territory.path_of("") is None
    assert territory.path_of("999999999999") == TerritoryFilter.NO_PATH
