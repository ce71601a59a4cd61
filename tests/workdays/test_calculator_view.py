"""The deadline calculator page (/calendar/) and its htmx partial (/calendar/deadline/)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext

from crowdsafe.workdays.cache import calendar_cache_clear

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, users):
    client.force_login(users.staff)
    return client


def text(response) -> str:
    return response.content.decode()


def test_anonymous_users_are_redirected_to_login(client, city):
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/calendar/"
    response = client.get("/calendar/deadline/", {"start": "2026-09-30", "n": 7, "unit": "working"})
    assert response.status_code == 302


def test_the_page_renders_a_month_for_a_logged_in_user(staff_client):
    response = staff_client.get("/calendar/", {"month": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = text(response)
    assert "<title>Deadline calculator" in html
    assert 'class="cal-grid"' in html
    assert "October 2026" in html
    # 2026-10-01 is a holiday named 国庆节, 2026-10-10 an adjusted working Saturday, 10-11 a weekend.
    assert re.search(r'class="cal-day cal-day-holiday[^"]*"[^>]*>\s*<time[^>]*datetime="2026-10-01"', html)
    assert re.search(r'class="cal-day cal-day-adjusted_working[^"]*"[^>]*>\s*<time[^>]*datetime="2026-10-10"', html)
    assert re.search(r'class="cal-day cal-day-weekend[^"]*"[^>]*>\s*<time[^>]*datetime="2026-10-11"', html)
    assert '<span class="badge badge-holiday">国庆节</span>' in html
    assert "?month=2026-09" in html and "?month=2026-11" in html
    assert html.count("/static/vendor/htmx/htmx.min.js") == 1  # loaded once, by base.html


def test_the_form_works_without_javascript_and_shows_the_due_month(staff_client):
    response = staff_client.get(
        "/calendar/", {"start": "2026-09-30", "n": "7", "unit": "working"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = text(response)
    assert response.status_code == 200
    assert 'method="get" action="/calendar/"' in html
    assert "7 working days from 2026-09-30: due 2026-10-15." in html
    assert "October 2026" in html
    assert re.search(r'class="cal-day[^"]*is-due[^"]*"[^>]*>\s*<time[^>]*datetime="2026-10-15"', html)


def test_paging_months_keeps_the_question(staff_client):
    html = text(
        staff_client.get("/calendar/", {"start": "2026-09-30", "n": "7", "unit": "working", "month": "2026-10"})
    )
    assert "month=2026-11" in html
    assert re.search(r'href="\?[^"]*start=2026-09-30[^"]*month=2026-11', html)


def test_the_partial_previews_the_result_for_htmx(staff_client):
    response = staff_client.get(
        "/calendar/deadline/", {"start": "2026-09-30", "n": "7", "unit": "calendar"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert "2026-10-08" in html
    assert "end on 2026-10-07, a rest day, so the period runs to 2026-10-08" in html
    assert "?month=2026-10" in html


def test_the_partial_shows_bad_input_as_messages_not_an_error_page(staff_client):
    response = staff_client.get(
        "/calendar/deadline/", {"start": "not-a-date", "n": "-3", "unit": "working"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = text(response)
    assert 'role="alert"' in html
    assert "Start date" in html and "Number of days" in html


def test_a_period_past_the_end_of_the_calendar_is_a_message(staff_client):
    response = staff_client.get("/calendar/", {"start": "9999-12-30", "n": "5", "unit": "working"})
    assert response.status_code == 200
    assert 'role="alert"' in text(response)


def test_an_uncovered_month_says_so(staff_client):
    html = text(staff_client.get("/calendar/", {"month": "2027-03"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert "The 2027 holiday schedule has not been entered yet" in html
    assert "cal-day-holiday" not in html


@pytest.mark.parametrize("month", ["2026-13", "abc", "0001-01", "9999-12"])
def test_a_bad_month_falls_back_to_the_current_month(staff_client, month):
    assert staff_client.get("/calendar/", {"month": month}).status_code == 200


def calendar_queries(client, params) -> tuple[int, int]:
    """(queries on the calendar tables, all queries) for one page view with a cold calendar cache."""
    calendar_cache_clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/calendar/", params).status_code == 200
    return sum("workdays_" in query["sql"] for query in queries.captured_queries), len(queries)


def test_the_page_reads_the_calendar_in_two_queries_whatever_the_period(staff_client):
    short = calendar_queries(staff_client, {"start": "2026-09-30", "n": "1", "unit": "working"})
    long = calendar_queries(staff_client, {"start": "2026-09-30", "n": "3650", "unit": "working"})
    assert short == long
    assert long[0] == 2
