"""Assessment campaigns: one task per venue through the engine, no duplicates when launched twice, settled when
the venue's assessment is signed off, cancelled when the campaign is closed; a large campaign's tasks are made
by the Celery task's body in batches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from risk import selectors, services
from risk.models import AssessmentCampaign, CampaignTarget
from tests.risk.conftest import signed_off
from venues.models import Venue

pytestmark = pytest.mark.django_db


def bulk_venues(grid, n, *, kind="commercial", prefix="商场"):
    """``n`` venues straight into the table (the venue services' own duties are not what is tested here)."""
    Venue.objects.bulk_create(
        [Venue(name=f"{prefix}{i:04d}", kind=kind, grid=grid, jurisdiction_path=grid.path) for i in range(n)]
    )
    return list(Venue.objects.filter(name__startswith=prefix).order_by("pk"))


def launch(actor, territory, **kwargs):
    defaults = {
        "name": "春节前商场景区风险评估",
        "purpose": "holiday",
        "deadline": timezone.localdate() + dt.timedelta(days=20),
        "venue_kinds": ["commercial", "scenic_area"],
    }
    return services.campaign_launch(actor=actor, territory=territory, **{**defaults, **kwargs})


def campaign_tasks(campaign):
    return Task.objects.filter(subject_type="campaign_target", subject_id__in=campaign.targets.values("pk"))


def test_a_campaign_over_300_venues_makes_300_tasks_and_none_twice(
    city, users, depts, django_capture_on_commit_callbacks
):
    bulk_venues(city.grid, 300)
    bulk_venues(city.grid, 5, kind="school", prefix="学校")  # not of the kinds asked for
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        campaign = launch(users.leader, city.wenfeng)
    # 300 venues are more than a request makes tasks for: the targets are there, the tasks are left to Celery.
    assert campaign.target_count == 300
    assert campaign.unassigned_count == 300
    assert len(callbacks) == 1
    # The Celery task's body (a real worker runs it in test_campaign_worker.py).
    assert services.campaign_assign_targets(campaign_id=campaign.pk, actor=users.leader) == 300
    campaign.refresh_from_db()
    assert campaign.unassigned_count == 0
    assert campaign_tasks(campaign).count() == 300
    # Its progress: 300 due, per township and per department (the street office holds them).
    progress = selectors.campaign_progress(campaign=campaign)
    assert (progress.total.total, progress.total.done, progress.total.due, progress.total.overdue) == (300, 0, 300, 0)
    assert [(r.label, r.due) for r in progress.by_township] == [("东大街街道", 300)]
    assert [(r.label, r.due) for r in progress.by_department] == [(depts.street_office.name, 300)]
    late = selectors.campaign_progress(campaign=campaign, today=campaign.deadline + dt.timedelta(days=10))
    assert late.total.overdue == 300
    # Township (属地): the street office of 东大街街道 holds them all, due by the deadline.
    assert set(campaign_tasks(campaign).values_list("responsible_department", flat=True)) == {depts.street_office.pk}
    assert set(campaign_tasks(campaign).values_list("due_date", flat=True)) <= {
        campaign.deadline,
        *[campaign.deadline + dt.timedelta(days=d) for d in (1, 2, 3)],
    }
    # Launching again adds nothing, and the same name again is refused with a message.
    assert services.campaign_relaunch(campaign=campaign, actor=users.leader) == 0
    with pytest.raises(DomainError) as err:
        launch(users.leader, city.wenfeng)
    assert err.value.field == "name"
    assert AssessmentCampaign.objects.count() == 1
    assert CampaignTarget.objects.count() == 300
    assert campaign_tasks(campaign).count() == 300
    assert services.campaign_assign_targets(campaign_id=campaign.pk, actor=users.leader) == 0
    # A venue that appeared since gets its task on the next launch (one venue: made in the request).
    bulk_venues(city.grid, 1, prefix="新商场")
    assert services.campaign_relaunch(campaign=campaign, actor=users.leader) == 1
    assert campaign_tasks(campaign).count() == 301


def test_a_department_campaign_gives_the_tasks_to_that_department(city, users, depts, scenic):
    campaign = launch(users.staff, city.wenfeng, assignment="department", assigned_department=depts.culture)
    assert campaign.launched_by_department == depts.police
    task = campaign_tasks(campaign).get()
    assert task.responsible_department == depts.culture
    assert task.party_kind == "assigned"


def test_signing_off_the_venue_assessment_settles_its_campaign_task(city, users, reviewer, venue, depts):
    venue.kind = "commercial"
    venue.save(update_fields=["kind"])
    campaign = launch(users.leader, city.wenfeng)
    target = campaign.targets.get()
    signed_off(venue, users.township_officer, reviewer)
    target.refresh_from_db()
    assert target.status == "done"
    assert target.assessment is not None
    assert campaign_tasks(campaign).get().status == "done"


def test_closing_a_campaign_cancels_what_is_not_assessed(city, users, depts):
    bulk_venues(city.grid, 3)
    campaign = launch(users.leader, city.wenfeng)
    services.campaign_close(campaign=campaign, actor=users.leader, reason="春节已过")
    assert set(campaign_tasks(campaign).values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(DomainError):
        services.campaign_relaunch(campaign=campaign, actor=users.leader)


def test_only_those_who_govern_the_territory_launch_there(city, users):
    with pytest.raises(PermissionDeniedError):
        launch(users.outsider, city.wenfeng)
    with pytest.raises(PermissionDeniedError):
        launch(users.township_officer, city.wenfeng)  # a street officer launches in the street only
    with pytest.raises(PermissionDeniedError):
        launch(users.organizer, city.street)
    with pytest.raises(DomainError):
        launch(users.leader, city.wenfeng, deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(DomainError):
        launch(users.leader, city.wenfeng, venue_kinds=["bogus"])
    with pytest.raises(DomainError):
        launch(users.leader, city.wenfeng, assignment="department")
    assert not AssessmentCampaign.objects.exists()


def test_a_large_campaign_is_assigned_in_the_background_in_batches(
    city, users, depts, settings, django_capture_on_commit_callbacks
):
    settings.RISK_CAMPAIGN_INLINE_TARGETS = 10
    bulk_venues(city.grid, 25)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        campaign = launch(users.leader, city.wenfeng)
    assert campaign.unassigned_count == 25
    assert campaign_tasks(campaign).count() == 0
    assert len(callbacks) == 1
    # The Celery task's body, twice (a redelivery): one task per venue.
    assert services.campaign_assign_targets(campaign_id=campaign.pk, actor=users.leader, batch_size=10) == 25
    assert services.campaign_assign_targets(campaign_id=campaign.pk, actor=users.leader) == 0
    campaign.refresh_from_db()
    assert campaign.unassigned_count == 0
    assert campaign_tasks(campaign).count() == 25
