"""While PostgreSQL is down or restarting, pages and the API answer 503 with Retry-After and "系统繁忙，请稍后再试",
not a generic 500 (issue 18 point 5). The outage is made by making every new cursor of the connection raise what
psycopg raises then (Django's OperationalError / InterfaceError); no real restart is needed."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from venues.models import Venue

pytestmark = pytest.mark.django_db

BUSY_ZH = "系统繁忙，请稍后再试"


@pytest.fixture
def database_down(monkeypatch):
    """``database_down(error)``: from now on every query of this process fails with ``error``."""

    def down(error=OperationalError):
        def refuse(self, *args, **kwargs):
            raise error('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

        monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)

    return down


def signed_in_client(user) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_says_the_service_is_busy_with_a_503(users, database_down, error):
    client = signed_in_client(users.staff)
    database_down(error)
    for path in ("/", "/venues/", "/permits/new/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "30"
        html = response.content.decode()
        assert BUSY_ZH in html and 'class="error-code">503<' in html


def test_a_form_sent_while_the_database_is_down_gets_the_503_page(users, city, database_down):
    client = signed_in_client(users.township_officer)
    database_down()
    response = client.post("/venues/new/", {"name": "东大街文化广场", "kind": "square", "grid": city.grid.code})
    assert response.status_code == 503 and BUSY_ZH in response.content.decode()


def test_the_api_answers_json_503(users, database_down):
    client = signed_in_client(users.staff)
    database_down()
    response = client.get("/api/v1/venues/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": BUSY_ZH, "code": "service_unavailable"}
    # An unauthenticated token request, too.
    response = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/api/v1/auth/token/", {"username": "x", "password": "y"}, content_type="application/json"
    )
    assert response.status_code == 503 and response.json()["code"] == "service_unavailable"


def test_in_english_too(users, database_down):
    client = signed_in_client(users.staff)
    database_down()
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "The service is temporarily unavailable: please try again later." in response.content.decode()


def test_other_errors_stay_a_500(users, monkeypatch):
    client = signed_in_client(users.staff)

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("venues.selectors.venue_list", broken)
    response = client.get("/venues/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert Venue.objects.count() == 0  # the database is fine


def test_the_load_test_urlconf_keeps_the_503_handler(users, database_down, settings):
    """``bench/load`` serves ``bench.urls`` (the site plus the bare benchmark page); Django looks the error handlers
    up on the root URLconf, so without it re-exporting ``handler500`` the PostgreSQL restart of ``bench/load
    --faults`` answered the generic 500 (6 requests on 2026-12-07)."""
    settings.ROOT_URLCONF = "bench.urls"
    client = signed_in_client(users.staff)
    database_down()
    response = client.get("/")
    assert response.status_code == 503 and BUSY_ZH in response.content.decode()
