"""One phone check for every phone field (issue 20 point 3): a mainland mobile number (1[3-9] and nine digits) or a
landline with its area code (0xx(x), 7 or 8 digits, an optional extension); "11111111111111111111" is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crowdsafe.common.validators import PhoneFormField, PhoneSerializerField, clean_phone, normalise_phone
from events.models import Gathering
from tests.forms.conftest import gathering_form_data, signed_in


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800000102", "13800000102"),
        ("138 0000 0102", "13800000102"),
        ("+86 138-0000-0102", "13800000102"),
        ("１３８０００００１０２", "13800000102"),
        ("0372-5990110", "0372-5990110"),
        ("03725990110", "0372-5990110"),
        ("(0372) 599 0110", "0372-5990110"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("0372-5990110-801", "0372-5990110-801"),
        ("0372-5990110转801", "0372-5990110-801"),
    ],
)
def test_mobile_and_landline_numbers_are_accepted_and_stored_in_one_form(typed, stored):
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["11111111111111111111", "12345678901", "1380000010", "110", "0372-123", "5990110", "call me", "0000000"]
)
def test_anything_else_is_refused(typed):
    with pytest.raises(ValidationError):
        clean_phone(typed)


def test_the_form_field_and_the_api_field_say_so():
    field = PhoneFormField(required=False)
    with pytest.raises(ValidationError):
        field.clean("11111111111111111111")
    assert field.clean(" 0372 5990110 ") == "0372-5990110"
    assert 'type="tel"' in str(field.widget.render("p", "")) and field.widget_attrs(field.widget)["inputmode"] == "tel"
    api = PhoneSerializerField()
    from rest_framework.exceptions import ValidationError as ApiError

    with pytest.raises(ApiError):
        api.run_validation("11111111111111111111")
    assert api.run_validation("+86 13800000102") == "13800000102"
    assert normalise_phone("") == ""


@pytest.mark.django_db
def test_the_gathering_form_refuses_a_made_up_number_and_logs_nothing(city, users):
    response = signed_in(users.grid_worker).post(
        reverse("events:gathering_create"), gathering_form_data(city, organizer_phone="11111111111111111111")
    )
    assert response.status_code == 200 and not Gathering.objects.exists()
    assert "organizer_phone" in response.context["form"].errors


@pytest.mark.django_db
def test_the_gathering_api_refuses_it_too(city, users):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users.grid_worker)
    data = gathering_form_data(city, organizer_phone="11111111111111111111")
    data.pop("idempotency_key")
    data["grid"] = city.grid.code
    response = client.post(reverse("v1:gathering-list"), data, format="json")
    assert response.status_code == 400 and "organizer_phone" in response.json()
    assert not Gathering.objects.exists()


@pytest.mark.parametrize(
    ("form_path", "field"),
    [
        ("events.forms.GatheringForm", "organizer_phone"),
        ("venues.forms.VenueForm", "responsible_person_phone"),
        ("permits.forms.ApplicationForm", "safety_person_phone"),
        ("permits.forms.UndertakerForm", "contact_phone"),
        ("drills.forms.ContactForm", "phone"),
        ("drills.forms.ContactForm", "duty_phone"),
    ],
)
def test_every_phone_form_field_is_the_checked_one(form_path, field):
    from django.utils.module_loading import import_string

    assert isinstance(import_string(form_path).base_fields[field], PhoneFormField)
