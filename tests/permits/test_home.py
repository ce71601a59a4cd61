"""The permit panels on the home page: the review queue's head for the licensing department, the applications
that need the organizer."""

from __future__ import annotations

import pytest
from django.test import Client

from permits import services

pytestmark = pytest.mark.django_db


def _home(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.get("/").content.decode()


def test_the_licensing_department_sees_what_waits_and_the_organizer_what_needs_it(permit_city, complete_application):
    assert 'data-panel="permit_applications"' in _home(permit_city.users.organizer)
    assert complete_application.event_name in _home(permit_city.users.organizer)
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    html = _home(permit_city.users.staff)
    assert 'data-panel="permit_review"' in html and complete_application.event_name in html
    assert 'data-panel="permit_review"' not in _home(permit_city.fire_staff)
