"""The headcount chart: an inline SVG drawn on the server."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from events.charts import Reference, headcount_svg


def test_no_counts_no_chart():
    assert headcount_svg([]) == ""


def test_counts_are_a_line_with_a_dot_each_and_the_references_are_dashed_lines():
    start = timezone.make_aware(dt.datetime(2026, 2, 17, 19, 0))
    points = [(start + dt.timedelta(minutes=30 * i), count) for i, count in enumerate([800, 1900, 2700, 2100])]
    svg = str(headcount_svg(points, references=[Reference(2500, "safe capacity", "chart-ref-capacity")]))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'data-points="4"' in svg
    assert svg.count("<circle") == 4
    assert 'class="chart-ref chart-ref-capacity"' in svg
    assert "safe capacity 2,500" in svg
    path = re.search(r'class="chart-line" d="([^"]+)"', svg).group(1)
    ys = [float(pair.split(",")[1]) for pair in re.findall(r"[ML]([\d.]+,[\d.]+)", path)]
    assert ys[2] < ys[1] < ys[0]  # more people, higher on the chart (smaller y)


def test_one_count_is_drawn_in_the_middle():
    moment = timezone.make_aware(dt.datetime(2026, 2, 17, 19, 0))
    svg = str(headcount_svg([(moment, 100)]))
    assert svg.count("<circle") == 1


def test_text_is_escaped():
    moment = timezone.make_aware(dt.datetime(2026, 2, 17, 19, 0))
    svg = str(headcount_svg([(moment, 100)], references=[Reference(50, "<b>x</b>", "c")]))
    assert "<b>" not in svg
