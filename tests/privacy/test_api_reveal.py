"""Personal details in the venue, gathering and emergency-plan API (issue 18 point 8): lists always masked, a
detail masked unless ``?reveal=1`` from a role that needs the value (logged pii_revealed); a 403 and nothing logged
for a role that needs none."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from crowdsafe.audit.models import ActionLog
from tests.drills.conftest import make_plan
from tests.events.conftest import report
from tests.venues.conftest import make_venue

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
MASKED = "139****5678"


def get(user, url):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(url)


def results(response) -> list:
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


@pytest.fixture
def square(city, operator):
    return make_venue(city.grid, operator=operator.organisation, responsible_person_phone=PHONE)


@pytest.fixture
def fair(users, square):
    return report(users.grid_worker, venue=square, title="庙会", organizer_phone=PHONE)


def test_the_venue_list_and_detail_mask_the_phone_and_reveal_it_logged(users, square):
    listed = results(get(users.township_officer, reverse("v1:venue-list") + "?reveal=1"))
    assert [v["responsible_person_phone"] for v in listed if v["id"] == square.pk] == [MASKED]
    url = reverse("v1:venue-detail", args=[square.pk])
    assert get(users.township_officer, url).json()["responsible_person_phone"] == MASKED
    assert not ActionLog.objects.filter(verb="pii_revealed").exists()
    assert get(users.township_officer, url + "?reveal=1").json()["responsible_person_phone"] == PHONE
    entry = ActionLog.objects.get(verb="pii_revealed", subject_id=square.pk)
    assert (entry.actor, entry.data["field"]) == (users.township_officer, "responsible_person_phone")


def test_a_venue_reveal_is_refused_to_a_leader_and_not_logged(users, square):
    response = get(users.leader, reverse("v1:venue-detail", args=[square.pk]) + "?reveal=1")
    assert response.status_code == 403
    assert PHONE not in response.content.decode()
    assert not ActionLog.objects.filter(verb="pii_revealed").exists()


def test_the_gathering_list_masks_and_the_detail_reveals_logged(users, fair):
    listed = results(get(users.grid_worker, reverse("v1:gathering-list")))
    assert [g["organizer_phone"] for g in listed if g["id"] == fair.pk] == [MASKED]
    url = reverse("v1:gathering-detail", args=[fair.pk])
    assert get(users.grid_worker, url).json()["organizer_phone"] == MASKED
    assert get(users.grid_worker, url + "?reveal=1").json()["organizer_phone"] == PHONE
    assert ActionLog.objects.filter(verb="pii_revealed", subject_id=fair.pk, data__field="organizer_phone").exists()
    assert get(users.leader, url + "?reveal=1").status_code == 403
    assert ActionLog.objects.filter(verb="pii_revealed").count() == 1


def test_the_plan_detail_masks_the_contacts_phone_and_reveals_it_logged(world):
    plan = make_plan(world)
    url = reverse("v1:plan-detail", args=[plan.pk])
    user = world.users.township_officer
    if get(user, url).status_code == 404:
        user = world.emergency_staff
    assert [c["phone"] for c in get(user, url).json()["contacts"]] == ["138****0102"]
    assert [c["phone"] for c in get(user, url + "?reveal=1").json()["contacts"]] == ["13800000102"]
    assert ActionLog.objects.filter(verb="pii_revealed", subject_id=plan.pk, data__field="contacts.phone").exists()
