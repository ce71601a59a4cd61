"""The duties engine and the working-day calendar: whether a user's own deadlines fall in a year whose holiday
schedule is not entered (registered with ``crowdsafe.workdays.selectors.register_affected_deadlines``), and the
yearly reminder task for each city's administrator when next year's schedule is missing (rule
``workdays.holiday_schedule``, opened by the beat entry of 1 November)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Jurisdiction
from crowdsafe.workdays.models import CalendarYear, HolidayScheduleRequest
from duties.choices import OUTSTANDING_VALUES, SubjectKind
from duties.models import Task
from duties.services import tasks_evaluate, tasks_settle
from duties.subjects import register_subject

RULE_KEY = "workdays.holiday_schedule"


def has_tasks_due_in(user: Any, years: Sequence[int]) -> bool:
    """An outstanding task held by the user or one of their departments, due in one of ``years``."""
    if not getattr(user, "is_authenticated", False):
        return False
    mine = Q(responsible_person=user) | Q(responsible_department_id__in=sorted(get_scope(user).department_ids))
    return Task.objects.filter(mine, status__in=OUTSTANDING_VALUES, due_date__year__in=list(years)).exists()


def connect() -> None:
    """Register the reminders as subjects of tasks, held by the city (its administrators are reminded)."""
    register_subject(
        HolidayScheduleRequest,
        subject_type=SubjectKind.HOLIDAY_SCHEDULE,
        jurisdiction=lambda request: request.city,
        organisation=lambda request: None,
        attributes=lambda request: {"year": request.year, "is_active": request.entered_at is None},
        label=str,
        assignee=lambda request: request.city,
    )


def holiday_schedule_check(*, today: dt.date | None = None) -> list[Task]:
    """From 1 November: when next year's schedule is not in the calendar, a task for each city's administrator
    to enter it; when it is, the open reminders are settled. Idempotent (one reminder per year and city)."""
    today = today or timezone.localdate()
    year = today.year + 1
    opened: list[Task] = []
    with transaction.atomic():
        if CalendarYear.objects.filter(year=year).exists():
            for request in HolidayScheduleRequest.objects.select_for_update().filter(year=year, entered_at=None):
                request.entered_at = timezone.now()
                request.save(update_fields=["entered_at"])
                tasks_settle(subject=request, keys=[RULE_KEY], actor=None, note=_("The schedule has been entered."))
            return opened
        if today.month < 11:
            return opened
        for city in Jurisdiction.objects.filter(level=JurisdictionLevel.CITY):
            request, created = HolidayScheduleRequest.objects.get_or_create(year=year, city=city)
            if created:
                opened += tasks_evaluate(subject=request, event="created", actor=None)
    return opened
