"""A permit application's personal details in the API (issue 18 point 8): masked by default, in full with
``?reveal=1`` for a role whose job needs them, each reveal in the action log; a role that needs neither gets a 403
and nothing is logged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from crowdsafe.audit.models import ActionLog
from permits import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(permit_city, complete_application):
    """Filed, so the licensing police see it (a draft is the organizer's alone)."""
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    return complete_application


def get(user, application, query=""):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(reverse("v1:permit-application-detail", args=[application.pk]) + query)


def test_the_detail_masks_the_safety_persons_phone_and_id_number(permit_city, submitted):
    data = get(permit_city.users.staff, submitted).json()
    assert data["safety_person_phone"] == "138****0101"
    assert data["safety_person_id_number"] == "410502********001X"
    assert not ActionLog.objects.filter(verb="pii_revealed").exists()


def test_public_security_staff_reveal_both_and_each_reveal_is_logged(permit_city, submitted):
    data = get(permit_city.users.staff, submitted, "?reveal=1").json()
    assert data["safety_person_phone"] == "13800000101"
    assert data["safety_person_id_number"] == "41050219800101001X"
    logged = ActionLog.objects.filter(verb="pii_revealed", subject_id=submitted.pk)
    assert {entry.data["field"] for entry in logged} == {"safety_person_phone", "safety_person_id_number"}
    assert {entry.actor for entry in logged} == {permit_city.users.staff}


def test_the_organizer_reveals_its_own_applications_details(permit_city, submitted):
    data = get(permit_city.users.organizer, submitted, "?reveal=1").json()
    assert data["safety_person_id_number"] == "41050219800101001X"


def test_a_role_that_needs_neither_is_refused_and_nothing_is_logged(permit_city, submitted):
    response = get(permit_city.users.leader, submitted, "?reveal=1")
    if response.status_code == 404:
        pytest.skip("the leader does not see this application")
    assert response.status_code == 403
    assert not ActionLog.objects.filter(verb="pii_revealed").exists()
