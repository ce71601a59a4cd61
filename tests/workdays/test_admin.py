"""The admin of the working-day calendar: edits go through the services (source=admin, action log)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from crowdsafe.audit.models import ActionLog
from crowdsafe.workdays.choices import Source
from crowdsafe.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date
YEARS = "/admin/workdays/calendaryear/"
DAYS = "/admin/workdays/calendarday/"


def year_logs(year: int):
    return ActionLog.objects.filter(subject_type__model="calendaryear", subject_id=year).order_by("id")


def test_an_admin_adds_next_years_schedule_year_as_admin_with_a_log_entry(admin_client, admin_user):
    response = admin_client.post(f"{YEARS}add/", {"year": 2027, "notice": "国办发明电〔2026〕7号"})
    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.notice) == (Source.ADMIN, "国办发明电〔2026〕7号")
    [entry] = year_logs(2027)
    assert (entry.verb, entry.actor) == ("created", admin_user)


def test_editing_a_library_year_in_the_admin_makes_it_the_admins(admin_client):
    response = admin_client.post(f"{YEARS}2026/change/", {"notice": "国办发明电〔2025〕7号"})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2026).source == Source.ADMIN


def test_an_admin_adds_a_day_which_is_marked_admin(admin_client):
    response = admin_client.post(f"{DAYS}add/", {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=D(2027, 10, 1))
    assert (day.kind, day.name, day.source) == ("holiday", "国庆节", Source.ADMIN)
    assert CalendarYear.objects.get(year=2027).source == Source.ADMIN
    assert [entry.verb for entry in year_logs(2027)] == ["created", "calendar_day_set"]


def test_an_admin_corrects_a_library_day(admin_client):
    response = admin_client.post(f"{DAYS}2026-10-01/change/", {"kind": "holiday", "name": "国庆"})
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=D(2026, 10, 1))
    assert (day.name, day.source) == ("国庆", Source.ADMIN)


def test_an_adjusted_working_weekday_is_a_form_error_and_changes_nothing(admin_client):
    response = admin_client.post(f"{DAYS}add/", {"date": "2026-11-23", "kind": "adjusted_working", "name": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kind"]
    assert not CalendarDay.objects.filter(date=D(2026, 11, 23)).exists()
    assert CalendarYear.objects.get(year=2026).source == Source.LIBRARY


def test_a_duplicate_day_is_a_form_error(admin_client):
    response = admin_client.post(f"{DAYS}add/", {"date": "2026-10-01", "kind": "holiday", "name": "x"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"]


def test_deleting_a_day_in_the_admin_goes_through_the_service(admin_client):
    response = admin_client.post(f"{DAYS}2026-10-10/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=D(2026, 10, 10)).exists()
    assert CalendarYear.objects.get(year=2026).source == Source.ADMIN
    assert year_logs(2026).last().verb == "calendar_day_removed"


def test_the_sync_action_restores_library_days(admin_client, admin_user):
    CalendarDay.objects.filter(date=D(2026, 10, 1)).delete()
    response = admin_client.post(YEARS, {"action": "sync_from_library", "_selected_action": ["2026"]})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=D(2026, 10, 1)).exists()
    assert year_logs(2026).last().actor == admin_user
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_the_day_list_filters_by_year_and_kind(admin_client):
    response = admin_client.get(DAYS, {"year": "2026", "kind": "adjusted_working"})
    assert response.status_code == 200
    dates = {day.date for day in response.context["cl"].result_list}
    assert dates == set(
        CalendarDay.objects.filter(date__year=2026, kind="adjusted_working").values_list("date", flat=True)
    )
    assert D(2026, 10, 10) in dates


def test_the_year_list_counts_each_years_days(admin_client):
    response = admin_client.get(YEARS)
    assert response.status_code == 200
    year_2026 = next(row for row in response.context["cl"].result_list if row.year == 2026)
    assert year_2026.holiday_count == CalendarDay.objects.filter(date__year=2026, kind="holiday").count()
    assert year_2026.adjusted_count == 6


@pytest.fixture
def staff_login(client):
    def login(user):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        return client

    return login


def test_a_citys_system_administrator_may_enter_the_schedule(staff_login, users):
    client = staff_login(users.admin)
    assert client.get(DAYS).status_code == 200
    response = client.post(f"{DAYS}add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302
    assert year_logs(2027).last().actor == users.admin


def test_other_staff_may_not_use_the_calendar_admin(staff_login, users):
    client = staff_login(users.head)
    assert client.get(DAYS).status_code == 403
    assert client.get(YEARS).status_code == 403
    assert client.post(f"{DAYS}add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}).status_code == 403
    assert not CalendarDay.objects.filter(date=D(2027, 1, 1)).exists()
