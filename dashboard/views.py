"""Pages of the leaders' dashboard. Thin: the root and period from the request, the figures from
``dashboard.selectors``; anyone who may not see the dashboard, or asks for a place outside their territory,
gets a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from crowdsafe.errors import DomainError
from crowdsafe.org.boundaries import boundary_collection
from crowdsafe.org.choices import DepartmentKind
from crowdsafe.org.models import Jurisdiction
from crowdsafe.org.views import boundaries_response
from dashboard.access import dashboard_root, may_open
from dashboard.forms import PeriodForm
from dashboard.models import ScreenToken
from dashboard.selectors.map import risk_map, risk_map_config
from dashboard.selectors.matrix import (
    ORGANISATION,
    TERRITORIAL,
    UNASSIGNED,
    Matrix,
    _column_label,
    responsibility_matrix,
)
from dashboard.selectors.risk import LEVEL_HEADERS, risk_now
from dashboard.selectors.screen import screen_figures
from dashboard.selectors.supervision import SHOW_VALUES, Show, gap_tasks_url, supervision, supervision_list
from dashboard.selectors.trends import levels_chart, on_time_by_week, trend_chart
from dashboard.services import briefing_issue, screen_for_token
from dashboard.spreadsheets import write_matrix
from inspections.selectors import analytics as inspection_analytics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest) -> tuple[PeriodForm, Jurisdiction, tuple]:
    form = PeriodForm(request.GET)
    root = dashboard_root(request.user, form.cleaned_data.get("root") if form.is_valid() else None)
    return form, root, form.period(timezone.localdate())


def _known_columns() -> set[str]:
    return {k.value for k in DepartmentKind} | {TERRITORIAL, ORGANISATION, UNASSIGNED}


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
            "supervision": supervision(user=request.user, root=matrix.root, period=matrix.period),
        },
    )


@login_required
def supervision_detail(request: HttpRequest) -> HttpResponse:
    """The list behind a figure of the 督办 and gaps table: the escalation messages sent (or acknowledged, or not)
    in the period for one holder column, or the holders nobody can remind."""
    _form, matrix_root, period = _period(request)
    show = request.GET.get("show") or Show.SENT
    if show not in SHOW_VALUES:
        show = Show.SENT
    column = (request.GET.get("column") or "")[:40]
    rows = supervision_list(user=request.user, root=matrix_root, period=period, column=column, show=show)
    if show == Show.GAPS:
        rows = [(gap, gap_tasks_url(gap, matrix_root)) for gap in rows]
    start, end = period
    return render(
        request,
        "dashboard/supervision.html",
        {
            "root": matrix_root,
            "period": period,
            "period_query": f"date_from={start}&date_to={end}",
            "show": show,
            "column": column,
            "column_label": _column_label(column) if column in _known_columns() else "",
            "rows": rows,
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
    boundaries = f"{reverse('org:boundaries')}?root={root.code}"
    return render(
        request,
        "dashboard/risk.html",
        {
            "risk": now,
            "level_headers": list(LEVEL_HEADERS.values()),
            "levels_chart": levels_chart(now),
            "inspections": inspection_analytics(user=request.user, root=root, limit=5),
            "risk_map": risk_map(user=request.user, root=root, today=timezone.localdate(), with_zones=False),
            "risk_map_config": risk_map_config(
                boundaries_url=boundaries,
                root=root,
                data_prefix="dash-map",
                zones_url=f"{reverse('monitoring:board_shapes')}?territory={root.code}",
            ),
        },
    )


@require_POST
@login_required
def briefing(request: HttpRequest) -> HttpResponse:
    """A leader asks for the briefing (安全形势简报) of their territory now: the seven days up to today, as a numbered
    document; once a day per territory (a second request opens the first). Outside the territory: 404."""
    root = dashboard_root(request.user, request.POST.get("root"))
    today = timezone.localdate()
    try:
        found, created = briefing_issue(
            root=root,
            week_from=today - dt.timedelta(days=6),
            week_to=today,
            reader=request.user,
            actor=request.user,
            scheduled=False,
            today=today,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('dashboard:matrix')}?root={root.code}")
    if not created:
        messages.info(request, _("Today's briefing was already issued; here it is."))
    return redirect("notices:detail", pk=found.notice_id)


# --- the command-centre screen (point 5): read-only (GET/HEAD only), no caching, no referrer (the token is in the
# URL), refreshed by htmx polling its data fragment.


def _screen_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _screen_context(user: Any, root: Jurisdiction, data_url: str, boundaries_url: str = "") -> dict:
    today = timezone.localdate()
    return {
        "screen": screen_figures(user=user, root=root, today=today),
        "data_url": data_url,
        # The map (issue 17 point 3): its element is kept across the fragment's swaps (hx-preserve), its layers'
        # data come with each fragment.
        "risk_map": risk_map(user=user, root=root, today=today),
        "risk_map_config": risk_map_config(
            boundaries_url=boundaries_url or f"{reverse('org:boundaries')}?root={root.code}",
            root=root,
            data_prefix="scr-map",
            refresh=True,
        ),
    }


@require_safe
@login_required
def screen(request: HttpRequest) -> HttpResponse:
    root = dashboard_root(request.user, request.GET.get("root"))
    data_url = f"{reverse('dashboard:screen-data')}?root={root.code}"
    return _screen_response(request, "dashboard/screen.html", _screen_context(request.user, root, data_url))


@require_safe
@login_required
def screen_data(request: HttpRequest) -> HttpResponse:
    root = dashboard_root(request.user, request.GET.get("root"))
    return _screen_response(request, "dashboard/_screen_body.html", _screen_context(request.user, root, ""))


def _token_screen(token: str) -> ScreenToken:
    found = screen_for_token(token)
    if found is None:
        raise Http404
    return found


@require_safe
def screen_by_token(request: HttpRequest, token: str) -> HttpResponse:
    found = _token_screen(token)
    data_url = reverse("dashboard:screen-token-data", args=[token])
    boundaries_url = reverse("dashboard:screen-token-boundaries", args=[token])
    context = _screen_context(found.created_by, found.jurisdiction, data_url, boundaries_url)
    return _screen_response(request, "dashboard/screen.html", context)


@require_safe
def screen_boundaries_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The wall's map base layer: the boundaries of the token's territory that its creator may see."""
    found = _token_screen(token)
    response = boundaries_response(boundary_collection(user=found.created_by, root=found.jurisdiction))
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def screen_data_by_token(request: HttpRequest, token: str) -> HttpResponse:
    found = _token_screen(token)
    return _screen_response(
        request, "dashboard/_screen_body.html", _screen_context(found.created_by, found.jurisdiction, "")
    )
