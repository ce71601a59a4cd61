"""Drill compliance's totals alone (``compliance_totals``, what the dashboard's risk now shows; issue 17 point 8):
the same figures as ``drill_compliance(...).totals`` — plans in force, drilled within their interval, overdue
drills, open and overdue after-action items — counted by the database: no overdue drill task is read row by row
(at a million tasks that was most of risk now's time)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drills.compliance import compliance_totals, drill_compliance
from tests.drills.test_compliance import TODAY, landscape  # noqa: F401 - the fixture
from tests.drills.test_compliance_scale import TODAY as LATER
from tests.drills.test_compliance_scale import _venues

pytestmark = pytest.mark.django_db


def test_the_totals_equal_those_of_the_tables(landscape):  # noqa: F811
    _venues(landscape, 3)  # crowded venues whose drill duties are overdue LATER
    city = landscape.city
    for who in ("leader", "admin", "township_officer", "staff", "outsider"):
        user = getattr(landscape.users, who)
        for today in (TODAY, LATER, dt.date(2025, 1, 1)):
            for territory in (None, city.anyang, city.street, city.beiguan):
                expected = drill_compliance(user=user, today=today, territory=territory).totals
                assert compliance_totals(user=user, today=today, territory=territory) == expected, (who, today)


def test_the_fixture_counts_something_in_every_figure(landscape):  # noqa: F811
    _venues(landscape, 3)
    totals = compliance_totals(user=landscape.users.leader, today=LATER, territory=landscape.city.anyang)
    assert (totals.plans, totals.drilled) == (3, 0)  # the drills of 2026 are more than a year before LATER
    assert totals.overdue_drills >= 4 and totals.open_items == 2 and totals.overdue_items == 2
    totals = compliance_totals(user=landscape.users.leader, today=TODAY)
    assert (totals.plans, totals.drilled, totals.open_items, totals.overdue_items) == (3, 1, 2, 1)


def test_the_overdue_drill_tasks_are_counted_not_read(landscape):  # noqa: F811
    _venues(landscape, 3)
    user = landscape.users.leader
    with CaptureQueriesContext(connection) as queries:
        totals = compliance_totals(user=user, today=LATER, territory=landscape.city.anyang)
    assert totals.overdue_drills >= 4
    on_tasks = [q["sql"] for q in queries.captured_queries if 'FROM "duties_task"' in q["sql"]]
    assert len(on_tasks) == 1 and on_tasks[0].startswith('SELECT COUNT("duties_task"."id") AS "n" FROM')
    assert '"duties_task"."rule_id" IN' in on_tasks[0]  # through the partial index on open tasks by rule
    assert not any("venues_venue" in q["sql"] for q in queries.captured_queries)  # no venue kinds looked up
    assert len(queries.captured_queries) <= 5  # scope, drill rules' ids, plans, count of tasks, items
