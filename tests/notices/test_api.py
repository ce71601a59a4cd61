"""The documents API: scoped list with filters and a fixed number of queries, detail, PDF and revocation."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from notices.choices import NoticeKind, NoticeStatus
from tests.helpers.access import assert_scoped_access
from tests.notices.conftest import issue, issue_rendered

K = NoticeKind
LIST = "/api/v1/notices/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def order(city, venue):
    return issue_rendered(K.RECTIFICATION_ORDER, issuer=city.wenfeng_police, subject=venue)


def test_the_list_is_scoped_filtered_and_paginated(city, users, venue, operator, order):
    acceptance = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    body = api(users.staff).get(LIST).json()
    assert body["count"] == 2
    assert [row["number"] for row in body["results"]] == [acceptance.number, order.number]
    row = body["results"][1]
    assert row["kind"] == "rectification_order"
    assert row["issuer"]["name"] == "安阳市公安局文峰分局"
    assert row["pdf_ready"] is True and row["sha256"] == order.sha256
    assert row["download_url"].endswith(f"/api/v1/notices/{order.pk}/pdf/")
    assert row["verify_url"].endswith(f"/v/{order.verify_code}")
    assert body["results"][0]["download_url"] is None  # not rendered yet

    assert [r["number"] for r in api(users.staff).get(LIST, {"kind": "acceptance"}).json()["results"]] == [
        acceptance.number
    ]
    assert api(users.staff).get(LIST, {"issuer": city.city_police.pk}).json()["count"] == 0
    assert api(operator.user).get(LIST).json()["count"] == 2
    assert api(users.outsider).get(LIST).json()["count"] == 0
    bad = api(users.staff).get(LIST, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400
    assert api(users.staff).get(LIST, {"kind": "memo"}).status_code == 400


def test_the_list_costs_the_same_queries_for_one_or_many(city, users, venue, django_assert_max_num_queries):
    issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    client = api(users.staff)
    with django_assert_max_num_queries(5):
        assert client.get(LIST).json()["count"] == 1
    for _ in range(15):
        issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    with django_assert_max_num_queries(5):
        assert client.get(LIST).json()["count"] == 16


def test_detail_and_pdf_are_scoped(users, operator, order):
    detail = f"/api/v1/notices/{order.pk}/"
    body = api(operator.user).get(detail).json()
    assert body["number"] == order.number
    assert body["context"]["deadline"] == order.context["deadline"]
    assert body["pages"] == order.pages
    pdf = api(operator.user).get(f"{detail}pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == order.pdf.open("rb").read()
    assert_scoped_access(detail, owner=users.staff, partner=operator.user, outsider=users.outsider)
    assert_scoped_access(f"{detail}pdf/", owner=users.staff, partner=operator.user, outsider=operator.other_user)


def test_the_pdf_of_an_unrendered_document_is_404(city, users, venue):
    notice = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    assert api(users.staff).get(f"/api/v1/notices/{notice.pk}/pdf/").status_code == 404


def test_revoke_by_a_head_with_a_reason(users, order):
    url = f"/api/v1/notices/{order.pk}/revoke/"
    denied = api(users.staff).post(url, {"reason": "错误"}, format="json")
    assert denied.status_code == 403
    assert api(users.head).post(url, {}, format="json").status_code == 400
    assert api(users.outsider).post(url, {"reason": "x"}, format="json").status_code == 404
    response = api(users.head).post(url, {"reason": "隐患已整改完毕"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == NoticeStatus.REVOKED
    assert body["revoke_reason"] == "隐患已整改完毕"
    again = api(users.head).post(url, {"reason": "again"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "already_revoked"


def test_anonymous_callers_are_refused(order):
    assert APIClient().get(LIST).status_code in (401, 403)
