"""Task and rule API: scoped lists with filters and pinned query counts, detail, and the actions — start,
complete with evidence (multipart), reassign with a reason, cancel. Outsiders get 404, bad input 400."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from crowdsafe.org.services import grant_to_department
from duties.choices import TaskStatus
from duties.models import ResponsibilityRule, Task
from tests.duties.conftest import make_tasks
from tests.helpers.access import assert_scoped_access
from tests.helpers.files import pdf_bytes

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rules_are_readable(linzhou_users):
    response = api(linzhou_users.culture_staff).get(reverse("v1:rule-list"), {"subject_type": "venue"})
    assert response.status_code == 200
    names = {rule["name"] for rule in response.json()["results"]}
    assert "旅游景区人员聚集活动安全管理" in names
    assert all(rule["subject_type"] == "venue" for rule in response.json()["results"])
    rule = ResponsibilityRule.objects.get(name="公众聚集场所消防安全检查")
    detail = api(linzhou_users.culture_staff).get(reverse("v1:rule-detail", args=[rule.pk])).json()
    assert (detail["basis"], detail["department_kind"], detail["conditions"]["kind__in"][0]) == (
        "approver",
        "fire_rescue",
        "commercial",
    )
    assert api(linzhou_users.culture_staff).get(reverse("v1:rule-detail", args=[999999])).status_code == 404


def test_the_task_list_is_scoped_and_explains_each_task(scenic, linzhou_users):
    response = api(linzhou_users.culture_staff).get(reverse("v1:task-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["duty_name"] for r in results] == ["旅游景区人员聚集活动安全管理"]
    task = results[0]
    assert task["responsible_department"]["name"] == "林州市文化广电和旅游局"
    assert task["subject"] == {"type": "venue", "id": scenic.venue.pk, "label": "太行大峡谷景区"}
    assert task["explanation"].startswith("Assigned to 林州市文化广电和旅游局 by rule")
    assert task["is_overdue"] is False
    assert api(linzhou_users.outsider).get(reverse("v1:task-list")).json()["count"] == 0


def test_list_filters_and_bad_filters(scenic, linzhou_users, linzhou):
    client = api(linzhou_users.leader)
    assert client.get(reverse("v1:task-list")).json()["count"] == 3
    assert client.get(reverse("v1:task-list"), {"party": "organisation"}).json()["count"] == 1
    assert client.get(reverse("v1:task-list"), {"department": linzhou.culture.pk}).json()["count"] == 1
    assert (
        client.get(reverse("v1:task-list"), {"subject_type": "venue", "subject_id": scenic.venue.pk}).json()["count"]
        == 3
    )
    response = client.get(reverse("v1:task-list"), {"status": "bogus"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_the_task_list_keeps_a_fixed_number_of_queries(linzhou, linzhou_users, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_tasks(2, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    client = api(linzhou_users.culture_staff)
    client.get(reverse("v1:task-list"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("v1:task-list"))
    make_tasks(
        150,
        rule_name="旅游景区人员聚集活动安全管理",
        jurisdiction=linzhou.village,
        department=linzhou.culture,
        start_id=50_000,
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("v1:task-list"), {"page_size": 200})
    assert len(response.json()["results"]) == 152
    assert len(small.captured_queries) <= 3  # memberships, count, page


def test_task_detail_owner_partner_outsider(scenic, linzhou_users, linzhou):
    grant_to_department(obj=scenic.industry, codename="view_task", department=linzhou.fire, actor=None)
    assert_scoped_access(
        reverse("v1:task-detail", args=[scenic.industry.pk]),
        owner=linzhou_users.culture_staff,
        partner=linzhou_users.fire_staff,
        outsider=linzhou_users.outsider,
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("v1:task-start", None),
        ("v1:task-complete", {"note": "done"}),
        ("v1:task-reassign", {"person": 1, "reason": "x"}),
        ("v1:task-cancel", {"reason": "x"}),
    ],
)
def test_outsiders_get_404_on_actions(scenic, linzhou_users, name, data):
    response = api(linzhou_users.outsider).post(reverse(name, args=[scenic.industry.pk]), data, format="json")
    assert response.status_code == 404
    assert Task.objects.get(pk=scenic.industry.pk).status == TaskStatus.OPEN


def test_start_then_complete_with_evidence(scenic, linzhou_users):
    client = api(linzhou_users.culture_staff)
    pk = scenic.industry.pk
    response = client.post(reverse("v1:task-start", args=[pk]))
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert client.post(reverse("v1:task-start", args=[pk])).status_code == 400  # already started

    response = client.post(
        reverse("v1:task-complete", args=[pk]),
        {"note": "已检查", "files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "done"
    assert body["completion_note"] == "已检查"
    assert [a["original_name"] for a in body["attachments"]] == ["a.pdf", "b.pdf"]
    # The periodic successor exists.
    assert Task.objects.filter(previous_id=pk).count() == 1


def test_complete_refuses_bad_input(scenic, linzhou_users):
    client = api(linzhou_users.culture_staff)
    pk = scenic.industry.pk
    assert client.post(reverse("v1:task-complete", args=[pk]), {}, format="multipart").status_code == 400
    response = client.post(
        reverse("v1:task-complete", args=[pk]),
        {"note": "x", "files": [SimpleUploadedFile("a.pdf", b"not a pdf")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "files"
    assert Task.objects.get(pk=pk).status == TaskStatus.OPEN


def test_someone_who_sees_but_does_not_hold_the_task_gets_403(scenic, linzhou_users):
    response = api(linzhou_users.township_officer).post(reverse("v1:task-start", args=[scenic.industry.pk]))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_reassign_requires_a_reason_and_records_it(scenic, linzhou_users, linzhou):
    client = api(linzhou_users.culture_head)
    url = reverse("v1:task-reassign", args=[scenic.industry.pk])
    assert client.post(url, {"department": linzhou.fire.pk}, format="json").status_code == 400
    assert client.post(url, {"reason": "x"}, format="json").status_code == 400
    assert client.post(url, {"department": 999999, "reason": "x"}, format="json").status_code == 400
    response = client.post(url, {"department": linzhou.fire.pk, "reason": "转消防大队"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["responsible_department"]["name"] == "林州市消防救援大队"
    assert body["reassignments"][0]["reason"] == "转消防大队"
    assert body["reassignments"][0]["to_label"] == "林州市消防救援大队"


def test_cancel(scenic, linzhou_users):
    client = api(linzhou_users.culture_head)
    url = reverse("v1:task-cancel", args=[scenic.industry.pk])
    assert client.post(url, {}, format="json").status_code == 400
    response = client.post(url, {"reason": "景区停业"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
