"""seed_demo_events: realistic gatherings in 安阳市 through the services, some orange or red, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from duties.models import Task
from events.models import Gathering

pytestmark = pytest.mark.django_db


def test_the_demo_gatherings_are_made_through_the_services_once(capsys):
    call_command("seed_demo", no_progress=True, verbosity=0)
    call_command("seed_demo_venues")
    call_command("seed_demo_events")
    count = Gathering.objects.count()
    assert count >= 7
    levels = set(Gathering.objects.values_list("risk_level", flat=True))
    assert {"orange", "red"} <= levels
    statuses = set(Gathering.objects.values_list("status", flat=True))
    assert {"monitoring", "suspended", "ended", "expected", "reported"} <= statuses
    assert Task.objects.filter(subject_type="gathering").exists()
    shop = Gathering.objects.get(title="东大街网红茶饮店开业打卡")
    assert shop.headcounts.count() == 4 and shop.measures.count() == 2
    call_command("seed_demo_events")
    assert Gathering.objects.count() == count


def test_it_asks_for_the_demo_city_first():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo_events")
