"""The kernel's API toolbox (crowdsafe/common/api.py): ``validated()`` and ``ActionApi``, the one shape of an action
endpoint — scope first (a missing id and one outside the scope are the same 404, whatever the body), then the
body, then the one service (its refusal a 400 with its message, or a 403), then the result."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.http import Http404
from django.urls import path
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient, APIRequestFactory

from crowdsafe.common.api import ActionApi, validated
from crowdsafe.errors import DomainError, PermissionDeniedError
from venues import services as venue_services
from venues.choices import VenueKind
from venues.models import Venue

# --- validated() -------------------------------------------------------------------------------------------


class NameInput(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    size = serializers.IntegerField(required=False, default=1)

    def validate_name(self, value: str) -> str:
        if value in self.context.get("taken", ()):
            raise serializers.ValidationError("This name is taken.")
        return value


def test_validated_returns_the_validated_data():
    assert validated(NameInput, {"name": "gate"}) == {"name": "gate", "size": 1}


def test_validated_raises_a_drf_validation_error_with_the_serializers_errors():
    with pytest.raises(ValidationError) as caught:
        validated(NameInput, {"name": "too long", "size": "many"})
    assert caught.value.detail == {
        "name": ["Ensure this field has no more than 5 characters."],
        "size": ["A valid integer is required."],
    }


def test_validated_hands_the_context_to_the_serializer_and_validates_partial_input():
    with pytest.raises(ValidationError):
        validated(NameInput, {"name": "gate"}, taken={"gate"})
    assert validated(NameInput, {"size": 3}, partial=True) == {"size": 3}


# --- ActionApi, on a view of its own ------------------------------------------------------------------------

THINGS = {1: SimpleNamespace(pk=1, name="gate")}  # id 2 exists but is outside the caller's scope
CALLS: list[dict] = []


class ThingOutput(serializers.Serializer):
    pk = serializers.IntegerField()
    name = serializers.CharField()


class RenameThingApi(ActionApi):
    """Rename a thing."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    input_serializer = NameInput
    output_serializer = ThingOutput
    success_status = status.HTTP_201_CREATED

    def find(self, request, pk: int, **kwargs):
        if pk == 2:
            raise Http404("No Thing matches the given query.")  # a lookup's own message must not leak
        if pk not in THINGS:
            raise Http404
        return THINGS[pk]

    def perform(self, request, thing, data: dict):
        CALLS.append(data)
        if data["name"] == "taken":
            raise DomainError("This name is taken.", field="name", code="taken")
        if data["name"] == "nope":
            raise PermissionDeniedError("Only the owner may rename it.")
        return SimpleNamespace(pk=thing.pk, name=data["name"])


def post(pk: int, body: dict):
    request = APIRequestFactory().post(f"/things/{pk}/rename/", body, format="json")
    response = RenameThingApi.as_view()(request, pk=pk)
    response.render()
    return response


@pytest.fixture(autouse=True)
def _no_calls():
    CALLS.clear()


@pytest.fixture(autouse=True)
def _english():
    """DRF's messages in their source language (the site's default is Chinese)."""
    with translation.override("en"):
        yield


def test_a_missing_id_and_an_id_outside_the_scope_get_the_same_404():
    missing, hidden = post(99, {"name": "x"}), post(2, {"name": "x"})
    assert missing.status_code == hidden.status_code == 404
    assert missing.content == hidden.content


def test_the_body_is_not_validated_before_the_scope_check():
    response = post(2, {"name": "far too long", "size": "many"})
    assert response.status_code == 404
    assert "name" not in response.data and CALLS == []


def test_a_visible_object_with_a_bad_body_gets_the_serializers_errors_and_no_service_call():
    response = post(1, {"name": "far too long"})
    assert response.status_code == 400
    assert response.data == {"name": ["Ensure this field has no more than 5 characters."]}
    assert CALLS == []


def test_a_domain_error_is_a_400_with_its_message_field_and_code():
    response = post(1, {"name": "taken"})
    assert response.status_code == 400
    assert response.data == {"detail": "This name is taken.", "code": "taken", "field": "name"}


def test_a_permission_denied_error_is_a_403_with_its_message():
    response = post(1, {"name": "nope"})
    assert response.status_code == 403
    assert response.data["detail"] == "Only the owner may rename it."


def test_the_result_is_serialised_by_the_output_serializer_with_the_success_status():
    response = post(1, {"name": "door"})
    assert response.status_code == 201
    assert response.data == {"pk": 1, "name": "door"}


def test_the_schema_of_an_action_comes_from_its_serializers_status_and_docstring():
    generator = SchemaGenerator(patterns=[path("things/<int:pk>/rename/", RenameThingApi.as_view())])
    operation = generator.get_schema(request=None, public=True)["paths"]["/things/{id}/rename/"]["post"]
    assert operation["description"] == "Rename a thing."
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NameInputRequest"
    }
    assert operation["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ThingOutput"
    }


# --- on a real endpoint --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivating_a_venue_answers_an_outsider_as_it_answers_a_missing_id_before_reading_the_body(city, users):
    venue = venue_services.venue_create(
        actor=None,
        name="人民广场",
        kind=VenueKind.SQUARE,
        grid=city.grid,
        address="安阳市文峰区东大街",
        latitude=Decimal("36.096800"),
        longitude=Decimal("114.352300"),
    )
    outsider = APIClient()
    outsider.force_authenticate(users.outsider)
    hidden = outsider.post(f"/api/v1/venues/{venue.pk}/deactivate/", {}, format="json")
    missing = outsider.post(f"/api/v1/venues/{venue.pk + 1000}/deactivate/", {}, format="json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert Venue.objects.get(pk=venue.pk).is_active

    grid_worker = APIClient()
    grid_worker.force_authenticate(users.grid_worker)
    visible = grid_worker.post(f"/api/v1/venues/{venue.pk}/deactivate/", {}, format="json")
    assert visible.status_code == 400 and "reason" in visible.json()
