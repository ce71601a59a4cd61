"""Risk now reads the open hazards from their partial index (issue 19: no Seq Scan on a table over 10,000 rows; at a
million hazards the open states only in the counts' FILTERs made risk now read every hazard ever recorded)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.selectors.risk import risk_now
from risk.models import Hazard
from tests.helpers.plans import plan_with_only

pytestmark = pytest.mark.django_db


def _hazard(city, users, *, state, level="major", days=-1):
    return Hazard.objects.create(
        subject_type="",
        subject_id=0,
        jurisdiction=city.grid,
        jurisdiction_path=city.grid.path,
        title="隐患",
        description="",
        level=level,
        state=state,
        source="patrol",
        found_by=users.grid_worker,
        location="东门",
        rectification_deadline=timezone.localdate() + dt.timedelta(days=days),
        closed_at=timezone.now() if state == "closed" else None,
    )


def test_the_hazard_counts_read_the_open_hazards_index(city, users):
    _hazard(city, users, state="open")  # major and overdue
    _hazard(city, users, state="rectifying", level="ordinary")  # overdue
    _hazard(city, users, state="open", days=3)  # major
    _hazard(city, users, state="closed")  # neither: closed
    with CaptureQueriesContext(connection) as captured:
        now = risk_now(user=users.leader, root=city.wenfeng, today=timezone.localdate())
    assert now.hazards == {"major": 2, "overdue": 2}
    [statement] = [q["sql"] for q in captured.captured_queries if '"risk_hazard"' in q["sql"]]
    # Served by the open hazards' partial index (in whole runs the planner picked another for a test's four rows).
    assert "risk_hazard_open_path_idx" in plan_with_only(
        statement, table="risk_hazard", keep="risk_hazard_open_path_idx"
    )
