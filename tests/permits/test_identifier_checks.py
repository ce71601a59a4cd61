"""The check digits of the safety-responsible person's resident ID number and of an undertaker's unified social
credit code are enforced on the pages and in the API: one mistyped digit is refused with a message that says so,
a valid number is accepted and stored normalised."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.permits.conftest import build_application
from tests.permits.test_api import api
from tests.permits.test_views import client_for

pytestmark = pytest.mark.django_db

RESIDENT_ID = "41050219800101001X"
MISTYPED_ID = "41050219800102001X"  # one digit of the birth date off: the check digit no longer matches
CREDIT_CODE = "91410502MA47R8C22Y"
MISTYPED_CODE = "91410502MA47R8C23Y"
ID_MESSAGE = "This resident ID number's check digit does not match: look for a mistyped digit."
CODE_MESSAGE = "This unified social credit code's check character does not match: look for a mistyped character."


@pytest.fixture
def draft(permit_city, stadium):
    return build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        complete=False,
    )


def event_form(application, **changes) -> dict:
    return {"event_name": application.event_name, "event_kind": application.event_kind, **changes}


def test_the_event_form_refuses_a_mistyped_id_number_with_the_message(permit_city, draft):
    response = client_for(permit_city.users.organizer).post(
        reverse("permits:edit_event", args=[draft.pk]), event_form(draft, safety_person_id_number=MISTYPED_ID)
    )
    assert response.status_code == 400
    assert ID_MESSAGE.replace("'", "&#x27;") in response.content.decode()
    draft.refresh_from_db()
    assert draft.safety_person_id_number != MISTYPED_ID


def test_the_event_form_accepts_a_valid_id_number_and_stores_it_normalised(permit_city, draft):
    response = client_for(permit_city.users.organizer).post(
        reverse("permits:edit_event", args=[draft.pk]),
        event_form(draft, safety_person_id_number="410502 19800101 001x"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.safety_person_id_number == RESIDENT_ID


def test_the_undertaker_form_refuses_a_mistyped_credit_code_with_the_message(permit_city, draft):
    response = client_for(permit_city.users.organizer).post(
        reverse("permits:edit_undertaker_add", args=[draft.pk]), {"name": "安阳演艺公司", "credit_code": MISTYPED_CODE}
    )
    assert response.status_code == 400
    assert CODE_MESSAGE.replace("'", "&#x27;") in response.content.decode()
    assert not draft.undertakers.filter(name="安阳演艺公司").exists()


def test_the_undertaker_form_accepts_a_valid_credit_code(permit_city, draft):
    response = client_for(permit_city.users.organizer).post(
        reverse("permits:edit_undertaker_add", args=[draft.pk]),
        {"name": "安阳演艺公司", "credit_code": CREDIT_CODE.lower()},
    )
    assert response.status_code == 302
    assert draft.undertakers.get(name="安阳演艺公司").credit_code == CREDIT_CODE


def test_the_api_refuses_a_mistyped_id_number_with_the_message(permit_city, draft):
    url = reverse("v1:permit-application-detail", args=[draft.pk])
    response = api(permit_city.users.organizer).patch(url, {"safety_person_id_number": MISTYPED_ID}, format="json")
    assert response.status_code == 400
    assert ID_MESSAGE in str(response.json())
    response = api(permit_city.users.organizer).patch(url, {"safety_person_id_number": RESIDENT_ID}, format="json")
    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    assert draft.safety_person_id_number == RESIDENT_ID


def test_the_api_refuses_a_mistyped_credit_code_with_the_message(permit_city, draft):
    client = api(permit_city.users.organizer)
    url = reverse("v1:permit-undertaker-add", args=[draft.pk])
    response = client.post(url, {"name": "安阳演艺公司", "credit_code": MISTYPED_CODE}, format="json")
    assert response.status_code == 400
    assert CODE_MESSAGE in str(response.json())
    response = client.post(url, {"name": "安阳演艺公司", "credit_code": CREDIT_CODE}, format="json")
    assert response.status_code in (200, 201), response.json()
    assert draft.undertakers.get(name="安阳演艺公司").credit_code == CREDIT_CODE
