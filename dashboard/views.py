"""Pages of the leaders' dashboard. Thin: the root and period from the request, the figures from
``dashboard.selectors``; anyone who may not see the dashboard, or asks for a place outside their territory,
gets a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard.access import dashboard_root, may_open
from dashboard.forms import PeriodForm
from dashboard.selectors.matrix import Matrix, responsibility_matrix
from dashboard.selectors.risk import LEVEL_HEADERS, risk_now
from dashboard.selectors.trends import levels_chart, on_time_by_week, trend_chart
from dashboard.spreadsheets import write_matrix

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _matrix(request: HttpRequest) -> tuple[PeriodForm, Matrix]:
    form = PeriodForm(request.GET)
    form.is_valid()
    root = dashboard_root(request.user, form.cleaned_data.get("root") if form.is_valid() else None)
    today = timezone.localdate()
    matrix = responsibility_matrix(user=request.user, root=root, today=today, period=form.period(today))
    return form, matrix


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    form, matrix = _matrix(request)
    parent = matrix.root.parent if matrix.root.parent_id else None
    if parent is not None and not may_open(request.user, parent):
        parent = None
    start, end = matrix.period
    trend = on_time_by_week(user=request.user, root=matrix.root, today=matrix.today)
    return render(
        request,
        "dashboard/matrix.html",
        {
            "form": form,
            "matrix": matrix,
            "parent": parent,
            "period_query": f"date_from={start}&date_to={end}",
            "trend": trend,
            "trend_chart": trend_chart(trend),
        },
    )


@login_required
def matrix_export(request: HttpRequest) -> HttpResponse:
    _form, matrix = _matrix(request)
    response = HttpResponse(write_matrix(matrix), content_type=XLSX)
    name = f"matrix-{matrix.root.code}-{matrix.today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def risk(request: HttpRequest) -> HttpResponse:
    root = dashboard_root(request.user, request.GET.get("root"))
    now = risk_now(user=request.user, root=root, today=timezone.localdate())
    return render(
        request,
        "dashboard/risk.html",
        {"risk": now, "level_headers": list(LEVEL_HEADERS.values()), "levels_chart": levels_chart(now)},
    )
