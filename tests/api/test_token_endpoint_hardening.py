"""The token endpoint and the API's JSON bodies under attack: password guessing is locked out (django-axes) per
account and per address, the per-address limit counts the address the trusted proxy reports (never a header the
client chose), and a deeply nested JSON body is a 400, not a 500."""

from __future__ import annotations

import random

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from crowdsafe.accounts.lockout import VERB_LOCKED_OUT
from crowdsafe.audit.models import ActionLog
from crowdsafe.common.client_ip import client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def fresh_address() -> str:
    """An address of this test's own: the throttle counts live in the Redis shared by parallel test runs."""
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    cache.delete(f"throttle_anon_{address}")
    return address


def test_seventy_wrong_passwords_then_the_right_one_gets_no_token(users, monkeypatch):
    from crowdsafe.accounts.api.views import TokenApi

    monkeypatch.setattr(TokenApi, "throttle_classes", [])  # the lockout alone: the throttle would also refuse
    client = APIClient(REMOTE_ADDR=fresh_address())
    for n in range(70):
        client.post(TOKEN, {"username": "u_staff", "password": f"wrong-{n}"}, format="json")
    with translation.override("zh-hans"):
        response = client.post(TOKEN, {"username": "u_staff", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "登录失败次数过多" in response.json()["detail"]
    assert ActionLog.objects.filter(verb=VERB_LOCKED_OUT, subject_id=users.staff.pk).count() == 1


def test_the_account_stays_locked_from_a_fresh_address(users):
    guesser = APIClient(REMOTE_ADDR=fresh_address())
    for n in range(10):
        guesser.post(TOKEN, {"username": "u_staff", "password": f"wrong-{n}"}, format="json")
    response = APIClient(REMOTE_ADDR=fresh_address()).post(
        TOKEN, {"username": "u_staff", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429


def test_a_changed_x_forwarded_for_does_not_escape_the_per_address_limit_when_no_proxy_is_trusted(users, settings):
    settings.TRUSTED_PROXY_IP_HEADER = ""
    settings.AXES_ENABLED = False  # the throttle alone, not the lockout
    client = APIClient(REMOTE_ADDR=fresh_address())
    statuses = [
        client.post(
            TOKEN, {"username": "u_staff", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR=f"192.0.2.{n % 250}"
        ).status_code
        for n in range(61)
    ]
    assert 429 not in statuses[:60]
    assert statuses[60] == 429


def test_behind_a_trusted_proxy_the_limit_counts_the_address_the_proxy_reports(users, settings):
    settings.TRUSTED_PROXY_IP_HEADER = "X-Real-IP"
    settings.AXES_ENABLED = False
    proxy = fresh_address()
    visitor = fresh_address()
    client = APIClient(REMOTE_ADDR=proxy)
    for _ in range(60):
        client.post(TOKEN, {"username": "u_staff", "password": "x"}, format="json", HTTP_X_REAL_IP=visitor)
    assert client.post(TOKEN, {}, format="json", HTTP_X_REAL_IP=visitor).status_code == 429
    other = fresh_address()
    assert client.post(TOKEN, {}, format="json", HTTP_X_REAL_IP=other).status_code == 400


def test_client_ip_believes_only_the_configured_proxy_header(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_REAL_IP="203.0.113.9"
    )
    settings.TRUSTED_PROXY_IP_HEADER = ""
    assert client_ip(request) == "172.16.0.2"
    settings.TRUSTED_PROXY_IP_HEADER = "X-Real-IP"
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_IP_HEADER = "X-Forwarded-For"
    request.META["HTTP_X_FORWARDED_FOR"] = "6.6.6.6, 198.51.100.4"  # the proxy appended the last entry
    assert client_ip(request) == "198.51.100.4"


def test_sign_in_lockouts_throttles_and_ratelimit_use_the_same_client_address():
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "crowdsafe.common.client_ip.client_ip"
    assert django_settings.RATELIMIT_IP_META_KEY == "crowdsafe.common.client_ip.client_ip"
    from crowdsafe.accounts.api.views import TokenApi
    from crowdsafe.web.api.throttling import ClientIpAnonRateThrottle

    assert TokenApi.throttle_classes == [ClientIpAnonRateThrottle]


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_a_deeply_nested_json_body_is_a_400_on_the_token_endpoint(db):
    response = APIClient(REMOTE_ADDR=fresh_address()).post(TOKEN, nested(1100), content_type="application/json")
    assert response.status_code == 400
    assert "64" in response.json()["detail"]


def test_a_deeply_nested_json_body_is_a_400_on_an_authenticated_endpoint(users):
    client = APIClient()
    client.force_authenticate(users.staff)
    body = b'{"name": ' + nested(1100) + b"}"
    with translation.override("zh-hans"):
        response = client.post("/api/v1/venues/", body, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套" in response.json()["detail"]


def test_json_nested_within_the_limit_still_parses(users):
    from crowdsafe.web.api.parsers import json_depth

    assert json_depth('{"a": [1, {"b": "[[[[not counted]]]]"}]}') == 3
    assert json_depth('"[\\"[[["') == 0


def test_every_api_view_that_reads_json_bounds_its_depth():
    from django.urls import get_resolver
    from rest_framework.parsers import JSONParser

    from crowdsafe.web.api.parsers import BoundedJSONParser

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern

    unbounded = []
    for pattern in walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "cls", None)
        for parser in getattr(view_class, "parser_classes", []) or []:
            if issubclass(parser, JSONParser) and not issubclass(parser, BoundedJSONParser):
                unbounded.append(view_class.__name__)
    assert unbounded == []
