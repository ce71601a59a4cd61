"""The dashboard's API (issue 17 point 7): the matrix and risk now, the same figures as the pages; owner, partner
and outsider; bad parameters a 400; read-only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from events.models import Gathering
from tests.events.conftest import report

pytestmark = pytest.mark.django_db

MATRIX = "/api/v1/dashboard/matrix/"
RISK = "/api/v1/dashboard/risk-now/"


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_matrix_figures_equal_the_hand_counted_ledger(city, users, ledger):
    body = _client(users.admin).get(MATRIX, {"root": city.anyang.code}).json()
    assert [r["name"] for r in body["rows"]] == ["文峰区", "北关区", "安阳市 itself"]
    keys = [c["key"] for c in body["columns"]]
    police = body["rows"][0]["cells"][keys.index("public_security")]
    assert (police["open"], police["due_soon"], police["overdue"], police["done"], police["on_time"]) == (4, 1, 2, 2, 1)
    assert police["on_time_rate"] == 0.5 and police["median_days_overdue"] == 7.0
    assert police["oldest_overdue_task"] == ledger.A.pk
    total = body["total"]
    assert (total["open"], total["overdue"], total["done"], total["on_time"]) == (6, 4, 3, 2)
    assert total["median_days_overdue"] == 3.0


def test_risk_now_agrees_with_the_page(city, users):
    red = report(users.grid_worker, grid=city.grid)
    Gathering.objects.filter(pk=red.pk).update(risk_level="red")
    body = _client(users.admin).get(RISK).json()
    assert body["gathering_totals"]["red"] == 1
    wenfeng = next(r for r in body["gatherings_by_level"] if r["place"]["code"] == city.wenfeng.code)
    assert wenfeng["counts"]["red"] == 1
    assert set(body) >= {"monitoring_alerts", "drills", "large_events", "key_dates", "venues", "hazards"}


def test_owner_partner_outsider(city, users, ledger):
    leader = _client(users.leader)  # 文峰区
    body = leader.get(MATRIX).json()
    assert body["root"]["code"] == city.wenfeng.code
    assert leader.get(RISK).status_code == 200
    for url in (MATRIX, RISK):
        assert leader.get(url, {"root": "410503"}).status_code == 404  # the partner district
        assert leader.get(url, {"root": city.anyang.code}).status_code == 404  # above the leader
        assert _client(users.outsider).get(url).status_code == 404
        assert _client(users.organizer).get(url).status_code == 404
        assert _client().get(url).status_code in (401, 403)
        assert _client(users.admin).post(url, {}).status_code == 405


def test_bad_parameters_are_a_400(users, ledger):
    client = _client(users.admin)
    assert client.get(MATRIX, {"date_from": "2026-13-01"}).status_code == 400
    response = client.get(MATRIX, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 400 and "date_to" in response.json()
    assert client.get(RISK, {"root": "X" * 50}).status_code == 400
    assert client.get(RISK, {"root": "999999"}).status_code == 404
