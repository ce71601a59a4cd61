"""A year whose State Council schedule is not entered: the statutory holidays of the national holiday rules
(全国年节及纪念日放假办法, as amended in 2024, in force from 2025) are provisional days off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from crowdsafe.workdays.choices import DayType
from crowdsafe.workdays.festivals import statutory_holidays
from crowdsafe.workdays.models import CalendarYear
from crowdsafe.workdays.selectors import add_calendar_days, add_working_days, day_info, is_working_day
from duties.explain import calendar_warning, deadline_facts

pytestmark = pytest.mark.django_db

D = dt.date


def test_2027_is_not_in_the_table():
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_new_years_day_2027_is_not_a_working_day():
    assert is_working_day(D(2027, 1, 1)) is False
    info = day_info(D(2027, 1, 1))
    assert info.type == DayType.PROVISIONAL_HOLIDAY
    assert info.name == "元旦"
    assert info.covered is False


def test_the_rules_give_2027_eleven_weekday_or_weekend_days_off_with_spring_festival_from_chuxi():
    days = statutory_holidays(2027)
    # 春节 2027: 正月初一 is 2027-02-06, so 除夕 2027-02-05 and 初一 to 初三.
    assert [date for date, name in days.items() if name == "春节"] == [D(2027, 2, d) for d in (5, 6, 7, 8)]
    assert [date for date, name in days.items() if name == "劳动节"] == [D(2027, 5, 1), D(2027, 5, 2)]
    assert [date for date, name in days.items() if name == "国庆节"] == [D(2027, 10, d) for d in (1, 2, 3)]
    assert days[D(2027, 4, 5)] == "清明节"
    assert days[D(2027, 6, 9)] == "端午节"
    assert days[D(2027, 9, 15)] == "中秋节"
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3


def test_a_2027_deadline_across_the_spring_festival_counts_it_as_provisional_and_says_so():
    # From Thursday 2027-02-04: 02-05 (Fri, 除夕) and 02-08 (Mon, 初三) are provisional days off, 02-06/07 a
    # weekend. Working days: 02-09, 02-10, 02-11, 02-12, 02-15.
    deadline = add_working_days(D(2027, 2, 4), 5)
    assert deadline.due == D(2027, 2, 15)
    assert deadline.provisional_days == tuple((D(2027, 2, d), "春节") for d in (5, 6, 7, 8))
    with translation.override("en"):
        text = deadline.explain()
    assert "provisional days off" in text
    assert "2027-02-05 – 2027-02-08 春节" in text
    with translation.override("zh-hans"):
        assert "春节" in deadline.explain()


def test_the_task_explanation_of_such_a_deadline_names_the_provisional_days():
    deadline = add_working_days(D(2027, 2, 4), 5)
    facts = deadline_facts(deadline, anchor_kind="event")
    with translation.override("en"):
        warning = calendar_warning(facts)
    assert "2027-02-05 – 2027-02-08 春节" in warning


def test_a_calendar_day_period_ending_on_a_provisional_day_runs_to_the_next_working_day():
    deadline = add_calendar_days(D(2027, 9, 30), 1)  # 10-01 provisional, 10-02/03 too, 10-04 Monday
    assert deadline.extended_from == D(2027, 10, 1)
    assert deadline.due == D(2027, 10, 4)


def test_a_covered_year_has_no_provisional_days():
    deadline = add_working_days(D(2026, 9, 30), 7)
    assert deadline.provisional_days == ()
