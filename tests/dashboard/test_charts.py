"""Charts (issue 17 point 4, and point 1's on-time rate by week): ECharts vendored, the data handed to the page as
JSON in <script type="application/json"> (no inline script), every chart also a table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from dashboard.selectors.trends import on_time_by_week
from events.models import Gathering
from tests.events.conftest import report

pytestmark = pytest.mark.django_db


def _scripts_are_not_inline(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def _json(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_echarts_is_vendored():
    base = Path(settings.BASE_DIR) / "static" / "vendor" / "echarts"
    assert (base / "VERSION").read_text().strip() == "6.0.0"
    assert (base / "LICENSE").exists() and (base / "echarts.min.js").stat().st_size > 500_000
    package = json.loads((Path(settings.BASE_DIR) / "package.json").read_text())
    assert package["dependencies"]["echarts"] == "6.0.0" and "vendor:echarts" in package["scripts"]


def test_on_time_rate_by_week_equals_the_hand_count(city, users, ledger):
    trend = on_time_by_week(user=users.admin, root=city.anyang, today=ledger.today)
    assert len(trend.weeks) == 12 and trend.weeks[-1] <= ledger.today
    # Done in the last 12 weeks under 安阳市: E (on time), F (late), K (on time); G is 100 days ago.
    assert sum(sum(s.done) for s in trend.series) == 3
    assert sum(sum(s.on_time) for s in trend.series) == 2
    leader = on_time_by_week(user=users.leader, root=city.wenfeng, today=ledger.today)
    assert sum(sum(s.done) for s in leader.series) == 2  # E and F: K is the city's, above the leader


def test_matrix_page_hands_the_trend_as_json_and_as_a_table(city, users, client, ledger):
    client.force_login(users.admin)
    html = client.get(reverse("dashboard:matrix")).content.decode()
    _scripts_are_not_inline(html)
    assert 'data-chart="chart-on-time"' in html and "vendor/echarts/echarts.min.js" in html
    spec = _json(html, "chart-on-time")
    assert len(spec["categories"]) == 12
    assert sum(sum(v for v in s["data"] if v is not None) for s in spec["series"]) > 0
    assert 'data-table="on-time-trend"' in html


def test_risk_page_charts_gatherings_by_level_per_township(city, users, client):
    red = report(users.grid_worker, grid=city.grid)
    Gathering.objects.filter(pk=red.pk).update(risk_level="red")
    client.force_login(users.admin)
    html = client.get(reverse("dashboard:risk")).content.decode()
    _scripts_are_not_inline(html)
    spec = _json(html, "chart-levels")
    assert city.wenfeng.name in spec["categories"]
    red_series = next(s for s in spec["series"] if s["name"] == "Major risk")
    assert red_series["data"][spec["categories"].index(city.wenfeng.name)] == 1
    assert "data-levels" in html  # the same figures as a table
