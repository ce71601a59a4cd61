"""Seeding and syncing the calendar from the chinese_calendar library (calendar_sync_from_library)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from crowdsafe.audit.models import ActionLog
from crowdsafe.workdays.choices import ExceptionKind, Source
from crowdsafe.workdays.models import CalendarDay, CalendarYear
from crowdsafe.workdays.selectors import add_working_days
from crowdsafe.workdays.services import LIBRARY_LABEL, calendar_sync_from_library, calendar_year_save

pytestmark = pytest.mark.django_db

D = dt.date
LIBRARY_YEARS = list(range(2004, 2027))


def year_logs(year: int):
    return ActionLog.objects.filter(subject_type__model="calendaryear", subject_id=year)


def test_the_data_migration_seeded_every_year_the_library_covers():
    assert sorted(CalendarYear.objects.values_list("year", flat=True)) == LIBRARY_YEARS
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {Source.LIBRARY}
    assert CalendarYear.objects.get(year=2026).notice == LIBRARY_LABEL
    library_dates = set(chinese_calendar.holidays) | set(chinese_calendar.workdays)
    assert set(CalendarDay.objects.values_list("date", flat=True)) == library_dates


def test_holiday_names_are_the_chinese_ones():
    names = set(CalendarDay.objects.values_list("name", flat=True))
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} <= names
    assert names - {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} == {
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"
    }
    national_day = CalendarDay.objects.get(date=D(2026, 10, 1))
    assert (national_day.kind, national_day.name, national_day.source) == (ExceptionKind.HOLIDAY, "国庆节", "library")
    adjusted = CalendarDay.objects.get(date=D(2026, 10, 10))
    assert (adjusted.kind, adjusted.name) == (ExceptionKind.ADJUSTED_WORKING, "国庆节")


def test_a_second_sync_changes_nothing_and_logs_nothing():
    before = ActionLog.objects.count()
    rows_before = list(CalendarDay.objects.values_list("date", "kind", "name", "source", "updated_at"))
    result = calendar_sync_from_library(actor=None)
    assert result.changed is False
    assert result.years_changed == ()
    assert (result.days_created, result.days_updated, result.days_deleted) == (0, 0, 0)
    assert ActionLog.objects.count() == before
    assert list(CalendarDay.objects.values_list("date", "kind", "name", "source", "updated_at")) == rows_before


def test_sync_restores_a_missing_library_day_and_corrects_a_changed_one_logging_on_the_year(users):
    CalendarDay.objects.filter(date=D(2026, 10, 1)).delete()
    CalendarDay.objects.filter(date=D(2026, 10, 2)).update(name="旧名称")
    result = calendar_sync_from_library(actor=users.admin)
    assert result.years_changed == (2026,)
    assert (result.days_created, result.days_updated, result.days_deleted) == (1, 1, 0)
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=D(2026, 10, 2)).name == "国庆节"
    [entry] = year_logs(2026)
    assert entry.verb == "calendar_synced"
    assert entry.actor == users.admin
    assert entry.data["created"] == ["2026-10-01"]
    assert entry.data["updated"] == ["2026-10-02"]
    assert entry.data["library"] == LIBRARY_LABEL
    # The second run finds nothing to do.
    assert calendar_sync_from_library(actor=users.admin).changed is False
    assert year_logs(2026).count() == 1


def test_sync_removes_a_library_row_the_library_no_longer_has():
    CalendarDay.objects.create(date=D(2026, 11, 20), kind=ExceptionKind.HOLIDAY, name="x", source=Source.LIBRARY)
    result = calendar_sync_from_library()
    assert result.days_deleted == 1
    assert not CalendarDay.objects.filter(date=D(2026, 11, 20)).exists()


def test_sync_never_overwrites_rows_an_admin_entered():
    CalendarDay.objects.filter(date=D(2026, 10, 1)).update(name="国庆节（本市）", source=Source.ADMIN)
    CalendarDay.objects.create(date=D(2026, 11, 20), kind=ExceptionKind.HOLIDAY, name="本市假日", source=Source.ADMIN)
    result = calendar_sync_from_library()
    assert result.admin_days_kept == 2
    assert result.changed is False
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节（本市）"
    assert CalendarDay.objects.get(date=D(2026, 11, 20)).name == "本市假日"


def test_sync_never_touches_a_year_an_admin_owns(users):
    calendar_year_save(year=2025, notice="国办发明电〔2024〕12号", actor=users.admin)
    CalendarDay.objects.filter(date=D(2025, 10, 1)).delete()
    result = calendar_sync_from_library(actor=users.admin)
    assert 2025 in result.years_admin
    assert 2025 not in result.years_changed
    assert not CalendarDay.objects.filter(date=D(2025, 10, 1)).exists()
    year = CalendarYear.objects.get(year=2025)
    assert (year.source, year.notice) == (Source.ADMIN, "国办发明电〔2024〕12号")


def test_sync_adds_a_year_that_is_missing_and_it_is_counted_again():
    CalendarDay.objects.filter(date__year=2010).delete()
    CalendarYear.objects.filter(year=2010).delete()
    assert add_working_days(D(2010, 9, 30), 1).covered is False
    result = calendar_sync_from_library()
    assert result.years_created == (2010,)
    assert result.years_changed == (2010,)
    assert CalendarYear.objects.get(year=2010).source == Source.LIBRARY
    assert add_working_days(D(2010, 9, 30), 1).covered is True
    [entry] = year_logs(2010)
    assert entry.data["year_created"] is True
    assert entry.actor is None and entry.actor_label == "系统"


def test_years_limits_the_sync_and_reports_years_the_library_lacks():
    CalendarDay.objects.filter(date=D(2026, 10, 1)).delete()
    CalendarDay.objects.filter(date=D(2025, 10, 1)).delete()
    result = calendar_sync_from_library(years=[2026, 2031])
    assert result.years_changed == (2026,)
    assert result.years_not_in_library == (2031,)
    assert CalendarDay.objects.filter(date=D(2026, 10, 1)).exists()
    assert not CalendarDay.objects.filter(date=D(2025, 10, 1)).exists()
    assert not CalendarYear.objects.filter(year=2031).exists()
