"""A venue zone that a permit application plans tickets for cannot be removed (permits keep their zones: PROTECT).
Before, the API and the page answered 500 (an uncaught ProtectedError, found by schemathesis); now a clear refusal,
and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from crowdsafe.audit.models import ActionLog
from venues.models import Zone

pytestmark = pytest.mark.django_db


def test_removing_a_zone_a_permit_plans_for_is_refused_with_the_reason(complete_application, stadium, users):
    zone = Zone.objects.get(pk=complete_application.zone_plans.get().zone_id)
    logged = ActionLog.objects.count()
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(users.township_officer)
    response = api.delete(f"/api/v1/venues/{stadium.venue.pk}/zones/{zone.pk}/")
    assert response.status_code == 400, response.content
    assert "仍在" in str(response.json()) and zone.name in str(response.json())
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(users.township_officer)
    response = page.post(f"/venues/{stadium.venue.pk}/zones/{zone.pk}/delete/", follow=True)
    assert response.status_code == 200 and "仍在" in response.content.decode()
    assert Zone.objects.filter(pk=zone.pk).exists()
    assert ActionLog.objects.count() == logged
