"""The demo inspections: made through the services, once, with the demo inspector; the KTV's joint inspection is
completed with its hazards and its record, the square's waits to be finished on a phone."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from inspections.models import Inspection
from notices.selectors import notices_for
from risk.models import Hazard

pytestmark = pytest.mark.django_db


def test_the_demo_inspections_are_seeded_once(django_user_model):
    call_command("seed_demo", "--no-progress", stdout=io.StringIO())
    call_command("seed_demo_venues", stdout=io.StringIO())
    call_command("seed_demo_inspections", stdout=io.StringIO())
    inspector = django_user_model.objects.get(username="demo_inspector")
    assert inspector.memberships.get().department.name == "安阳市公安局文峰分局"
    ktv = Inspection.objects.get(venue__name="星光KTV（东大街店）")
    assert ktv.state == "completed" and ktv.failed_count == 2 and ktv.parts.count() == 2
    assert Hazard.objects.filter(venue=ktv.venue, level="major", source="inspection").exists()
    assert notices_for(ktv).get().pdf
    assert Inspection.objects.get(venue__name="文峰塔广场").state == "in_progress"
    out = io.StringIO()
    call_command("seed_demo_inspections", stdout=out)
    assert "已存在" in out.getvalue()
    assert Inspection.objects.count() == 3
