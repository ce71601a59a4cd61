"""Counting periods in working and calendar days (crowdsafe.workdays.selectors)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import post_migrate
from django.utils import translation

from crowdsafe.errors import DomainError
from crowdsafe.workdays.cache import version_key
from crowdsafe.workdays.choices import DayType, DeadlineUnit, ExceptionKind
from crowdsafe.workdays.models import CalendarDay
from crowdsafe.workdays.selectors import (
    add_calendar_days,
    add_working_days,
    calendar_days,
    compute_deadline,
    day_type,
    is_working_day,
)
from crowdsafe.workdays.services import calendar_day_save, calendar_year_save

pytestmark = pytest.mark.django_db

D = dt.date


def test_7_working_days_from_2026_09_30_is_2026_10_15():
    # National Day 10-01..10-07 is not counted, the adjusted working Saturday 2026-10-10 is:
    # 10-08, 10-09, 10-10 (Sat, worked), 10-12, 10-13, 10-14, 10-15.
    deadline = add_working_days(D(2026, 9, 30), 7)
    assert deadline.due == D(2026, 10, 15)
    assert deadline.unit == DeadlineUnit.WORKING_DAYS
    assert deadline.covered is True
    assert deadline.uncovered_years == ()
    assert deadline.extended_from is None


def test_7_calendar_days_from_2026_09_30_ends_on_a_holiday_and_extends_to_2026_10_08():
    deadline = add_calendar_days(D(2026, 9, 30), 7)
    assert deadline.extended_from == D(2026, 10, 7)
    assert day_type(D(2026, 10, 7)) == DayType.HOLIDAY
    assert deadline.due == D(2026, 10, 8)
    assert deadline.covered is True


def test_a_date_in_2027_is_computed_on_weekends_and_the_provisional_statutory_holidays_and_flagged():
    # 2027-09-30 is a Thursday; with no 2027 schedule, 10-01 to 10-03 (National Day, 3 days by the national
    # holiday rules) are provisional days off: 10-04 .. 10-08, 10-11, 10-12.
    deadline = add_working_days(D(2027, 9, 30), 7)
    assert deadline.due == D(2027, 10, 12)
    assert deadline.covered is False
    assert deadline.uncovered_years == (2027,)
    with translation.override("en"):
        assert "2027 holiday schedule has not been entered yet" in deadline.explain()


def test_once_an_admin_enters_2027_the_same_computation_uses_it(users):
    assert add_working_days(D(2027, 9, 30), 7).due == D(2027, 10, 12)
    for day in range(1, 8):
        calendar_day_save(date=D(2027, 10, day), kind=ExceptionKind.HOLIDAY, name="国庆节", actor=users.admin)
    calendar_day_save(date=D(2027, 10, 9), kind=ExceptionKind.ADJUSTED_WORKING, name="国庆节", actor=users.admin)
    calendar_year_save(year=2027, notice="国办发明电〔2026〕7号", actor=users.admin)

    deadline = add_working_days(D(2027, 9, 30), 7)
    # 10-08 (Fri), 10-09 (Sat, worked), 10-11, 10-12, 10-13, 10-14, 10-15.
    assert deadline.due == D(2027, 10, 15)
    assert deadline.covered is True
    assert deadline.uncovered_years == ()


def test_a_period_running_into_an_uncovered_year_flags_only_that_year():
    deadline = add_working_days(D(2026, 12, 28), 10)
    assert deadline.uncovered_years == (2027,)
    assert deadline.covered is False
    assert add_working_days(D(2026, 12, 1), 5).covered is True


def test_working_days_are_counted_from_the_day_after_start():
    # Friday 2026-11-20: the next working day is Monday 11-23.
    assert add_working_days(D(2026, 11, 20), 1).due == D(2026, 11, 23)
    # Starting on a holiday: the first working day after National Day is 10-08.
    assert add_working_days(D(2026, 10, 3), 1).due == D(2026, 10, 8)


def test_zero_working_days_is_the_start_day():
    assert add_working_days(D(2026, 10, 3), 0).due == D(2026, 10, 3)


def test_zero_calendar_days_is_the_date_itself_even_on_a_rest_day():
    """Not a period but the date (the eve of a Sunday event is a Saturday): never carried past it, as zero working
    days are not."""
    for day in (D(2027, 1, 16), D(2026, 10, 3)):  # a Saturday; the National Day holiday
        deadline = add_calendar_days(day, 0)
        assert deadline.due == day and deadline.extended_from is None


def test_calendar_days_ending_on_a_weekend_run_to_monday():
    deadline = add_calendar_days(D(2026, 11, 20), 1)
    assert deadline.extended_from == D(2026, 11, 21)
    assert deadline.due == D(2026, 11, 23)


def test_calendar_days_ending_on_a_working_day_are_not_extended():
    deadline = add_calendar_days(D(2026, 11, 2), 3)
    assert deadline.due == D(2026, 11, 5)
    assert deadline.extended_from is None


def test_calendar_days_ending_on_an_adjusted_working_saturday_are_not_extended():
    deadline = add_calendar_days(D(2026, 10, 3), 7)
    assert deadline.due == D(2026, 10, 10)
    assert deadline.extended_from is None


def test_with_the_holidays_setting_only_statutory_holidays_extend_a_period(settings):
    settings.CALENDAR_PERIOD_EXTENDS_OVER = "holidays"
    assert add_calendar_days(D(2026, 11, 20), 1).due == D(2026, 11, 21)
    assert add_calendar_days(D(2026, 9, 30), 7).due == D(2026, 10, 8)


def test_day_types_follow_the_schedule():
    assert day_type(D(2026, 10, 1)) == DayType.HOLIDAY
    assert day_type(D(2026, 10, 3)) == DayType.HOLIDAY  # a Saturday inside the National Day block
    assert day_type(D(2026, 10, 10)) == DayType.ADJUSTED_WORKING
    assert day_type(D(2026, 10, 11)) == DayType.WEEKEND
    assert day_type(D(2026, 10, 12)) == DayType.WORKING
    assert is_working_day(D(2026, 10, 10)) is True
    assert is_working_day(D(2026, 10, 5)) is False
    assert is_working_day(D(2026, 10, 11)) is False


@pytest.mark.parametrize("n", [-1, 3651, 10**9])
def test_a_negative_or_huge_number_of_days_is_refused(n):
    for compute in (add_working_days, add_calendar_days):
        with translation.override("en"), pytest.raises(DomainError) as exc_info:
            compute(D(2026, 9, 30), n)
        assert exc_info.value.field == "n"
        assert str(exc_info.value.message) == "The number of days must be between 0 and 3650."


@pytest.mark.parametrize("n", ["7", 7.0, True, None])
def test_a_number_of_days_that_is_not_a_whole_number_is_refused(n):
    with pytest.raises(DomainError):
        add_working_days(D(2026, 9, 30), n)


def test_3650_working_days_is_allowed_and_reads_the_calendar_once(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        deadline = add_working_days(D(2026, 1, 1), 3650)
    assert deadline.due.year == 2040
    assert deadline.uncovered_years == tuple(range(2027, 2041))


def test_a_period_past_the_last_representable_date_is_a_domain_error():
    with pytest.raises(DomainError) as exc_info:
        add_working_days(D(9999, 12, 30), 5)
    assert exc_info.value.field == "start"
    with pytest.raises(DomainError):
        add_calendar_days(D(9999, 12, 30), 5)


def test_a_datetime_is_refused_rather_than_guessed():
    with pytest.raises(TypeError):
        add_working_days(dt.datetime(2026, 9, 30, 12), 7)


def test_compute_deadline_dispatches_on_the_unit():
    assert compute_deadline(D(2026, 9, 30), 7, "working").due == D(2026, 10, 15)
    assert compute_deadline(D(2026, 9, 30), 7, "calendar").due == D(2026, 10, 8)
    with pytest.raises(DomainError):
        compute_deadline(D(2026, 9, 30), 7, "weeks")


def test_the_explanation_says_what_was_counted():
    with translation.override("en"):
        assert add_working_days(D(2026, 9, 30), 7).explain() == "7 working days from 2026-09-30: due 2026-10-15."
        assert add_calendar_days(D(2026, 9, 30), 7).explain() == (
            "7 calendar days from 2026-09-30 end on 2026-10-07, a rest day, so the period runs to 2026-10-08."
        )
        assert add_working_days(D(2026, 9, 30), 1).explain() == "1 working day from 2026-09-30: due 2026-10-08."


def test_calendar_days_lists_every_day_of_a_range():
    days = calendar_days(D(2026, 9, 30), D(2026, 10, 11))
    assert [info.date for info in days][:2] == [D(2026, 9, 30), D(2026, 10, 1)]
    assert len(days) == 12
    assert days[1].type == DayType.HOLIDAY and days[1].name == "国庆节"
    assert days[10].type == DayType.ADJUSTED_WORKING and days[10].name == "国庆节"
    assert all(info.covered for info in days)


def test_calendar_days_refuses_a_reversed_or_too_long_range():
    with pytest.raises(DomainError):
        calendar_days(D(2026, 10, 2), D(2026, 10, 1))
    with pytest.raises(DomainError):
        calendar_days(D(2025, 1, 1), D(2026, 1, 2))  # 367 days
    assert len(calendar_days(D(2024, 1, 1), D(2024, 12, 31))) == 366


def test_the_deadline_computation_reads_the_calendar_in_at_most_two_queries_then_none(
    django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(2):
        add_working_days(D(2026, 9, 30), 7)
    with django_assert_num_queries(0):
        add_working_days(D(2026, 9, 30), 7)
        add_calendar_days(D(2026, 9, 30), 7)
        day_type(D(2026, 10, 10))


def test_an_admin_edit_is_seen_by_the_next_computation(users):
    assert add_working_days(D(2026, 11, 20), 1).due == D(2026, 11, 23)
    calendar_day_save(date=D(2026, 11, 23), kind=ExceptionKind.HOLIDAY, name="测试假日", actor=users.admin)
    assert add_working_days(D(2026, 11, 20), 1).due == D(2026, 11, 24)


def test_a_change_made_by_another_process_is_seen_through_the_shared_version(django_assert_num_queries):
    assert day_type(D(2026, 10, 12)) == DayType.WORKING
    # Another process writes the row (bulk_create sends no signal here) ...
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=D(2026, 10, 12), kind=ExceptionKind.HOLIDAY, name="测试", source="admin")]
    )
    with django_assert_num_queries(0):
        assert day_type(D(2026, 10, 12)) == DayType.WORKING  # this process still holds its copy
    # ... and replaces the version in the shared cache (Redis), as every write path does.
    cache.set(version_key(), "changed-by-another-process", timeout=None)
    assert day_type(D(2026, 10, 12)) == DayType.HOLIDAY


def test_a_migrate_or_flush_makes_every_process_read_the_calendar_again():
    day_type(D(2026, 10, 10))
    version = cache.get(version_key())
    app_config = apps.get_app_config("workdays")
    post_migrate.send(sender=app_config, app_config=app_config, verbosity=0, interactive=False, using="default")
    assert cache.get(version_key()) != version
