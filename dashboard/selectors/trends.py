"""The dashboard's charts (issue 17 points 1 and 4), each also a table: the on-time rate by week over 12 weeks per
holder (department kinds, as the matrix's columns) and the gatherings by level per child jurisdiction. Each chart is
plain data (``chart_data``) handed to the page as JSON; ``static/dashboard/charts.js`` draws it with ECharts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case as CaseExpr
from django.db.models import CharField, Count, F, Q, Value, When
from django.db.models.functions import TruncWeek

from crowdsafe.org.models import Jurisdiction
from dashboard.selectors.matrix import ORGANISATION, TERRITORIAL, UNASSIGNED, _column_label, _column_order
from dashboard.selectors.risk import LEVEL_HEADERS, LEVELS, RiskNow
from duties.choices import TaskStatus
from duties.models import Task

WEEKS = 12
LEVEL_COLOURS = {"red": "#c62828", "orange": "#ef6c00", "yellow": "#f9a825", "blue": "#1565c0"}


@dataclass
class TrendSeries:
    key: str
    label: str
    done: list[int] = field(default_factory=list)
    on_time: list[int] = field(default_factory=list)

    @property
    def rates(self) -> list[int | None]:
        """On-time rate per week in whole percent (None: nothing done that week)."""
        return [round(t * 100 / d) if d else None for d, t in zip(self.done, self.on_time, strict=True)]

    @property
    def weeks(self) -> list[tuple[int, int, int | None]]:
        """(done, on time, rate) per week: the table's cells."""
        return list(zip(self.done, self.on_time, self.rates, strict=True))


@dataclass
class Trend:
    weeks: list[dt.date]  # each week's Monday, oldest first
    series: list[TrendSeries]


def on_time_by_week(*, user: Any, root: Jurisdiction, today: dt.date, weeks: int = WEEKS) -> Trend:
    """Tasks done in each of the last ``weeks`` weeks (the current one included) under ``root``, per holder: how
    many, and how many by their due date. One grouped query over ``Task.objects.visible_to(user)``."""
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=weeks - 1)
    week_list = [first + dt.timedelta(weeks=i) for i in range(weeks)]
    column = CaseExpr(
        When(responsible_department__isnull=False, then=F("responsible_department__kind")),
        When(responsible_jurisdiction__isnull=False, then=Value(TERRITORIAL)),
        When(responsible_organisation__isnull=False, then=Value(ORGANISATION)),
        default=Value(UNASSIGNED),
        output_field=CharField(),
    )
    rows = (
        Task.objects.visible_to(user)
        .filter(
            jurisdiction_path__startswith=root.path,
            status=TaskStatus.DONE,
            completed_at__date__gte=first,
            completed_at__date__lte=today,
        )
        .order_by()
        .annotate(c=column, w=TruncWeek("completed_at"))
        .values("c", "w")
        .annotate(done=Count("pk"), on_time=Count("pk", filter=Q(completed_at__date__lte=F("due_date"))))
    )
    index = {w: i for i, w in enumerate(week_list)}
    series: dict[str, TrendSeries] = {}
    for item in rows:
        week = item["w"].date() if isinstance(item["w"], dt.datetime) else item["w"]
        if week not in index:
            continue
        s = series.setdefault(
            item["c"],
            TrendSeries(key=item["c"], label=str(_column_label(item["c"])), done=[0] * weeks, on_time=[0] * weeks),
        )
        s.done[index[week]] += item["done"]
        s.on_time[index[week]] += item["on_time"]
    return Trend(weeks=week_list, series=sorted(series.values(), key=lambda s: _column_order(s.key)))


def trend_chart(trend: Trend) -> dict[str, Any]:
    return {
        "kind": "line",
        "unit": "%",
        "max": 100,
        "categories": [f"{w:%m-%d}" for w in trend.weeks],
        "series": [{"name": s.label, "data": s.rates} for s in trend.series],
    }


def levels_chart(risk: RiskNow) -> dict[str, Any]:
    return {
        "kind": "bar",
        "stacked": True,
        "categories": [row.label for row in risk.rows],
        "series": [
            {
                "name": str(LEVEL_HEADERS[level]),
                "color": LEVEL_COLOURS[level],
                "data": [row.counts.get(level, 0) for row in risk.rows],
            }
            for level in LEVELS
        ],
    }
