"""The State Council's schedule for a whole year, entered in one validated admin form; it replaces the
provisional days off of the national holiday rules."""

from __future__ import annotations

import datetime as dt

import pytest

from crowdsafe.audit.models import ActionLog
from crowdsafe.workdays.choices import DayType, Source
from crowdsafe.workdays.forms import YearScheduleForm
from crowdsafe.workdays.models import CalendarDay, CalendarYear
from crowdsafe.workdays.selectors import add_working_days, day_info

pytestmark = pytest.mark.django_db

D = dt.date
URL = "/admin/workdays/calendaryear/schedule/"

# A plausible 2027 schedule under the 2024 rules (春节 from 除夕 8 days, 国庆 7 days + 中秋 on its own day).
GOOD_2027 = {
    "year": "2027",
    "notice": "国办发明电〔2026〕7号",
    "holidays": "\n".join(
        [
            "2027-01-01..2027-01-03 元旦",
            "2027-02-05..2027-02-12 春节",
            "2027-04-03..2027-04-05 清明节",
            "2027-05-01..2027-05-05 劳动节",
            "2027-06-09 端午节",
            "2027-09-15 中秋节",
            "2027-10-01..2027-10-07 国庆节",
        ]
    ),
    "adjusted": "2027-02-20 春节\n2027-04-25 劳动节\n2027-09-26 国庆节\n2027-10-09 国庆节",
}


def errors_of(data):
    form = YearScheduleForm(data)
    assert not form.is_valid()
    return [message for messages in form.errors.values() for message in messages]


def test_the_form_rejects_a_date_outside_the_year():
    errors = errors_of({**GOOD_2027, "adjusted": "2028-01-08 元旦"})
    assert any("2028-01-08" in e and "2027" in e for e in errors)


def test_the_form_rejects_a_day_both_off_and_worked():
    errors = errors_of({**GOOD_2027, "adjusted": "2027-02-06 春节"})
    assert any("2027-02-06" in e for e in errors)


def test_the_form_rejects_an_adjusted_working_weekday():
    errors = errors_of({**GOOD_2027, "adjusted": "2027-02-17 春节"})  # a Wednesday
    assert any("2027-02-17" in e for e in errors)


def test_the_form_rejects_a_schedule_without_a_statutory_holiday_of_the_rules():
    errors = errors_of(
        {**GOOD_2027, "holidays": GOOD_2027["holidays"].replace("2027-10-01..2027-10-07", "2027-10-04..2027-10-07")}
    )
    assert any("2027-10-01" in e for e in errors)


def test_the_form_rejects_a_line_it_cannot_read():
    errors = errors_of({**GOOD_2027, "holidays": GOOD_2027["holidays"] + "\nFebruary 5th 春节"})
    assert errors


def test_a_bad_schedule_in_the_admin_changes_nothing(admin_client):
    response = admin_client.post(URL, {**GOOD_2027, "adjusted": "2027-02-17 春节"})
    assert response.status_code == 200
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert day_info(D(2027, 2, 12)).type == DayType.WORKING  # Friday after 初三: not a provisional day


def test_a_good_schedule_in_the_admin_replaces_the_provisional_days(admin_client, admin_user):
    assert day_info(D(2027, 1, 1)).type == DayType.PROVISIONAL_HOLIDAY
    response = admin_client.post(URL, GOOD_2027)
    assert response.status_code == 302, response.content.decode()[:3000]
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.notice) == (Source.ADMIN, "国办发明电〔2026〕7号")
    assert CalendarDay.objects.filter(date__year=2027, kind="holiday").count() == 3 + 8 + 3 + 5 + 1 + 1 + 7
    assert day_info(D(2027, 1, 1)).type == DayType.HOLIDAY
    assert day_info(D(2027, 2, 12)).type == DayType.HOLIDAY  # a bridging day the rules alone do not give
    assert day_info(D(2027, 2, 20)).type == DayType.ADJUSTED_WORKING
    deadline = add_working_days(D(2027, 2, 4), 5)
    assert deadline.covered and deadline.provisional_days == ()
    assert ActionLog.objects.filter(verb="calendar_schedule_entered", actor=admin_user).exists()


def test_the_schedule_page_is_for_administrators_only(client, users):
    users.staff.is_staff = True
    users.staff.save(update_fields=["is_staff"])
    client.force_login(users.staff)
    assert client.get(URL).status_code in (302, 403)
