"""The sync_calendar management command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from crowdsafe.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("sync_calendar", *args, stdout=out)
    return out.getvalue()


def test_the_command_restores_library_days_and_says_what_it_did():
    CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).delete()
    output = run()
    assert "1 years changed, 1 days added" in output
    assert "Years changed: 2026" in output
    assert CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).exists()


def test_the_command_run_twice_changes_nothing_the_second_time():
    run()
    assert "0 years changed, 0 days added, 0 changed, 0 removed" in run()


def test_the_command_can_sync_single_years():
    CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).delete()
    CalendarDay.objects.filter(date=dt.date(2025, 10, 1)).delete()
    output = run("--year", "2025")
    assert "Years changed: 2025" in output
    assert not CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).exists()
