"""An application created through the API before its venue is chosen: its own page and its risk subject work
(issue 18 point 5: the page was a 500, 'NoneType' object has no attribute 'grid')."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from permits.models import PermitApplication
from risk.choices import AssessedSubject
from risk.subjects import subject_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def venueless(permit_city):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(permit_city.users.organizer)
    response = client.post(
        reverse("v1:permit-application-list"),
        {"event_name": "无场地的活动", "event_kind": "sports", "description": "场地待定"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = PermitApplication.objects.get(pk=response.json()["id"])
    assert application.venue is None
    return application


def test_an_application_without_a_venue_shows_its_page(permit_city, venueless):
    client = Client()
    client.force_login(permit_city.users.organizer)
    response = client.get(reverse("permits:application_detail", args=[venueless.pk]))
    assert response.status_code == 200
    assert "无场地的活动" in response.content.decode()


def test_an_application_without_a_venue_is_a_risk_subject_without_a_place(permit_city, venueless):
    info = subject_for(
        user=permit_city.users.organizer, subject_type=AssessedSubject.PERMIT_APPLICATION, subject_id=venueless.pk
    )
    assert info.venue is None
    assert info.latitude is None and info.longitude is None
    assert info.jurisdiction == venueless.jurisdiction
    assert info.jurisdiction_path == venueless.jurisdiction_path
