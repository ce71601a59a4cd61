"""A large campaign's tasks made by a real Celery worker (a separate process on this run's own queue): the launch
commits the targets and enqueues the assignment; the worker makes one task per venue; the campaign's progress
then counts them all as due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from duties.models import Task
from risk import selectors, services
from risk.models import AssessmentCampaign
from tests.integration.conftest import celery_worker_process, wait_for  # noqa: F401 - the fixture
from tests.risk.test_campaign_services import bulk_venues

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_makes_the_tasks_of_a_large_campaign(celery_worker_process, city, users, depts, settings):  # noqa: F811
    settings.RISK_CAMPAIGN_INLINE_TARGETS = 20
    bulk_venues(city.grid, 120)
    campaign = services.campaign_launch(
        actor=users.leader,
        name="春节前商场风险评估",
        territory=city.wenfeng,
        purpose="holiday",
        deadline=timezone.localdate() + dt.timedelta(days=20),
        venue_kinds=["commercial"],
    )
    assert campaign.unassigned_count == 120

    def made() -> bool:
        return Task.objects.filter(subject_type="campaign_target").count() == 120

    wait_for(made, timeout=120, what="the worker to make 120 tasks")
    campaign = AssessmentCampaign.objects.get(pk=campaign.pk)
    assert campaign.unassigned_count == 0
    progress = selectors.campaign_progress(campaign=campaign)
    assert (progress.total.total, progress.total.due, progress.unassigned) == (120, 120, 0)
    assert [row.label for row in progress.by_department] == [depts.street_office.name]
