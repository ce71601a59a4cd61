"""The demo incident journey: made through the services, once; it adds the users its steps need and never
touches an incident it did not make."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from response.models import EscalationRequest, Incident, IncidentLevel, PublicReport, ResponseTier

pytestmark = pytest.mark.django_db


def test_the_demo_journey_is_seeded_once_with_its_users(django_user_model):
    call_command("seed_demo", "--no-progress", stdout=io.StringIO())
    call_command("seed_demo_venues", stdout=io.StringIO())
    call_command("seed_demo_drills", stdout=io.StringIO())
    commander = django_user_model.objects.get(username="demo_township")
    place = commander.memberships.first().jurisdiction or commander.memberships.last().department.jurisdiction
    other = Incident.objects.create(
        number="XY-REAL-1",
        title="真实事件",
        source="manual",
        level=IncidentLevel.objects.order_by("pk").first(),
        jurisdiction=place,
        jurisdiction_path="x/",
        command_jurisdiction=place,
        command_path="x/",
        tier=ResponseTier.objects.order_by("pk").first(),
        commander=commander,
    )
    call_command("seed_demo_response", stdout=io.StringIO())
    incident = Incident.objects.get(title__startswith="【演示】")
    assert incident.commander == commander and incident.forces.count() == 1 and incident.reports.count() == 1
    assert EscalationRequest.objects.filter(incident=incident, status="pending").exists()
    assert PublicReport.objects.filter(ticket_number="12345-DEMO-0001").exists()
    dispatch = django_user_model.objects.get(username="demo_dispatch")
    assert dispatch.has_perm("response.push_ticket") and dispatch.auth_token
    assert django_user_model.objects.get(username="demo_emergency_head").memberships.get().on_duty
    counts = (Incident.objects.count(), PublicReport.objects.count(), django_user_model.objects.count())
    call_command("seed_demo_response", stdout=io.StringIO())
    assert (Incident.objects.count(), PublicReport.objects.count(), django_user_model.objects.count()) == counts
    other.refresh_from_db()
    assert other.title == "真实事件" and other.status == "open"
