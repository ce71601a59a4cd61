"""The task queue's "done" view of a department (``?status=done``, last completed first) is read from the partial
index on the department's done tasks by completion time (``duties_task_dept_done_idx``, duties 0012; issue 19: no
sort of all of a department's done tasks, ~14 ms at a million tasks), with or without the overview's "done in the
last 30 days" bound."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duties.models import Task
from duties.selectors import task_queue
from tests.duties.conftest import EVENT_DAY, make_tasks

pytestmark = pytest.mark.django_db

RULE = "旅游景区人员聚集活动安全管理"


@pytest.fixture
def done_tasks(linzhou):
    """A department's 400 done tasks among another's, completed over the last months (the index must be worth reading
    in order: with a few dozen rows a sort is cheaper)."""
    make_tasks(400, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture, status="done")
    make_tasks(400, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.fire, status="done", start_id=1)
    make_tasks(20, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture, start_id=1000)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE duties_task SET completed_at = now() - (id %% 97) * interval '7 hours' WHERE status = %s", ["done"]
        )


def _plan_of_rows(user, filters) -> tuple[list[int], str]:
    queue = task_queue(user=user, filters=filters, today=EVENT_DAY)
    with CaptureQueriesContext(connection) as captured:
        rows = [task.pk for task in queue[:50]]
    [statement] = [q["sql"] for q in captured.captured_queries if '"duties_task"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE duties_task")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {statement}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return rows, plan


@pytest.mark.parametrize("filters", [{"status": "done"}, {"status": "done", "completed_within": 30}])
def test_a_departments_done_tasks_are_read_from_their_index_last_completed_first(
    done_tasks, linzhou, linzhou_users, filters
):
    rows, plan = _plan_of_rows(linzhou_users.culture_staff, filters)
    expected = Task.objects.filter(responsible_department=linzhou.culture, status="done")
    if "completed_within" in filters:
        expected = expected.filter(completed_at__gte=timezone.now() - dt.timedelta(days=30))
    assert rows == list(expected.order_by("-completed_at", "-id").values_list("pk", flat=True)[:50])
    assert len(rows) > 30
    assert "duties_task_dept_done_idx" in plan, plan
    assert "Sort" not in plan.split("duties_task_dept_done_idx")[0].rsplit("Limit", 1)[-1], plan
