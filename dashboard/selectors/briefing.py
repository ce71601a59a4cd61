"""The weekly briefing's content (安全形势简报, issue 17 point 6): the week's figures and the charts' data, the top
overdue items by department, the week's alerts and incidents, and the outlook for the next week's key dates and
large events — all as JSON values, the context of the ``weekly_briefing`` document (``notices``), which draws the
charts as SVG. Every read goes through the dashboard's own selectors (the matrix, risk now, the trend, the 督办)
and the apps' scoped selectors, with the rights of ``user`` (the leader it is for), under ``root``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from alerts.selectors import alert_visible
from crowdsafe.org.models import Jurisdiction
from dashboard.selectors.matrix import _column_label, _column_order, responsibility_matrix
from dashboard.selectors.risk import LEVEL_HEADERS, LEVELS, key_dates_ahead, large_events, risk_now
from dashboard.selectors.supervision import _holder_column, supervision
from dashboard.selectors.trends import LEVEL_COLOURS, on_time_by_week
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task
from events.selectors import gathering_visible
from monitoring.selectors import alert_list
from response.selectors import incident_list

TREND_WEEKS = 8
TOP_OVERDUE = 3  # the oldest overdue items listed per department
MAX_LIST = 15  # alerts and incidents listed (the counts are complete)
OUTLOOK_DAYS = 7
TOTAL_KEY = "~total"


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _place_of(alert: Any) -> str:
    """A monitoring alert's zone, or its source when it has no zone."""
    if alert.zone is not None:
        return str(alert.zone.name)
    return str(alert.source.name) if alert.source is not None else ""


def _percent(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def overdue_by_department(*, user: Any, root: Jurisdiction, today: dt.date, limit: int = TOP_OVERDUE) -> list[dict]:
    """Per holder column with overdue tasks: how many, and the ``limit`` oldest (earliest due, then lowest id) —
    two queries (the counts; a window over the overdue tasks)."""
    qs = (
        Task.objects.visible_to(user)
        .filter(jurisdiction_path__startswith=root.path, status__in=OUTSTANDING_VALUES, due_date__lt=today)
        .order_by()
        .annotate(c=_holder_column(""))
        .annotate(
            n=Window(RowNumber(), partition_by=[F("c")], order_by=[F("due_date").asc(), F("id").asc()]),
        )
        .select_related("jurisdiction", "responsible_department", "responsible_jurisdiction")
    )
    counts = dict(
        Task.objects.visible_to(user)
        .filter(jurisdiction_path__startswith=root.path, status__in=OUTSTANDING_VALUES, due_date__lt=today)
        .order_by()
        .annotate(c=_holder_column(""))
        .values("c")
        .annotate(n=Count("pk"))
        .values_list("c", "n")
    )
    groups: dict[str, dict] = {}
    for task in qs.filter(n__lte=limit).order_by("c", "n"):
        key: str = task.c  # type: ignore[attr-defined]  # the annotation
        group = groups.setdefault(
            key, {"key": key, "label": str(_column_label(key)), "overdue": counts.get(key, 0), "items": []}
        )
        holder = task.responsible_department or task.responsible_jurisdiction
        group["items"].append(
            {
                "duty": task.duty_name,
                "subject": task.subject_label,
                "place": task.jurisdiction.name,
                "holder": str(holder) if holder else "",
                "due": task.due_date.isoformat(),
                "days_late": (today - task.due_date).days,
            }
        )
    return sorted(groups.values(), key=lambda g: (-g["overdue"], _column_order(g["key"])))


def briefing_context(
    *, user: Any, root: Jurisdiction, week_from: dt.date, week_to: dt.date, today: dt.date
) -> dict[str, Any]:
    """The briefing of ``root`` for the week ``week_from``–``week_to`` as ``user`` sees it, outstanding figures as of
    ``today``. Labels come out in the active language: the caller renders it in Chinese."""
    period = (week_from, week_to)
    start, end = _day_bounds(week_from, week_to)
    matrix = responsibility_matrix(user=user, root=root, today=today, period=period)
    total = matrix.total
    escalations = supervision(user=user, root=root, period=period)
    risk = risk_now(user=user, root=root, today=today)
    reported = (
        gathering_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path, created_at__gte=start, created_at__lt=end)
        .count()
    )

    alerts_q = alert_visible(user=user).filter(
        jurisdiction_path__startswith=root.path, created_at__gte=start, created_at__lt=end, exercise=False
    )
    monitoring_q = alert_list(user=user).filter(
        jurisdiction_path__startswith=root.path, raised_at__gte=start, raised_at__lt=end, exercise=False
    )
    alerts = [
        {"at": _local(a.created_at), "level": a.get_level_display(), "title": a.title, "source": "预警"}
        for a in alerts_q.order_by("-created_at", "-id")[:MAX_LIST]
    ] + [
        {
            "at": _local(a.raised_at),
            "level": a.get_level_display(),
            "title": f"{_place_of(a)} {a.get_kind_display()}",
            "source": "人流监测",
        }
        for a in monitoring_q.select_related("zone", "source").order_by("-raised_at", "-id")[:MAX_LIST]
    ]
    alerts.sort(key=lambda a: a["at"], reverse=True)
    alert_count = alerts_q.count() + monitoring_q.count()

    incidents_q = incident_list(user=user).filter(
        jurisdiction__path__startswith=root.path, opened_at__gte=start, opened_at__lt=end
    )
    incidents = [
        {
            "number": i.number,
            "title": i.title,
            "level": i.level.name,
            "status": i.get_status_display(),
            "opened_at": _local(i.opened_at),
        }
        for i in incidents_q.select_related("level").order_by("-opened_at", "-id")[:MAX_LIST]
    ]
    incident_count = incidents_q.count()

    trend = on_time_by_week(user=user, root=root, today=week_to, weeks=TREND_WEEKS)
    weekly_done = [sum(s.done[i] for s in trend.series) for i in range(TREND_WEEKS)]
    weekly_on_time = [sum(s.on_time[i] for s in trend.series) for i in range(TREND_WEEKS)]
    busiest = sorted(trend.series, key=lambda s: -sum(s.done))[:4]
    trend_chart = {
        "unit": "%",
        "max": 100,
        "categories": [f"{w:%m-%d}" for w in trend.weeks],
        "series": [
            {
                "name": "合计",
                "color": "#212121",
                "data": [_percent(t, d) for d, t in zip(weekly_done, weekly_on_time, strict=False)],
            }
        ]
        + [{"name": s.label, "data": s.rates} for s in busiest],
    }
    levels_chart = {
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
    overdue_chart = {
        "categories": [c.label for c in matrix.columns],
        "series": [
            {"name": "未办结", "color": "#90a4ae", "data": [cell.open for cell in matrix.column_totals]},
            {"name": "逾期", "color": "#c62828", "data": [cell.overdue for cell in matrix.column_totals]},
        ],
    }

    outlook_end = week_to + dt.timedelta(days=OUTLOOK_DAYS)
    key_dates = [
        {"name": k.name, "starts_on": k.starts_on.isoformat(), "ends_on": k.ends_on.isoformat()}
        for k in key_dates_ahead(today=today, root=root)
        if week_to < k.starts_on <= outlook_end or k.starts_on <= today <= k.ends_on
    ]
    events = [
        {
            "name": e.event_name,
            "starts_at": _local(e.first_session_start) if e.first_session_start else "",
            "venue": e.venue_name or "",
            "attendance": e.expected_attendance,
            "state": e.get_state_display(),
            "open_conditions": e.open_conditions,
        }
        for e in large_events(user=user, root=root, today=today)
        if timezone.localdate(e.first_session_start) <= outlook_end
    ]

    figures = {
        "open": total.open,
        "overdue": total.overdue,
        "due_soon": total.due_soon,
        "done": total.done,
        "on_time": total.on_time,
        "on_time_percent": total.on_time_percent,
        "median_days_overdue": total.median_days_overdue,
        "escalations": escalations.total.sent if escalations.total else 0,
        "escalations_acknowledged": escalations.total.acknowledged if escalations.total else 0,
        "gaps": escalations.total.gaps if escalations.total else 0,
        "gatherings_reported": reported,
        "gatherings_red": risk.gathering_totals.get("red", 0),
        "gatherings_orange": risk.gathering_totals.get("orange", 0),
        "venues_red": risk.venues.get("red", 0),
        "venues_orange": risk.venues.get("orange", 0),
        "hazards_major": risk.hazards.get("major", 0),
        "hazards_overdue": risk.hazards.get("overdue", 0),
        "alerts": alert_count,
        "incidents": incident_count,
        "open_incidents": risk.open_incidents,
    }
    rate = "—" if figures["on_time_percent"] is None else f"{figures['on_time_percent']}%"
    summary = (
        f"截至{today.month}月{today.day}日，{root.name}共有未办结任务{figures['open']}项，其中逾期{figures['overdue']}项；"
        f"本周办结{figures['done']}项，按期办结率{rate}。本周督办{figures['escalations']}次，"
        f"已阅{figures['escalations_acknowledged']}次；无人可接收提醒的责任主体{figures['gaps']}个。"
        f"本周新登记人员聚集{figures['gatherings_reported']}起，当前红色{figures['gatherings_red']}起、"
        f"橙色{figures['gatherings_orange']}起；本周预警{alert_count}条，新发突发事件{incident_count}起。"
    )
    return {
        "territory": root.name,
        "territory_code": root.code,
        "week_from": week_from,
        "week_to": week_to,
        "as_of": today,
        "summary": summary,
        "figures": figures,
        "trend": trend_chart,
        "levels": levels_chart,
        "overdue_chart": overdue_chart,
        "overdue": overdue_by_department(user=user, root=root, today=today),
        "alerts": alerts[:MAX_LIST],
        "incidents": incidents,
        "outlook": {"key_dates": key_dates, "large_events": events},
    }
