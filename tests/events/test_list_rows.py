"""The 清单's rows (``{% gathering_rows %}``): each row says what the gathering's own fields and labels say, in the
active language and time zone (issue 19: the time zone and the labels are looked up once per list, not per row)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Gathering
from events.templatetags.event_tags import gathering_rows
from tests.events.conftest import report

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<tr class="row-(?P<risk>[^"]*)" data-gathering="(?P<pk>\d+)">'
    r'<td class="nowrap" data-label="[^"]*"><time datetime="(?P<iso>[^"]*)">(?P<shown>[^<]*)</time></td>'
    r'<td data-label="[^"]*"><a href="(?P<url>[^"]*)">(?P<title>[^<]*)</a><span class="item-meta">[^<]*</span></td>'
    r'<td class="hide-narrow" data-label="[^"]*">(?P<kind>[^<]*)</td>'
    r'<td class="num" data-label="[^"]*">.*?</td>'
    r'<td data-label="[^"]*"><span class="risk risk-[^"]*" data-risk="[^"]*">(?P<risk_label>[^<]*)</span></td>'
    r'<td data-label="[^"]*"><span class="badge status-badge status-[^"]*" data-status="[^"]*">(?P<status>[^<]*)</span>'
    r'</td><td class="hide-narrow" data-label="[^"]*">(?P<source>[^<]*)</td></tr>'
)


def test_each_row_says_the_gatherings_own_fields_in_the_language_and_time_zone(city, users, places):
    report(users.grid_worker, grid=city.grid, title="庙会 <b>&", kind="online_to_offline", source="online_monitoring")
    report(users.grid_worker, venue=places.square, title="广场舞")
    late = report(users.grid_worker, grid=city.grid, title="夜市")
    Gathering.objects.filter(pk=late.pk).update(
        starts_at=dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC), risk_level="red", status="cancelled"
    )
    gatherings = list(Gathering.objects.select_related("venue", "grid").order_by("pk"))
    for language in ("zh-hans", "en"):
        for zone in ("Asia/Shanghai", "UTC"):
            with translation.override(language), timezone.override(zone):
                rows = {int(m["pk"]): m for m in ROW.finditer(str(gathering_rows(gatherings)))}
                assert len(rows) == len(gatherings)
                for g in gatherings:
                    row = rows[g.pk]
                    starts = timezone.localtime(g.starts_at)
                    assert row["iso"] == starts.isoformat() and row["shown"] == starts.strftime("%Y-%m-%d %H:%M")
                    assert row["url"] == reverse("events:gathering_detail", args=[g.pk])
                    assert html.unescape(row["title"]) == g.title
                    assert row["risk"] == g.risk_level
                    assert html.unescape(row["kind"]) == str(g.get_kind_display())
                    assert html.unescape(row["risk_label"]) == str(g.get_risk_level_display())
                    assert html.unescape(row["status"]) == str(g.get_status_display())
                    assert html.unescape(row["source"]) == str(g.get_source_display())
    with translation.override("en"):
        assert "Cancelled" in str(gathering_rows(gatherings))
    with timezone.override("Asia/Shanghai"):
        assert "2026-12-08 01:30" in str(gathering_rows(gatherings))


def test_the_rows_look_the_time_zone_and_the_labels_up_once(city, users, monkeypatch):
    from django.utils import timezone as timezone_module

    from crowdsafe.common import labels

    for i in range(3):
        report(users.grid_worker, grid=city.grid, title=f"聚集{i}")
    gatherings = list(Gathering.objects.select_related("venue", "grid").order_by("pk"))
    calls = []
    real_zone, real_language = timezone_module.get_current_timezone, translation.get_language
    monkeypatch.setattr(timezone_module, "get_current_timezone", lambda: calls.append("zone") or real_zone())
    monkeypatch.setattr(translation, "get_language", lambda: calls.append("language") or real_language())
    monkeypatch.setattr(labels, "get_language", translation.get_language)
    gathering_rows(gatherings[:1])
    one = len(calls)
    calls.clear()
    gathering_rows(gatherings)
    assert len(calls) == one
