"""Each 1 November, when next year's holiday schedule is missing, the city's administrator gets a task to enter
it (duties/calendar.py, rule ``workdays.holiday_schedule``); entering it settles the task."""

from __future__ import annotations

import datetime as dt

import pytest

from crowdsafe.workdays.models import CalendarDay, CalendarYear, HolidayScheduleRequest
from duties.calendar import RULE_KEY, holiday_schedule_check
from duties.models import Task

pytestmark = pytest.mark.django_db

NOVEMBER_1 = dt.date(2026, 11, 1)


@pytest.fixture
def no_2027():
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()


def test_on_1_november_a_missing_next_year_opens_a_task_for_the_city_administrator(city, no_2027):
    tasks = holiday_schedule_check(today=NOVEMBER_1)
    [task] = [t for t in tasks if t.responsible_jurisdiction == city.anyang]  # and one for each other city
    assert task.rule.key == RULE_KEY
    assert task.status == "open"
    assert HolidayScheduleRequest.objects.get(pk=task.subject_id).year == 2027
    assert holiday_schedule_check(today=NOVEMBER_1 + dt.timedelta(days=1)) == []  # one task, not one a day


def test_no_task_before_november_or_when_the_year_is_entered(city, no_2027):
    assert holiday_schedule_check(today=dt.date(2026, 10, 31)) == []
    CalendarYear.objects.create(year=2027, source="admin")
    assert holiday_schedule_check(today=NOVEMBER_1) == []
    assert not Task.objects.filter(rule__key=RULE_KEY).exists()


def test_entering_the_year_settles_the_reminder(city, no_2027):
    [task, *_others] = holiday_schedule_check(today=NOVEMBER_1)
    CalendarYear.objects.create(year=2027, source="admin")
    holiday_schedule_check(today=dt.date(2026, 11, 20))
    task.refresh_from_db()
    assert task.status == "done"
    assert not HolidayScheduleRequest.objects.filter(year=2027, entered_at=None).exists()
