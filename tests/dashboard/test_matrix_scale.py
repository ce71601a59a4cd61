"""The matrix as rewritten for a million tasks (issue 17 point 8, bench/bench_dashboard.py): one hash-aggregated
statement (no GROUPING SETS, no ordered aggregate) with JIT off, the done tasks read as a range of completion times
— figures still equal to the list behind them at the edges of the period in the city's time zone, and the medians
and oldest tasks still those of ``percentile_cont``."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.selectors.matrix import _Group, responsibility_matrix
from duties.models import Task
from duties.selectors import task_queue
from tests.dashboard.conftest import make_task

pytestmark = pytest.mark.django_db


def _listed(user, url, today):
    return {t.pk for t in task_queue(user=user, filters=QueryDict(urlsplit(url).query), today=today)}


def test_done_at_the_edges_of_the_period_in_the_city_time_zone(city, users):
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=6), today
    zone = timezone.get_current_timezone()
    police, street = city.wenfeng_police, city.street

    def done_at(label, day, hour, minute):
        task = make_task(label, jurisdiction=street, due=end, status="done", department=police, completed=day)
        at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
        Task.objects.filter(pk=task.pk).update(completed_at=at)
        return task

    first = done_at("first", start, 0, 10)  # the first minutes of the first day: in
    before = done_at("before", start - dt.timedelta(days=1), 23, 50)  # the day before: out
    last = done_at("last", end, 23, 30)  # the last minutes of the last day: in
    done_at("after", end + dt.timedelta(days=1), 0, 10)  # the next day: out
    m = responsibility_matrix(user=users.admin, root=city.anyang, today=today, period=(start, end))
    assert (m.total.done, m.total.on_time) == (2, 2)
    assert _listed(users.admin, m.total.done_url, today) == {first.pk, last.pk}
    assert before.pk not in _listed(users.admin, m.total.done_url, today)


def test_one_hash_aggregated_statement_with_jit_off(city, users, ledger):
    with CaptureQueriesContext(connection) as queries:
        responsibility_matrix(
            user=users.admin, root=city.anyang, today=ledger.today, period=(ledger.today, ledger.today)
        )
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("SET LOCAL jit = off" in s for s in sql)
    grouped = [s for s in sql if "COUNT(*) FILTER" in s]
    assert len(grouped) == 1
    assert "GROUPING SETS" not in grouped[0] and "percentile_cont" not in grouped[0]
    assert "UNION ALL" in grouped[0]  # outstanding and done read apart, each through its own index


@pytest.mark.parametrize(
    ("days", "expected"),
    [([10], 10.0), ([10, 4], 7.0), ([10, 4, 1], 4.0), ([10, 4, 2, 1], 3.0), ([5, 5, 5, 1], 5.0), ([3, 1, 1], 1.0)],
)
def test_the_median_from_the_histogram_is_percentile_cont(days, expected):
    today = dt.date(2026, 12, 7)
    group = _Group()
    for d in days:
        group.add(today, today - dt.timedelta(days=d), (1, 0, 1, 0, 0), 100 + d)
    assert group.median() == expected
    oldest = max(days)
    assert group.oldest_id == 100 + oldest
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) FROM unnest(%s::int[]) AS d", [list(days)]
        )
        assert cursor.fetchone()[0] == expected
