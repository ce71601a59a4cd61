"""The deadline calculator (工作日计算器) for staff: a month of the working-day calendar and a deadline form
whose result previews live (htmx) and also works as a plain GET without JavaScript."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.views.decorators.http import require_GET

from crowdsafe.errors import DomainError
from crowdsafe.workdays.forms import FIELD_NAMES, DeadlineForm
from crowdsafe.workdays.selectors import DayInfo, Deadline, calendar_days, compute_deadline

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
# Months the page will show: wide enough for any real deadline, and far from date.min/date.max, where the
# weeks around a month would not exist.
_MONTH_YEARS = range(1900, 3000)


@dataclass(frozen=True)
class MonthCell:
    """One square of the month grid."""

    day: DayInfo
    in_month: bool
    is_today: bool
    is_start: bool
    is_due: bool


def _month_from(value: str) -> dt.date | None:
    match = _MONTH_RE.match(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if year not in _MONTH_YEARS or not 1 <= month <= 12:
        return None
    return dt.date(year, month, 1)


def _month_param(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def _deadline_form(request: HttpRequest) -> DeadlineForm:
    # Bound only when the question was asked, so that paging through months shows no "required" errors.
    bound = any(name in request.GET for name in FIELD_NAMES)
    return DeadlineForm(request.GET if bound else None)


def _compute(form: DeadlineForm) -> Deadline | None:
    if not form.is_bound or not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return compute_deadline(data["start"], data["n"], data["unit"])
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return None


def _result_context(form: DeadlineForm, deadline: Deadline | None) -> dict:
    context: dict = {"form": form, "deadline": deadline}
    if deadline is not None and deadline.due.year in _MONTH_YEARS:
        context["due_month"] = _month_param(deadline.due)
    return context


@require_GET
@login_required
def calculator(request: HttpRequest) -> HttpResponse:
    """The page: the deadline form (and its result) beside one month of the calendar."""
    form = _deadline_form(request)
    deadline = _compute(form)
    today = timezone.localdate()
    month = _month_from(request.GET.get("month", ""))
    if month is None:
        due = deadline.due if deadline is not None and deadline.due.year in _MONTH_YEARS else today
        month = due.replace(day=1)
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(month.year, month.month)
    days = iter(calendar_days(weeks[0][0], weeks[-1][-1]))
    grid = [
        [
            MonthCell(
                day=info,
                in_month=info.date.month == month.month,
                is_today=info.date == today,
                is_start=deadline is not None and info.date == deadline.start,
                is_due=deadline is not None and info.date == deadline.due,
            )
            for info in (next(days) for _ in week)
        ]
        for week in weeks
    ]
    uncovered = sorted({cell.day.date.year for week in grid for cell in week if cell.in_month and not cell.day.covered})
    return render(
        request,
        "workdays/calculator.html",
        {
            **_result_context(form, deadline),
            "month": month,
            "weeks": grid,
            "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
            "month_uncovered_years": uncovered,
            "prev_month": _month_param((month - dt.timedelta(days=1)).replace(day=1)),
            "next_month": _month_param((month + dt.timedelta(days=31)).replace(day=1)),
            "this_month": _month_param(today),
        },
    )


@require_GET
@login_required
def deadline_result(request: HttpRequest) -> HttpResponse:
    """The result of the deadline form alone: what htmx swaps in as the form changes."""
    form = DeadlineForm(request.GET)
    deadline = _compute(form)
    return render(request, "workdays/_deadline_result.html", _result_context(form, deadline))
