"""The admin: the key dates (with the dates of local temple fairs) and the triage thresholds are edited through
their services; gatherings are read-only there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crowdsafe.audit.selectors import timeline_for
from events.models import KeyDate, TriageSettings
from tests.events.conftest import report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["gathering", "gatheringdecision", "headcountupdate", "gatheringimportjob", "keydate", "triagesettings"]


@pytest.fixture
def admin_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_an_admin_list(admin_client, city, users, model):
    report(users.grid_worker, grid=city.grid)
    assert admin_client.get(reverse(f"admin:events_{model}_changelist")).status_code == 200


def test_gatherings_are_read_only_in_the_admin(admin_client, city, users):
    gathering = report(users.grid_worker, grid=city.grid)
    assert admin_client.get(reverse("admin:events_gathering_add")).status_code == 403
    assert admin_client.get(reverse("admin:events_gathering_change", args=[gathering.pk])).status_code == 200


def test_a_temple_fair_with_its_dates_is_added_through_the_services(admin_client, city):
    response = admin_client.post(
        reverse("admin:events_keydate_add"),
        {
            "name": "文峰区三月三庙会",
            "rule": "explicit",
            "is_active": "on",
            "notes": "",
            "month": "",
            "day": "",
            "festival": "",
            "offset_days": "0",
            "span_days": "3",
            "lead_days": "7",
            "gathering_kinds": '["festival_religious"]',
            "venue_kinds": "[]",
            "jurisdiction": city.wenfeng.pk,
            "dates-TOTAL_FORMS": "1",
            "dates-INITIAL_FORMS": "0",
            "dates-MIN_NUM_FORMS": "0",
            "dates-MAX_NUM_FORMS": "1000",
            "dates-0-starts_on": "2027-04-09",
            "dates-0-ends_on": "2027-04-11",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fair = KeyDate.objects.get(name="文峰区三月三庙会")
    assert fair.dates.get().ends_on.isoformat() == "2027-04-11"
    assert [e.verb for e in timeline_for(subject=fair)] == ["key_date_dates_set", "created"]


def test_the_thresholds_are_changed_through_the_service(admin_client):
    row = TriageSettings.objects.get()
    response = admin_client.post(
        reverse("admin:events_triagesettings_change", args=[row.pk]),
        {
            "ratio_yellow": "0.60",
            "ratio_orange": "0.85",
            "ratio_red": "1.00",
            "band_yellow": "300",
            "band_orange": "1000",
            "band_red": "5000",
            "night_starts": "19:00",
            "night_ends": "06:00",
            "risk_points_min": "1",
            "max_raise": "1",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert str(row.ratio_yellow) == "0.60"
    assert timeline_for(subject=row)[0].verb == "updated"
    assert admin_client.get(reverse("admin:events_triagesettings_add")).status_code == 403
