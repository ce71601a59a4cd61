"""Drill compliance finds its tasks by rule (issue 17 point 8): the drill rules' ids are read first and the
outstanding tasks filtered by rule (the drills app's partial index on open tasks by rule, migration 0005), instead
of walking every overdue task of the territory and joining each to its rule; the counts are read from four columns
and the tasks themselves only when the list is asked for. The figures are those of the plain reading (every
outstanding task joined to its rule, as it was), on a territory with overdue drills of several venues, kinds and
holders beside overdue tasks of other duties; the number of queries does not grow with the number of tasks."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crowdsafe.org.models import PATH_SEPARATOR
from drills import services
from drills.choices import OwnerKind, PlanKind, ScopeKind
from drills.compliance import drill_compliance
from drills.duties import DRILL_DUE_KEYS
from drills.models import EmergencyPlan
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task
from tests.drills.conftest import make_plan
from venues.choices import VenueKind
from venues.models import Venue
from venues.services import venue_create

pytestmark = pytest.mark.django_db
TODAY = dt.date(2027, 6, 1)


def _venues(world, count: int, start: int = 0) -> None:
    kinds = [VenueKind.COMMERCIAL, VenueKind.THEATRE, VenueKind.STADIUM]
    for i in range(start, start + count):
        venue_create(actor=None, name=f"场所{i}", kind=kinds[i % len(kinds)], grid=world.city.grid)


@pytest.fixture
def territory(world):
    """The mall with two plans (one never drilled), 东大街街道办事处's plan, and more crowded venues of three kinds:
    on TODAY their drill duties are overdue, and so are duties of other rules about the same venues."""
    make_plan(world, title="商场总体预案")
    make_plan(world, title="商场现场处置方案", kind=PlanKind.ON_SITE)
    services.plan_create(
        actor=None,
        title="街道自发聚集预案",
        kind=PlanKind.SPECIAL,
        owner_kind=OwnerKind.DEPARTMENT,
        owner=world.street_office,
        scope_kind=ScopeKind.GATHERING_KIND,
        gathering_kind="festival",
        territory=world.city.street,
    )
    _venues(world, 4)
    return world


def _plain(user, today):
    """The figures read the old way: every outstanding task the user oversees, joined to its rule, walked."""
    tasks = list(
        Task.objects.visible_to(user, whole_territory=True)
        .filter(rule__key__in=DRILL_DUE_KEYS, status__in=OUTSTANDING_VALUES, due_date__lt=today)
        .order_by("due_date", "id")
    )
    kinds = dict(Venue.objects.values_list("pk", "kind"))
    plan_kinds = dict(EmergencyPlan.objects.values_list("pk", "venue__kind"))
    departments, townships, by_kind = Counter(), Counter(), Counter()
    for task in tasks:
        if task.responsible_department_id:
            departments[str(task.responsible_department_id)] += 1
        codes = [c for c in task.jurisdiction_path.split(PATH_SEPARATOR) if c]
        townships[PATH_SEPARATOR.join(codes[:3]) + PATH_SEPARATOR if len(codes) >= 3 else "-"] += 1
        if task.subject_type == "venue":
            by_kind[kinds[task.subject_id]] += 1
        if task.subject_type == "emergency_plan":  # an on-site plan's drill: its venue's kind
            by_kind[plan_kinds[task.subject_id]] += 1
    return tasks, departments, townships, by_kind


def test_the_figures_equal_the_plain_reading_of_every_outstanding_task(territory):
    user = territory.users.leader
    tasks, departments, townships, by_kind = _plain(user, TODAY)
    # The fixture is worth comparing: overdue drills of several venues, kinds and a plan, other duties overdue too.
    assert len(tasks) >= 5 and len(by_kind) == 3
    assert {t.subject_type for t in tasks} == {"venue", "emergency_plan"}
    others = Task.objects.filter(status__in=OUTSTANDING_VALUES, due_date__lt=TODAY).exclude(
        rule__key__in=DRILL_DUE_KEYS
    )
    assert others.exists()

    c = drill_compliance(user=user, today=TODAY)
    assert c.totals.overdue_drills == len(tasks)
    assert c.overdue == tasks  # the same tasks, oldest first
    assert {r.key: r.overdue_drills for r in c.by_department if r.overdue_drills} == dict(departments)
    assert {r.key: r.overdue_drills for r in c.by_township if r.overdue_drills} == dict(townships)
    assert {r.key: r.overdue_drills for r in c.by_venue_kind if r.overdue_drills} == dict(by_kind)
    # The rest of the tables is untouched: three plans, none drilled.
    assert (c.totals.plans, c.totals.drilled) == (3, 0)


def test_the_tasks_are_found_by_rule_and_read_only_when_the_list_is_asked_for(territory):
    user = territory.users.leader
    with CaptureQueriesContext(connection) as queries:
        c = drill_compliance(user=user, today=TODAY)
    on_tasks = [q["sql"] for q in queries.captured_queries if 'FROM "duties_task"' in q["sql"]]
    assert len(on_tasks) == 1
    assert '"duties_task"."rule_id" IN' in on_tasks[0]
    assert "duties_responsibilityrule" not in on_tasks[0]  # no join to the rules
    assert "explanation_data" not in on_tasks[0]  # four columns, not the tasks
    with CaptureQueriesContext(connection) as listed:
        assert len(c.overdue) == c.totals.overdue_drills
        assert c.overdue is c.overdue  # read once
    assert len(listed.captured_queries) == 1


def test_the_number_of_queries_does_not_grow_with_the_tasks(territory):
    user = territory.users.leader
    drill_compliance(user=user, today=TODAY)
    with CaptureQueriesContext(connection) as few:
        before = drill_compliance(user=user, today=TODAY).totals.overdue_drills
    _venues(territory, 9, start=100)
    with CaptureQueriesContext(connection) as many:
        after = drill_compliance(user=user, today=TODAY).totals.overdue_drills
    assert after == before + 9
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_the_index_on_open_tasks_by_rule_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'drills_task_open_rule_idx'")
        (definition,) = cursor.fetchone()
    assert "duties_task" in definition and "(rule_id, due_date, id)" in definition
    assert "'open'" in definition and "'in_progress'" in definition and "'overdue'" in definition
