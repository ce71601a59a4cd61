"""The admin: every venues model can be browsed; the capacity settings are edited through their service."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crowdsafe.audit.selectors import timeline_for
from tests.factories import UserFactory
from tests.venues.conftest import add_square_zone_and_exits
from venues.choices import ZoneKind
from venues.models import CapacitySetting

pytestmark = pytest.mark.django_db

MODELS = [
    "venue",
    "zone",
    "exit",
    "riskpoint",
    "temporarystructure",
    "specialequipment",
    "importjob",
    "capacitysetting",
    "venuegroupobjectpermission",
    "venueuserobjectpermission",
]


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_an_admin_list(admin_client, venue, model):
    add_square_zone_and_exits(venue)
    assert admin_client.get(reverse(f"admin:venues_{model}_changelist")).status_code == 200


def test_the_venue_register_is_read_only_in_the_admin(admin_client, venue):
    assert admin_client.get(reverse("admin:venues_venue_add")).status_code == 403
    response = admin_client.post(reverse("admin:venues_venue_change", args=[venue.pk]), {"name": "改名"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:venues_venue_change", args=[venue.pk])).status_code == 200


def test_an_administrator_changes_a_capacity_setting_through_the_service(
    admin_client, venue, django_capture_on_commit_callbacks, monkeypatch
):
    from venues.tasks import recompute_venue_capacities

    add_square_zone_and_exits(venue)
    queued = []
    monkeypatch.setattr(recompute_venue_capacities, "delay", lambda: queued.append(True))
    setting = CapacitySetting.objects.get(zone_kind=ZoneKind.STANDING)
    url = reverse("admin:venues_capacitysetting_change", args=[setting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                "space_per_person_m2": "0.75",
                "flow_rate_level": "82",
                "flow_rate_stairs": "66",
                "flow_rate_ramp": "66",
                "egress_minutes": "8.0",
                "source": "DB41/T local standard",
            },
        )
    assert response.status_code == 302
    setting.refresh_from_db()
    assert setting.space_per_person_m2.normalize() == 0.75
    assert queued == [True]
    entry = timeline_for(subject=setting)[0]
    assert entry.verb == "updated" and set(entry.data["changes"]) == {"space_per_person_m2", "source"}
    assert admin_client.get(reverse("admin:venues_capacitysetting_add")).status_code == 403
