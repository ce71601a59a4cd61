"""The hazard list at a province's size (issue 19 point 1): its count stops at the cap (the page says "over", the API
says ``count_capped``) through a limited count in the order of the open hazards' path index, and the pages go on
past it; the four figures stay exact. The cap is made small here; bench/run measures the real one at 1M."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crowdsafe.common import pagination
from risk.choices import HazardState
from risk.models import Hazard

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def add(jurisdiction, found_by, n: int, *, start: int = 0, **fields) -> None:
    today = timezone.localdate()
    Hazard.objects.bulk_create(
        Hazard(
            subject_type="",
            subject_id=0,
            jurisdiction=jurisdiction,
            jurisdiction_path=jurisdiction.path,
            title=f"隐患{start + i}",
            description="",
            level="major" if i % 2 else "ordinary",
            source="patrol",
            found_by=found_by,
            location="东门",
            rectification_deadline=today + dt.timedelta(days=start + i - 2),
            **fields,
        )
        for i in range(n)
    )


def _counts(client, url: str, params=None) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url, params or {}).content.decode()
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"] and '"risk_hazard"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    return counts, body


def test_the_city_list_counts_at_most_its_cap_in_the_path_index_order(city, users, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    monkeypatch.setattr("risk.views.hazards.PAGE_SIZE", 2)
    add(city.grid, users.grid_worker, 6)
    add(city.grid, users.grid_worker, 2, start=10, state=HazardState.CLOSED, closed_at=timezone.now())
    client = client_for(users.leader)
    (count,), page = _counts(client, reverse("risk:hazard_list"))
    # One limited count, read in the order of the path's varchar_pattern_ops index (an index-only range read).
    assert "LIMIT 4" in count and '"risk_hazard"."jurisdiction_path" USING ~<~' in count.split("ORDER BY")[1]
    assert "Over 3 hazards" in page and "data-count-capped" in page and "6 hazards" not in page
    assert "Page 1</span>" in page and "Page 1 of" not in page and 'rel="next"' in page
    # The figures are still exact: 6 open, 3 major, 2 overdue.
    figures = page.split("data-hazard-counts>")[1].split("</ul>")[0]
    assert [v.split("<")[0] for v in figures.split('stat-value">')[1:]] == ["6", "3", "2", "0"]
    # Past the cap: the last hazards (the latest deadlines) are still reachable, and the last page has no next.
    last = client.get(reverse("risk:hazard_list"), {"page": 3}).content.decode()
    assert "隐患4" in last and "隐患5" in last and 'rel="next"' not in last
    # A filter the index holds (level) keeps the order; below the cap the total is exact as before.
    (major,), page = _counts(client, reverse("risk:hazard_list"), {"level": "major", "status": "open"})
    assert "USING ~<~" in major and "3 hazards" in page and "data-count-capped" not in page


def test_below_the_cap_the_list_is_counted_as_before(city, users):
    add(city.grid, users.grid_worker, 3)
    page = client_for(users.leader).get(reverse("risk:hazard_list")).content.decode()
    assert "3 hazards" in page and "Over 3" not in page and "data-count-capped" not in page


def test_a_department_counts_its_territory_first_then_its_whole_scope(city, users):
    # The police station's staff see their district's hazards and the ones their department supervises elsewhere.
    add(city.grid, users.grid_worker, 2)
    add(city.beiguan_street, users.grid_worker, 1, start=5, supervising_department=city.wenfeng_police)
    add(city.beiguan_street, users.grid_worker, 1, start=7)
    (territory, scope), page = _counts(client_for(users.staff), reverse("risk:hazard_list"))
    assert "USING ~<~" in territory and "supervising_department_id" not in territory
    assert "supervising_department_id" in scope and "ORDER BY" not in scope
    assert "3 hazards" in page and "隐患5" in page and "隐患7" not in page


def test_a_search_counts_in_the_lists_order(city, users):
    add(city.grid, users.grid_worker, 3)
    (count,), page = _counts(client_for(users.leader), reverse("risk:hazard_list"), {"q": "隐患1"})
    assert '"risk_hazard"."rectification_deadline" ASC' in count.split("ORDER BY")[1] and "1 hazard" in page


def test_the_api_says_when_its_count_is_capped_and_pages_on(city, users, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    add(city.grid, users.grid_worker, 5)
    client = client_for(users.leader)
    url = reverse("v1:risk-hazard-list")
    first = client.get(url, {"page_size": 2}).json()
    assert first["count"] == 3 and first["count_capped"] is True and first["next"]
    assert [h["title"] for h in first["results"]] == ["隐患0", "隐患1"]
    third = client.get(url, {"page_size": 2, "page": 3}).json()
    assert [h["title"] for h in third["results"]] == ["隐患4"] and third["next"] is None
    uncapped = client.get(url, {"level": "major"}).json()
    assert uncapped["count"] == 2 and uncapped["count_capped"] is False
