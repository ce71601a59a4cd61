"""The nightly sync on a real Celery worker (a separate process), and its change seen by this process."""

from __future__ import annotations

import datetime as dt

import pytest

from crowdsafe.workdays.models import CalendarDay
from crowdsafe.workdays.selectors import add_working_days
from crowdsafe.workdays.services import calendar_sync_from_library
from crowdsafe.workdays.tasks import sync_calendar
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_sync_on_a_worker_restores_a_day_and_this_process_sees_it_at_once(
    celery_worker_process, django_assert_num_queries
):
    # Transactional tests empty the tables when they end, so an earlier one may have removed the seeded rows.
    calendar_sync_from_library(actor=None)
    CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).delete()
    # Without the adjusted working Saturday 2026-10-10, seven working days run one day longer; this process
    # now holds that calendar in its cache.
    assert add_working_days(dt.date(2026, 9, 30), 7).due == dt.date(2026, 10, 16)
    with django_assert_num_queries(0):
        assert add_working_days(dt.date(2026, 9, 30), 7).due == dt.date(2026, 10, 16)

    sync_calendar.delay()

    # The worker writes the row and replaces the version in Redis; this process reloads on its next computation.
    wait_for(
        lambda: add_working_days(dt.date(2026, 9, 30), 7).due == dt.date(2026, 10, 15),
        timeout=60,
        what="the worker's sync to be seen",
    )
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).source == "library"
