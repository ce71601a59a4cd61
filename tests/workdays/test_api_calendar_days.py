"""GET /api/v1/calendar/days/: the days of a range."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/calendar/days/"


@pytest.fixture
def api(users) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(users.staff)
    return client


def test_it_lists_every_day_of_the_range_with_its_type_and_name(api):
    response = api.get(URL, {"start": "2026-09-30", "end": "2026-10-11"})
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 12
    assert body[0] == {
        "date": "2026-09-30",
        "type": "working",
        "type_label": "working day",
        "name": "",
        "covered": True,
    }
    assert body[1] == {
        "date": "2026-10-01",
        "type": "holiday",
        "type_label": "statutory holiday",
        "name": "国庆节",
        "covered": True,
    }
    assert body[10]["type"] == "adjusted_working"
    assert body[11]["type"] == "weekend"


def test_days_in_an_uncovered_year_are_flagged(api):
    body = api.get(URL, {"start": "2026-12-31", "end": "2027-01-02"}).json()
    assert [(day["date"], day["type"], day["covered"]) for day in body] == [
        ("2026-12-31", "working", True),
        ("2027-01-01", "provisional_holiday", False),  # 元旦, by the national holiday rules
        ("2027-01-02", "weekend", False),
    ]


def test_a_range_of_a_whole_leap_year_is_allowed_but_not_one_day_more(api):
    assert len(api.get(URL, {"start": "2024-01-01", "end": "2024-12-31"}).json()) == 366
    response = api.get(URL, {"start": "2024-01-01", "end": "2025-01-01"})
    assert response.status_code == 400
    assert response.json() == {"end": ["A range may cover at most 366 days."]}


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"start", "end"}),
        ({"start": "2026-10-01"}, {"end"}),
        ({"start": "2026-02-30", "end": "2026-03-01"}, {"start"}),
        ({"start": "yesterday", "end": "2026-03-01"}, {"start"}),
        ({"start": "2026-10-02", "end": "2026-10-01"}, {"end"}),
    ],
)
def test_bad_input_gets_a_400_with_the_fields(api, params, fields):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == fields


def test_anonymous_callers_are_refused(city):
    assert APIClient().get(URL, {"start": "2026-10-01", "end": "2026-10-02"}).status_code in {401, 403}


def test_a_year_of_days_takes_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert api.get(URL, {"start": "2026-01-01", "end": "2026-12-31"}).status_code == 200
