"""Forms say everything at once (issue 20 point 3): every problem of the input in one answer, limits on length
visible before sending and refused with a message after, labels ending in the full-width colon in Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from crowdsafe.errors import DomainError
from events import services
from events.forms import GatheringForm
from events.models import Gathering
from tests.events.conftest import a_working_afternoon
from tests.forms.conftest import gathering_form_data, signed_in

pytestmark = pytest.mark.django_db


def test_the_service_reports_every_problem_of_a_gathering_at_once(city, users):
    start = a_working_afternoon()
    with pytest.raises(DomainError) as caught:
        services.gathering_report(
            actor=users.grid_worker,
            kind="mall_promotion",
            grid=city.grid,
            location_name="",
            starts_at=start,
            ends_at=start - dt.timedelta(hours=2),
            estimated_attendance_min=500,
            estimated_attendance_max=300,
            source="grid_patrol",
        )
    fields = [field for field, _message in caught.value.problems]
    assert fields == ["location_name", "estimated_attendance_min", "ends_at"]
    assert not Gathering.objects.exists()


def test_the_page_shows_every_problem_next_to_its_field(city, users):
    start = dt.datetime.fromisoformat(gathering_form_data(city)["starts_at"])
    data = gathering_form_data(
        city,
        location_name="",
        estimated_attendance_min="500",
        estimated_attendance_max="300",
        ends_at=(start - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = signed_in(users.grid_worker).post(reverse("events:gathering_create"), data)
    errors = response.context["form"].errors
    assert set(errors) == {"location_name", "estimated_attendance_min", "ends_at"}
    body = response.content.decode()
    for message in (
        "Name the place, or choose a registered venue.",
        "The lower estimate is above the upper one.",
        "The end is before the start.",
    ):
        assert message in body


def test_the_phone_script_gets_every_problem_too(city, users):
    data = gathering_form_data(city, location_name="", estimated_attendance_min="500", estimated_attendance_max="3")
    response = signed_in(users.grid_worker).post(
        reverse("events:gathering_create"), data, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"location_name", "estimated_attendance_min"}


def test_the_api_lists_every_problem(city, users):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users.grid_worker)
    data = gathering_form_data(city, location_name="", estimated_attendance_min=500, estimated_attendance_max=3)
    data.pop("idempotency_key")
    data["grid"] = city.grid.code
    data.pop("venue")
    response = client.post(reverse("v1:gathering-list"), data, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json().get("errors", [])} == {"location_name", "estimated_attendance_min"}, (
        response.json()
    )


def test_a_text_input_carries_its_maximum_length_and_a_longer_text_is_refused_with_a_message(city, users):
    client = signed_in(users.grid_worker)
    page = client.get(reverse("events:gathering_create")).content.decode()
    assert re.search(r'<input[^>]*name="title"[^>]*maxlength="128"', page)
    assert "js/forms.js" in page  # the counter that makes the limit visible
    response = client.post(reverse("events:gathering_create"), gathering_form_data(city, title="长" * 140))
    assert not Gathering.objects.exists()
    assert response.context["form"].errors["title"] == ["Ensure this value has at most 128 characters (it has 140)."]


def test_labels_end_with_the_full_width_colon_in_chinese_and_the_ascii_one_in_english():
    with translation.override("zh-hans"):
        label = GatheringForm()["title"].label_tag()
    assert re.search(r">[^<]+：</label>", str(label)), label
    with translation.override("en"):
        assert str(GatheringForm()["title"].label_tag()).endswith(":</label>")
