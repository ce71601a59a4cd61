"""The nightly calendar sync task."""

from __future__ import annotations

import datetime as dt

import pytest

from crowdsafe.celery import app
from crowdsafe.workdays.models import CalendarDay
from crowdsafe.workdays.tasks import sync_calendar

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_names_the_registered_task():
    task_name = app.conf.beat_schedule["workdays-sync-calendar"]["task"]
    assert task_name == "crowdsafe.workdays.tasks.sync_calendar"
    assert app.tasks[task_name].name == sync_calendar.name == task_name


def test_the_task_runs_the_sync_and_returns_what_it_did():
    CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).delete()
    result = sync_calendar.apply().get()
    assert result["years_changed"] == [2026]
    assert result["days_created"] == 1
    assert sync_calendar.apply().get()["years_changed"] == []
