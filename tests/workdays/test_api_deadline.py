"""GET /api/v1/calendar/deadline/: the due date of a period."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/calendar/deadline/"


@pytest.fixture
def api(users) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(users.township_officer)
    return client


def test_7_working_days_from_2026_09_30_are_due_on_2026_10_15(api):
    response = api.get(URL, {"start": "2026-09-30", "n": 7, "unit": "working"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-09-30",
        "n": 7,
        "unit": "working",
        "due": "2026-10-15",
        "covered": True,
        "uncovered_years": [],
        "extended_from": None,
        "explanation": "7 working days from 2026-09-30: due 2026-10-15.",
        "warning": "",
    }


def test_7_calendar_days_from_2026_09_30_end_on_a_holiday_and_run_to_2026_10_08(api):
    body = api.get(URL, {"start": "2026-09-30", "n": 7, "unit": "calendar"}).json()
    assert body["due"] == "2026-10-08"
    assert body["extended_from"] == "2026-10-07"
    assert "runs to 2026-10-08" in body["explanation"]


def test_a_period_in_an_uncovered_year_is_flagged(api):
    body = api.get(URL, {"start": "2027-09-30", "n": 7, "unit": "working"}).json()
    assert body["due"] == "2027-10-12"  # 10-01 to 10-03 are provisional days off
    assert body["covered"] is False
    assert body["uncovered_years"] == [2027]
    assert body["warning"].startswith("The 2027 holiday schedule has not been entered yet")
    assert body["warning"] in body["explanation"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"start", "n", "unit"}),
        ({"start": "2026-09-30", "n": -1, "unit": "working"}, {"n"}),
        ({"start": "2026-09-30", "n": 3651, "unit": "working"}, {"n"}),
        ({"start": "2026-09-30", "n": "seven", "unit": "working"}, {"n"}),
        ({"start": "2026-09-30", "n": 7, "unit": "weeks"}, {"unit"}),
        ({"start": "2026-13-01", "n": 7, "unit": "calendar"}, {"start"}),
    ],
)
def test_bad_input_gets_a_400_with_the_fields(api, params, fields):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == fields


def test_a_period_past_the_end_of_the_calendar_is_a_400_not_a_500(api):
    response = api.get(URL, {"start": "9999-12-30", "n": 5, "unit": "working"})
    assert response.status_code == 400
    assert response.json()["field"] == "start"


def test_anonymous_callers_are_refused(city):
    assert APIClient().get(URL, {"start": "2026-09-30", "n": 7, "unit": "working"}).status_code in {401, 403}


def test_the_deadline_takes_a_fixed_number_of_queries(api, django_assert_max_num_queries, django_assert_num_queries):
    params = {"start": "2026-09-30", "n": 3650, "unit": "working"}
    with django_assert_max_num_queries(2):
        assert api.get(URL, params).status_code == 200
    with django_assert_num_queries(0):
        assert api.get(URL, params).status_code == 200
