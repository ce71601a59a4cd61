"""The demo permit applications: made through the services, each at its own step, and idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from duties.models import Task
from permits.models import PermitApplication

pytestmark = pytest.mark.django_db


def test_seed_demo_permits_makes_applications_at_every_step_and_runs_twice(tmp_path):
    call_command("seed_demo", no_progress=True, verbosity=0)
    call_command("seed_demo_venues", verbosity=0)
    call_command("seed_demo_permits", verbosity=0)
    states = dict(PermitApplication.objects.values_list("event_name", "state"))
    assert states == {
        "洹河音乐节": "approved",
        "安阳市青少年足球邀请赛": "inspection",
        "文峰塔广场新春灯会": "submitted",
        "东大街露天电影周": "correction",
        "洹河文化节开幕式": "draft",
    }
    approved = PermitApplication.objects.get(event_name="洹河音乐节")
    assert approved.conditions.count() == 3
    assert Task.objects.filter(
        subject_type="permit_application", subject_id=approved.pk, rule__key="permits.on_day_supervision"
    ).exists()
    call_command("seed_demo_permits", verbosity=0)
    assert PermitApplication.objects.count() == 5
