"""The demo plans and drills: made through the services (so the engine's drill duties follow), idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from drills.choices import ItemStatus
from drills.duties import GOVERNMENT_DRILL, VENUE_DRILL
from drills.models import AfterActionItem, Drill, EmergencyPlan
from drills.selectors import overdue_drills
from duties.models import Task

pytestmark = pytest.mark.django_db


def test_demo_drills_are_created_once_with_their_duties(django_user_model):
    call_command("seed_demo", "--no-progress", stdout=io.StringIO())
    call_command("seed_demo_venues", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo_drills", stdout=out)
    assert EmergencyPlan.objects.count() == 4
    stadium_plan = EmergencyPlan.objects.get(kind="on_site")
    assert stadium_plan.current_version == 1 and stadium_plan.versions.get().file.read(5) == b"%PDF-"
    assert stadium_plan.measures.count() == 6
    assert Drill.objects.filter(status="planned").count() == 2
    assert AfterActionItem.objects.filter(status=ItemStatus.OPEN, requires_plan_revision=True).count() == 1
    assert Task.objects.filter(rule__key=GOVERNMENT_DRILL).count() > 20
    admin = django_user_model.objects.get(username="demo_admin")
    overdue = overdue_drills(user=admin)
    assert any(t.rule.key == VENUE_DRILL and "太行大峡谷" in t.subject_label for t in overdue)

    counts = (EmergencyPlan.objects.count(), Drill.objects.count(), Task.objects.count())
    call_command("seed_demo_drills", stdout=io.StringIO())
    assert (EmergencyPlan.objects.count(), Drill.objects.count(), Task.objects.count()) == counts


def test_a_second_demo_seed_never_makes_a_plan_for_an_application_it_did_not_make():
    """Issue 20 point 8: scripts/run twice made an emergency plan for a real (non-demo) approved application."""
    from permits.models import PermitApplication
    from tests.factories import OrganisationFactory

    for command in ("seed_demo", "seed_demo_venues", "seed_demo_permits"):
        call_command(command, *(["--no-progress"] if command == "seed_demo" else []), stdout=io.StringIO())
    # A real company's approved application with its uploaded emergency plan, in the same city.
    real = PermitApplication.objects.get(event_name="洹河音乐节")
    PermitApplication.objects.filter(pk=real.pk).update(
        organisation=OrganisationFactory(), event_name="某公司新年音乐会"
    )
    for _run in range(2):
        call_command("seed_demo_permits", stdout=io.StringIO())
        call_command("seed_demo_drills", stdout=io.StringIO())
    assert not EmergencyPlan.objects.filter(application_id=real.pk).exists()
    assert EmergencyPlan.objects.filter(application__event_name="洹河音乐节").count() == 1
