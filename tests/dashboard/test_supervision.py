"""Per department (issue 17 point 1): the 督办 (escalations) sent and acknowledged and the gaps where no one can
receive a reminder — figures equal hand-counted fixtures, the list behind each figure has exactly its rows, a
leader sees only their subtree, the API gives the same figures."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dashboard.selectors.matrix import TERRITORIAL
from dashboard.selectors.supervision import supervision

pytestmark = pytest.mark.django_db

API = "/api/v1/dashboard/supervision/"


def _period(today):
    return (today - dt.timedelta(days=27), today)


def _row(result, key):
    return next(r for r in result.rows if r.key == key)


def test_the_figures_equal_the_hand_counted_fixtures(city, users, ledger, escalations):
    result = supervision(user=users.admin, root=city.anyang, period=_period(ledger.today))
    police = _row(result, "public_security")
    assert (police.sent, police.acknowledged, police.unacknowledged) == (3, 1, 2)  # a, b, d
    assert (police.gaps, police.gap_tasks) == (1, 1)  # 北关分局, J
    township = _row(result, TERRITORIAL)
    assert (township.sent, township.acknowledged, township.gaps) == (1, 1, 0)  # c
    assert (result.total.sent, result.total.acknowledged, result.total.gaps) == (4, 2, 1)
    assert police.acknowledged_percent == 33


def _list(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_the_list_behind_each_figure_has_exactly_its_rows(client, city, users, ledger, escalations):
    client.force_login(users.admin)
    result = supervision(user=users.admin, root=city.anyang, period=_period(ledger.today))
    police = _row(result, "public_security")
    m = escalations

    def listed(url):
        return {r.pk for r in _list(client, url).context["rows"]}

    assert listed(police.sent_url) == {m["a"].pk, m["b"].pk, m["d"].pk}
    assert listed(police.acknowledged_url) == {m["a"].pk}
    assert listed(police.unacknowledged_url) == {m["b"].pk, m["d"].pk}
    assert listed(result.total.sent_url) == {m["a"].pk, m["b"].pk, m["c"].pk, m["d"].pk}
    gaps = _list(client, police.gaps_url).context["rows"]
    assert [(gap.holder, gap.open_tasks) for gap, _url in gaps] == [(city.beiguan_police, 1)]
    tasks_url = gaps[0][1]
    assert parse_qs(urlsplit(tasks_url).query)["department"] == [str(city.beiguan_police.pk)]
    page = _list(client, police.sent_url).content.decode()
    assert reverse("duties:detail", args=[ledger.A.pk]) in page


def test_the_matrix_page_shows_the_table_with_its_links(client, city, users, ledger, escalations):
    client.force_login(users.admin)
    page = client.get(reverse("dashboard:matrix"), {"root": city.anyang.code}).content.decode()
    assert 'data-table="supervision"' in page
    result = supervision(user=users.admin, root=city.anyang, period=_period(ledger.today))
    assert _row(result, "public_security").sent_url.replace("&", "&amp;") in page


def test_a_leader_sees_only_their_subtree(client, city, users, ledger, escalations):
    result = supervision(user=users.leader, root=city.wenfeng, period=_period(ledger.today))
    police = _row(result, "public_security")
    assert (police.sent, police.acknowledged, police.gaps) == (2, 1, 0)  # a, b; 北关分局 is not theirs
    assert (result.total.sent, result.total.gaps) == (3, 0)
    client.force_login(users.leader)
    url = reverse("dashboard:supervision")
    assert client.get(url, {"root": city.anyang.code}).status_code == 404
    assert client.get(url, {"root": city.beiguan.code, "show": "gaps"}).status_code == 404
    assert {r.pk for r in client.get(url).context["rows"]} == {escalations[k].pk for k in "abc"}
    client.force_login(users.outsider)
    assert client.get(url).status_code == 404
    client.force_login(users.organizer)
    assert client.get(url).status_code == 404


def test_the_api_gives_the_same_figures(city, users, ledger, escalations):
    api = APIClient()
    api.force_authenticate(users.admin)
    body = api.get(API, {"root": city.anyang.code}).json()
    police = next(r for r in body["rows"] if r["key"] == "public_security")
    assert (police["sent"], police["acknowledged"], police["gaps"], police["gap_tasks"]) == (3, 1, 1, 1)
    assert body["total"]["sent"] == 4 and body["total"]["acknowledged"] == 2
    assert police["sent_url"].startswith(reverse("dashboard:supervision"))
    api.force_authenticate(users.leader)
    assert api.get(API, {"root": city.anyang.code}).status_code == 404
    assert api.get(API).json()["total"]["sent"] == 3
    api.force_authenticate(users.outsider)
    assert api.get(API).status_code == 404
    api.force_authenticate(users.admin)
    assert api.post(API, {}).status_code == 405
    assert APIClient().get(API).status_code in (401, 403)
