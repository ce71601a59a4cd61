"""The "holiday schedule not entered" notice on the home page: for administrators and for people whose own
deadlines fall in the year without a schedule, not for everyone."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from crowdsafe.workdays import selectors
from crowdsafe.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

DECEMBER_2026 = datetime.date(2026, 12, 7)
NOTICE = "has not been entered yet"


@pytest.fixture
def no_2027(today):
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    today(DECEMBER_2026)


def home_html(login, user) -> str:
    client = login(user)
    with translation.override("en"):
        response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_the_notice_is_not_on_a_grid_workers_home(users, login, no_2027):
    assert NOTICE not in home_html(login, users.grid_worker)


def test_the_notice_is_on_an_administrators_home(users, login, no_2027):
    assert NOTICE in home_html(login, users.admin)


def test_the_notice_is_on_the_home_of_someone_whose_deadline_falls_in_2027(users, login, no_2027, monkeypatch):
    monkeypatch.setattr(
        selectors, "_AFFECTED_DEADLINE_CHECKS", [lambda user, years: user == users.grid_worker and 2027 in years]
    )
    assert NOTICE in home_html(login, users.grid_worker)
    assert NOTICE not in home_html(login, users.staff)
