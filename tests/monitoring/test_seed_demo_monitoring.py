"""The demo monitoring seeder: a street section drawn as a polygon, a venue zone and an event zone, a source and
readings so the board shows levels; run twice it adds nothing, and it never touches a zone it did not make."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from monitoring.models import Reading, Source, Zone

pytestmark = pytest.mark.django_db


def test_the_demo_zones_and_readings_are_seeded_once(django_user_model):
    call_command("seed_demo", "--no-progress", stdout=io.StringIO())
    call_command("seed_demo_venues", stdout=io.StringIO())
    call_command("seed_demo_permits", stdout=io.StringIO())
    officer = django_user_model.objects.get(username="demo_township")
    from crowdsafe.org.models import Jurisdiction

    grid = Jurisdiction.objects.get(code="410502001001G01")
    other = Zone.objects.create(
        name="真实区域", jurisdiction=grid, jurisdiction_path=grid.path, kind="standing", area_m2=100
    )
    out = io.StringIO()
    call_command("seed_demo_monitoring", stdout=out)
    zones = {z.name: z for z in Zone.objects.filter(created_by=officer).select_related("state")}
    street = zones["【演示】东大街步行街（鼓楼段）"]
    assert street.area_source == "polygon" and 1500 < float(street.area_m2) < 2500
    assert street.state.level == "orange" and street.state.forecast.get("rate_per_min", 0) > 0
    square = zones["【演示】文峰塔广场主区"]
    assert square.venue_zone_id and square.safe_capacity and square.state.level in ("yellow", "orange")
    field = zones["【演示】洹河音乐节·内场"]
    assert field.application_id and field.approved_capacity and field.state.count
    assert "cs_" in out.getvalue()
    counts = (Zone.objects.count(), Source.objects.count(), Reading.objects.count())
    call_command("seed_demo_monitoring", stdout=io.StringIO())
    assert (Zone.objects.count(), Source.objects.count(), Reading.objects.count()) == counts
    other.refresh_from_db()
    assert other.name == "真实区域" and not Reading.objects.filter(zone_id=other.pk).exists()
