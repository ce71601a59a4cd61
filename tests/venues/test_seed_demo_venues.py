from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from duties.models import Task
from venues.models import Venue

pytestmark = pytest.mark.django_db


def test_demo_venues_are_created_once_with_their_duties():
    call_command("seed_demo", "--no-progress", stdout=io.StringIO())
    call_command("seed_demo_venues", stdout=io.StringIO())
    assert Venue.objects.count() == 5
    square = Venue.objects.get(name="文峰塔广场")
    assert square.computed_capacity == 5248  # 2 × 4 m × 82 × 8: the widest of three exits discounted
    scenic = Venue.objects.get(name="太行大峡谷景区")
    holders = {
        t.responsible_department.name
        for t in Task.objects.filter(subject_type="venue", subject_id=scenic.pk)
        if t.responsible_department
    }
    assert "林州市文化广电和旅游局" in holders
    tasks = Task.objects.count()

    call_command("seed_demo_venues", stdout=io.StringIO())
    assert Venue.objects.count() == 5
    assert Task.objects.count() == tasks
