"""The command-centre screen's figures (issue 17 point 5): risk now and the matrix's totals for one territory,
in a fixed number of queries, cut to what fits on 1920×1080 without scrolling."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from crowdsafe.org.models import Jurisdiction
from dashboard.forms import DEFAULT_PERIOD_DAYS
from dashboard.selectors.matrix import Cell, responsibility_matrix
from dashboard.selectors.risk import RiskNow, risk_now
from dashboard.selectors.trends import levels_chart

SCREEN_ROWS = 6  # alerts, events and key dates listed on the wall


@dataclass
class ScreenFigures:
    root: Jurisdiction
    risk: RiskNow
    tasks: Cell
    chart: dict[str, Any]
    alerts: list[Any]
    events: list[Any]
    key_dates: list[Any]
    updated_at: dt.datetime


def screen_figures(*, user: Any, root: Jurisdiction, today: dt.date) -> ScreenFigures:
    risk = risk_now(user=user, root=root, today=today)
    period = (today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)
    matrix = responsibility_matrix(user=user, root=root, today=today, period=period)
    return ScreenFigures(
        root=root,
        risk=risk,
        tasks=matrix.total,
        chart=levels_chart(risk),
        alerts=risk.alerts[:SCREEN_ROWS],
        events=risk.large_events[:SCREEN_ROWS],
        key_dates=risk.key_dates[:SCREEN_ROWS],
        updated_at=timezone.localtime(),
    )
