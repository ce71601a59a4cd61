"""Personal details on the web pages and in the spreadsheet exports (issue 18 point 8): masked by default; the full
value through the "显示完整信息" button (a POST, logged pii_revealed) for a role whose job needs it; a role that needs
none gets a 403 and nothing is logged; the exports are always masked."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from crowdsafe.audit.models import ActionLog
from permits import services as permit_services
from tests.drills.conftest import make_plan
from tests.events.conftest import report
from tests.venues.conftest import make_venue

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
MASKED = "139****5678"
SHOW = "Show in full"


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def revealed(subject) -> set[str]:
    return {entry.data["field"] for entry in ActionLog.objects.filter(verb="pii_revealed", subject_id=subject.pk)}


@pytest.fixture
def square(city, operator):
    return make_venue(
        city.grid, operator=operator.organisation, responsible_person_name="李责任", responsible_person_phone=PHONE
    )


@pytest.fixture
def fair(users, square):
    return report(users.grid_worker, venue=square, title="庙会", organizer_name="理事会", organizer_phone=PHONE)


# --- the venue's page -------------------------------------------------------------------------------------------


def test_the_venue_page_masks_the_responsible_persons_phone(users, square):
    page = client_for(users.township_officer).get(reverse("venues:venue_detail", args=[square.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert MASKED in body and PHONE not in body
    assert SHOW in body
    assert not revealed(square)


def test_the_venue_page_reveals_the_phone_on_request_and_logs_it(users, square):
    page = client_for(users.township_officer).post(reverse("venues:venue_detail", args=[square.pk]), {"reveal": "1"})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'href="tel:{PHONE}"' in body
    assert SHOW not in body
    entry = ActionLog.objects.get(verb="pii_revealed", subject_id=square.pk)
    assert entry.actor == users.township_officer
    assert entry.data == {"field": "responsible_person_phone", "kind": "phone"}
    assert PHONE not in str(entry.data)


def test_a_leader_sees_the_masked_phone_without_a_button_and_a_reveal_is_refused_unlogged(users, square):
    client = client_for(users.leader)
    page = client.get(reverse("venues:venue_detail", args=[square.pk]))
    assert page.status_code == 200
    assert MASKED in page.content.decode() and SHOW not in page.content.decode()
    refused = client.post(reverse("venues:venue_detail", args=[square.pk]), {"reveal": "1"})
    assert refused.status_code == 403
    assert PHONE not in refused.content.decode()
    assert not ActionLog.objects.filter(verb="pii_revealed").exists()


def test_the_operators_own_people_reveal_their_venues_phone(operator, square):
    page = client_for(operator.user).post(reverse("venues:venue_detail", args=[square.pk]), {"reveal": "1"})
    assert page.status_code == 200 and PHONE in page.content.decode()


# --- the gathering's page ----------------------------------------------------------------------------------------


def test_the_gathering_page_masks_the_organizers_phone_and_reveals_it_logged(users, fair):
    client = client_for(users.grid_worker)
    page = client.get(reverse("events:gathering_detail", args=[fair.pk]))
    assert MASKED in page.content.decode() and PHONE not in page.content.decode()
    shown = client.post(reverse("events:gathering_detail", args=[fair.pk]), {"reveal": "1"})
    assert shown.status_code == 200 and f'href="tel:{PHONE}"' in shown.content.decode()
    assert revealed(fair) == {"organizer_phone"}


def test_the_gathering_reveal_is_refused_to_a_leader_and_not_logged(users, fair):
    response = client_for(users.leader).post(reverse("events:gathering_detail", args=[fair.pk]), {"reveal": "1"})
    assert response.status_code == 403
    assert not revealed(fair)


# --- the emergency plan's contacts -------------------------------------------------------------------------------


def test_the_plan_page_masks_the_contacts_phone_and_reveals_it_logged(world):
    plan = make_plan(world)
    client = client_for(world.users.township_officer)
    page = client.get(reverse("drills:plan_detail", args=[plan.pk]))
    if page.status_code == 404:
        client = client_for(world.emergency_staff)
        page = client.get(reverse("drills:plan_detail", args=[plan.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "138****0102" in body and "13800000102" not in body
    shown = client.post(reverse("drills:plan_detail", args=[plan.pk]), {"reveal": "1"})
    assert shown.status_code == 200 and 'href="tel:13800000102"' in shown.content.decode()
    assert revealed(plan) == {"contacts.phone"}


# --- the permit application's page -------------------------------------------------------------------------------


@pytest.fixture
def submitted(permit_city, complete_application):
    permit_services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    return complete_application


def test_the_application_page_masks_the_id_number_and_public_security_reveals_it_logged(permit_city, submitted):
    client = client_for(permit_city.users.staff)
    url = reverse("permits:application_detail", args=[submitted.pk])
    body = client.get(url).content.decode()
    assert "410502********001X" in body and "41050219800101001X" not in body
    assert "138****0101" in body and "13800000101" not in body
    shown = client.post(url, {"reveal": "1"})
    assert shown.status_code == 200
    assert "41050219800101001X" in shown.content.decode()
    assert {"safety_person_phone", "safety_person_id_number"} <= revealed(submitted)


def test_the_workspace_masks_the_id_number_too(permit_city, submitted):
    page = client_for(permit_city.users.staff).get(reverse("permits:workspace", args=[submitted.pk]))
    if page.status_code != 200:
        pytest.skip("the staff user does not review this application")
    assert "41050219800101001X" not in page.content.decode()


# --- the exports -------------------------------------------------------------------------------------------------


def cells(response) -> set:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return {value for row in sheet.iter_rows(values_only=True) for value in row}


def test_the_venue_export_masks_the_phone_even_for_a_role_that_may_reveal_it(users, square):
    response = client_for(users.township_officer).get(reverse("venues:venue_export"))
    assert response.status_code == 200
    values = cells(response)
    assert MASKED in values and PHONE not in values


def test_the_gathering_export_masks_the_organizers_phone(users, fair):
    response = client_for(users.township_officer).get(reverse("events:gathering_export"))
    assert response.status_code == 200
    values = cells(response)
    assert MASKED in values and PHONE not in values
