"""An administrator's writes to the calendar: calendar_year_save/delete, calendar_day_save/delete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError
from crowdsafe.workdays.choices import DayType, ExceptionKind, Source
from crowdsafe.workdays.models import CalendarDay, CalendarYear
from crowdsafe.workdays.selectors import add_working_days, day_type
from crowdsafe.workdays.services import (
    calendar_day_delete,
    calendar_day_save,
    calendar_year_delete,
    calendar_year_save,
)

pytestmark = pytest.mark.django_db

D = dt.date


def year_logs(year: int):
    return ActionLog.objects.filter(subject_type__model="calendaryear", subject_id=year).order_by("id")


def test_an_admin_adds_a_year_which_becomes_theirs_with_a_log_entry(users):
    year = calendar_year_save(year=2027, notice="国办发明电〔2026〕7号", actor=users.admin)
    assert (year.year, year.source, year.notice) == (2027, Source.ADMIN, "国办发明电〔2026〕7号")
    [entry] = year_logs(2027)
    assert (entry.verb, entry.to_state, entry.actor) == ("created", "admin", users.admin)


def test_editing_a_library_year_makes_it_the_admins(users):
    calendar_year_save(year=2026, notice="国办发明电〔2025〕7号", actor=users.admin)
    year = CalendarYear.objects.get(year=2026)
    assert year.source == Source.ADMIN
    [entry] = year_logs(2026)
    assert (entry.verb, entry.from_state, entry.to_state) == ("updated", "library", "admin")


def test_saving_a_year_unchanged_writes_no_log(users):
    calendar_year_save(year=2027, notice="通知", actor=users.admin)
    calendar_year_save(year=2027, notice="通知", actor=users.admin)
    assert year_logs(2027).count() == 1


def test_a_year_out_of_range_is_refused(users):
    with pytest.raises(DomainError) as exc_info:
        calendar_year_save(year=20277, notice="", actor=users.admin)
    assert exc_info.value.field == "year"
    assert not CalendarYear.objects.filter(year=20277).exists()


def test_an_admin_day_is_marked_admin_claims_its_year_and_is_logged(users):
    day = calendar_day_save(date=D(2026, 11, 23), kind=ExceptionKind.HOLIDAY, name="测试假日", actor=users.admin)
    assert (day.kind, day.name, day.source) == (ExceptionKind.HOLIDAY, "测试假日", Source.ADMIN)
    assert CalendarYear.objects.get(year=2026).source == Source.ADMIN
    claim, entry = year_logs(2026)
    assert (claim.verb, claim.from_state, claim.to_state) == ("updated", "library", "admin")
    assert (entry.verb, entry.to_state) == ("calendar_day_set", "holiday")
    assert entry.data == {"date": "2026-11-23", "name": "测试假日", "previous": None}
    assert day_type(D(2026, 11, 23)) == DayType.HOLIDAY


def test_an_admin_correcting_a_library_day_records_what_it_was(users):
    calendar_day_save(date=D(2026, 10, 1), kind=ExceptionKind.HOLIDAY, name="国庆", actor=users.admin)
    day = CalendarDay.objects.get(date=D(2026, 10, 1))
    assert (day.name, day.source) == ("国庆", Source.ADMIN)
    entry = year_logs(2026).last()
    assert entry.data["previous"] == {"kind": "holiday", "name": "国庆节", "source": "library"}


def test_a_day_in_an_uncovered_year_adds_the_year(users):
    calendar_day_save(date=D(2027, 1, 1), kind=ExceptionKind.HOLIDAY, name="元旦", actor=users.admin)
    assert CalendarYear.objects.get(year=2027).source == Source.ADMIN
    assert add_working_days(D(2026, 12, 31), 1).due == D(2027, 1, 4)
    assert add_working_days(D(2026, 12, 31), 1).covered is True


def test_an_adjusted_working_day_on_a_weekday_is_refused(users):
    with translation.override("en"), pytest.raises(DomainError) as exc_info:
        calendar_day_save(date=D(2026, 11, 23), kind=ExceptionKind.ADJUSTED_WORKING, name="", actor=users.admin)
    assert exc_info.value.field == "kind"
    assert "Saturday or a Sunday" in str(exc_info.value.message)
    assert not CalendarDay.objects.filter(date=D(2026, 11, 23)).exists()
    assert CalendarYear.objects.get(year=2026).source == Source.LIBRARY


def test_an_unknown_kind_is_refused(users):
    with pytest.raises(DomainError) as exc_info:
        calendar_day_save(date=D(2026, 11, 21), kind="festival", name="", actor=users.admin)
    assert exc_info.value.field == "kind"


def test_removing_a_day_claims_the_year_so_the_sync_does_not_put_it_back(users):
    from crowdsafe.workdays.services import calendar_sync_from_library

    calendar_day_delete(date=D(2026, 10, 10), actor=users.admin)
    assert not CalendarDay.objects.filter(date=D(2026, 10, 10)).exists()
    assert day_type(D(2026, 10, 10)) == DayType.WEEKEND
    assert year_logs(2026).last().verb == "calendar_day_removed"
    calendar_sync_from_library(actor=None)
    assert not CalendarDay.objects.filter(date=D(2026, 10, 10)).exists()


def test_removing_a_day_that_is_not_in_the_table_is_refused(users):
    with pytest.raises(DomainError):
        calendar_day_delete(date=D(2026, 11, 23), actor=users.admin)
    assert CalendarYear.objects.get(year=2026).source == Source.LIBRARY


def test_removing_a_year_removes_its_days_and_its_dates_fall_back_to_weekends_and_provisional_holidays(users):
    calendar_year_delete(year=2026, actor=users.admin)
    assert not CalendarYear.objects.filter(year=2026).exists()
    assert not CalendarDay.objects.filter(date__year=2026).exists()
    deadline = add_working_days(D(2026, 9, 30), 7)
    # 10-01 to 10-03 (National Day by the national holiday rules) are provisional days off.
    assert deadline.due == D(2026, 10, 13)
    assert deadline.uncovered_years == (2026,)
    [entry] = year_logs(2026)
    assert entry.verb == "deleted"
    assert "2026-10-01" in entry.data["days_removed"]
