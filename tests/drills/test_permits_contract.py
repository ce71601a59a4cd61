"""The "permits ↔ drills" contract with the real permits app: the pre-event drill rule on an approved application,
the gap on the permit's page (through ``permits.panels``) and on the approving department's list
(``drills.selectors.pre_event_drill_gaps``), the event's plan from the application's uploaded emergency plan, and a
drill before the event that settles it.

The applications are built with the permits tests' own helpers and fixtures (``permit_city``, ``stadium``, imported
in tests/drills/conftest.py), through the permit services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from drills import selectors, services
from drills.choices import ScopeKind, VersionSource
from drills.duties import PRE_EVENT_DRILL
from duties.choices import TaskStatus
from duties.models import Task
from permits import services as permit_services
from tests.permits.conftest import build_application, through_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(permit_city, stadium):
    application = build_application(
        organizer=permit_city.users.organizer, organisation=permit_city.city.organisation, venue=stadium.venue
    )
    through_inspection(application, permit_city)
    permit_services.application_decide(
        application=application,
        actor=permit_city.users.head,
        outcome="approve",
        approved_capacity=3000,
        conditions=["活动举办前组织一次应急预案检验性演练"],
    )
    application.refresh_from_db()
    return application


def pre_event_task(application) -> Task:
    return Task.objects.get(subject_type="permit_application", subject_id=application.pk, rule__key=PRE_EVENT_DRILL)


def test_approving_an_event_makes_the_organizer_owe_a_drill_by_the_eve_of_the_first_session(approved):
    task = pre_event_task(approved)
    assert task.responsible_organisation == approved.organisation
    assert task.due_date == approved.first_session_date - dt.timedelta(days=1)
    assert task.status == TaskStatus.OPEN


def test_an_approved_event_without_a_drill_shows_the_gap_on_the_permit_and_on_the_approving_departments_list(
    approved, permit_city
):
    """Acceptance: the gap is on the permit page (panel) and on the licensing department's list."""
    users = permit_city.users
    assert approved.licensing_department == permit_city.city.wenfeng_police
    gaps = selectors.pre_event_drill_gaps(user=users.staff)  # the approving department's reviewer
    assert [gap.application.pk for gap in gaps] == [approved.pk]
    assert gaps[0].plan is None and gaps[0].due == pre_event_task(approved).due_date
    assert [g.application.pk for g in selectors.pre_event_drill_gaps(user=users.organizer)] == [approved.pk]
    assert selectors.pre_event_drill_gaps(user=users.outsider) == []

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users.staff)
    html = client.get(reverse("permits:application_detail", args=[approved.pk])).content.decode()
    assert 'data-panel="pre_event_drill"' in html and "data-pre-event-gap" in html
    html = client.get(reverse("drills:pre_event_gaps")).content.decode()
    assert f'data-application="{approved.pk}"' in html


def test_the_plan_comes_from_the_applications_uploaded_emergency_plan_and_a_drill_before_the_event_closes_the_gap(
    approved, permit_city
):
    users = permit_city.users
    plan = services.plan_import_from_application(application=approved, actor=users.organizer)
    assert plan.scope_kind == ScopeKind.EVENT and plan.application_id == approved.pk
    assert plan.owner == approved.organisation and plan.jurisdiction == approved.venue.grid
    version = plan.versions.get()
    assert version.source == VersionSource.PERMIT_MATERIAL
    # Importing again with the same file changes nothing.
    assert services.plan_import_from_application(application=approved, actor=users.staff).current_version == 1

    eve = approved.first_session_date - dt.timedelta(days=1)
    services.drill_record(
        actor=users.organizer,
        plan=plan,
        held_on=eve - dt.timedelta(days=10),
        scenario="散场大客流",
        narrative="按预案分区疏散",
        today=eve,
    )
    assert pre_event_task(approved).status == TaskStatus.DONE
    assert selectors.pre_event_drill_gaps(user=users.staff) == []

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users.staff)
    html = client.get(reverse("permits:application_detail", args=[approved.pk])).content.decode()
    assert 'data-gap="no"' in html


def test_a_drill_after_the_first_session_does_not_count_as_before_the_event(approved, permit_city):
    users = permit_city.users
    plan = services.plan_import_from_application(application=approved, actor=users.organizer)
    after = approved.first_session_date + dt.timedelta(days=1)
    services.drill_record(actor=users.organizer, plan=plan, held_on=after, scenario="s", narrative="n", today=after)
    assert pre_event_task(approved).status == TaskStatus.OPEN
    assert [g.application.pk for g in selectors.pre_event_drill_gaps(user=users.staff)] == [approved.pk]


def test_the_import_action_on_the_page(approved, permit_city):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(permit_city.users.organizer)
    response = client.post(reverse("drills:import_from_application", args=[approved.pk]))
    assert response.status_code == 302
    assert approved.emergency_plans.get().current_version == 1
    client.force_login(permit_city.users.outsider)
    assert client.post(reverse("drills:import_from_application", args=[approved.pk])).status_code == 404


def test_the_gap_list_keeps_a_fixed_number_of_queries(approved, permit_city, stadium, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = permit_city.users
    services.plan_import_from_application(application=approved, actor=users.organizer)
    selectors.pre_event_drill_gaps(user=users.staff)
    with CaptureQueriesContext(connection) as few:
        assert len(selectors.pre_event_drill_gaps(user=users.staff)) == 1
    second = build_application(
        organizer=users.organizer, organisation=permit_city.city.organisation, venue=stadium.venue, name="第二场音乐会"
    )
    through_inspection(second, permit_city)
    permit_services.application_decide(
        application=second, actor=users.head, outcome="approve", approved_capacity=3000, conditions=["活动前演练"]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(selectors.pre_event_drill_gaps(user=users.staff)) == 2
