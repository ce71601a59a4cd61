"""Venue forms say everything at once (issue 20 point 3): the venue services report every problem of the input
in one answer — next to each field on the page, as a list under "errors" in the API's 400 — instead of the first
one per attempt."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from crowdsafe.errors import DomainError
from tests.forms.conftest import signed_in
from venues import services as venue_services
from venues.models import Venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _future(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


# --- venues ---------------------------------------------------------------------------------------------------


def test_the_venue_service_reports_every_problem_at_once(city, users):
    with pytest.raises(DomainError) as caught:
        venue_services.venue_create(
            actor=users.township_officer,
            name="",
            kind="castle",
            grid=city.grid,
            latitude=None,
            longitude="114.3923",
            fire_inspection_status="passed",
            completion_acceptance_date=_future(),
            built_year=timezone.localdate().year + 3,
        )
    fields = [field for field, _message in caught.value.problems]
    assert fields == [
        "name",
        "kind",
        "latitude",
        "completion_acceptance_date",
        "fire_inspection_date",
        "built_year",
    ]
    assert not Venue.objects.exists()


def test_a_venue_update_reports_every_problem_and_a_name_taken_with_them(city, users):
    venue_services.venue_create(actor=users.township_officer, name="东大街广场", kind="square", grid=city.grid)
    other = venue_services.venue_create(actor=users.township_officer, name="文化广场", kind="square", grid=city.grid)
    with pytest.raises(DomainError) as caught:
        venue_services.venue_update(
            venue=other,
            actor=users.township_officer,
            data={"name": "东大街广场", "safety_appraisal_date": _future(), "fire_inspection_date": _future(-3)},
        )
    problems = dict(caught.value.problems)
    assert set(problems) == {"name", "safety_appraisal_date", "fire_inspection_status"}
    assert "already has a venue named" in str(problems["name"])
    other.refresh_from_db()
    assert other.name == "文化广场"


def test_the_venue_page_shows_every_problem_next_to_its_field(city, users):
    response = signed_in(users.township_officer).post(
        reverse("venues:venue_create"),
        {
            "name": "东大街文化广场",
            "kind": "square",
            "grid": city.grid.code,
            "latitude": "36.0976",
            "fire_inspection_status": "passed",
            "safety_appraisal_date": _future().isoformat(),
            "built_year": str(timezone.localdate().year + 2),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"longitude", "fire_inspection_date", "safety_appraisal_date", "built_year"} <= set(errors), errors
    body = response.content.decode()
    for message in (
        "Give both the latitude and the longitude, or neither.",
        "Give the date of the fire-safety inspection.",
        "This date is in the future.",
        "The year built is in the future.",
    ):
        assert message in body
    assert not Venue.objects.exists()


def test_the_venue_api_lists_every_problem(city, users):
    response = api(users.township_officer).post(
        "/api/v1/venues/",
        {
            "name": "东大街文化广场",
            "kind": "square",
            "grid": city.grid.code,
            "fire_inspection_status": "passed",
            "safety_appraisal_date": _future().isoformat(),
            "built_year": timezone.localdate().year + 2,
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"fire_inspection_date", "safety_appraisal_date", "built_year"}, response.json()
    assert not Venue.objects.exists()
