"""The permits API: the legal checks on every application, the portal and review through the API, errors as
400s naming their field, scoping, and pinned query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from permits.choices import ApplicationState
from permits.models import PermitApplication, SiteInspection
from permits.rules import latest_filing_date
from tests.permits.conftest import PDF, PNG, build_application, local
from tests.permits.test_views import _bulk

pytestmark = pytest.mark.django_db

CHECK_FIELDS = {
    "permit_required",
    "licensing_level",
    "licensing_department",
    "latest_filing_date",
    "filed_in_time",
    "statutory_decision_due",
    "promised_decision_due",
    "capacity_ok",
}


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_an_application_exposes_its_legal_checks(permit_city, complete_application):
    data = (
        api(permit_city.users.organizer)
        .get(reverse("v1:permit-application-detail", args=[complete_application.pk]))
        .json()
    )
    assert set(data) >= CHECK_FIELDS
    assert data["permit_required"] is True
    assert data["licensing_level"] == "county"
    assert data["licensing_department"] == {"id": permit_city.city.wenfeng_police.pk, "name": "安阳市公安局文峰分局"}
    first = complete_application.first_session_date
    assert data["latest_filing_date"] == latest_filing_date(first).isoformat()
    assert data["filed_in_time"] is True
    assert data["statutory_decision_due"] is None and data["promised_decision_due"] is None
    assert data["capacity_ok"] is True
    assert {c["key"]: c["article"] for c in data["checks"]}["licensing_level"] == "Order 505 Art. 12"
    assert data["missing"] == []


def test_the_portal_through_the_api(permit_city, stadium):
    client = api(permit_city.users.organizer)
    response = client.post(
        reverse("v1:permit-application-list"),
        {"event_name": "体育嘉年华", "event_kind": "sports", "venue": stadium.venue.pk, "description": "嘉年华"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["permit_required"] is False  # no sessions yet
    day = timezone.localdate() + dt.timedelta(days=45)
    response = client.post(
        reverse("v1:permit-session-add", args=[pk]),
        {"starts_at": local(day, 9).isoformat(), "ends_at": local(day, 17).isoformat(), "expected_attendance": 8000},
        format="json",
    )
    assert response.json()["licensing_level"] == "city"
    assert response.json()["licensing_department"]["name"] == "安阳市公安局"
    response = client.put(
        reverse("v1:permit-tickets", args=[pk]),
        {"tickets": [{"zone": stadium.infield.pk, "tickets": 7000}]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "tickets"
    assert response.json()["code"] == "over_capacity"
    response = client.put(
        reverse("v1:permit-tickets", args=[pk]),
        {"tickets": [{"zone": stadium.infield.pk, "tickets": 5500}]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["capacity_ok"] is True
    response = client.post(
        reverse("v1:permit-material-add", args=[pk]),
        {"kind": "event_plan", "file": SimpleUploadedFile("方案.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201
    material = response.json()["materials"][0]
    assert client.get(reverse("v1:permit-material-download", args=[material["id"]])).status_code == 200
    response = client.put(
        reverse("v1:permit-plan", args=[pk]),
        {"mode": "written", "sections": [{"section": "traffic", "text": "设置临时停车场"}]},
        format="json",
    )
    assert response.status_code == 200
    response = client.post(reverse("v1:permit-submit", args=[pk]), format="json")
    assert response.status_code == 400 and response.json()["code"] == "incomplete"
    assert "At least one undertaker" in response.json()["detail"]


def test_the_review_through_the_api(permit_city, complete_application):
    users = permit_city.users
    pk = complete_application.pk
    assert api(users.organizer).post(reverse("v1:permit-submit", args=[pk])).status_code == 200
    staff = api(users.staff)
    data = staff.post(reverse("v1:permit-accept", args=[pk])).json()
    assert data["state"] == "accepted" and data["statutory_decision_due"] and data["promised_decision_due"]
    staff.post(reverse("v1:permit-start-review", args=[pk]))
    data = staff.post(reverse("v1:permit-start-inspection", args=[pk])).json()
    assert len(data["inspections"]) == 4
    queue = api(permit_city.fire_staff).get(reverse("v1:permit-inspection-list")).json()
    assert [i["department"]["name"] for i in queue["results"]] == ["文峰区消防救援大队"]
    people = {
        permit_city.city.wenfeng_police.pk: users.staff,
        permit_city.wenfeng_fire.pk: permit_city.fire_staff,
        permit_city.wenfeng_housing.pk: permit_city.housing_staff,
        permit_city.wenfeng_culture.pk: permit_city.culture_staff,
    }
    for inspection in SiteInspection.objects.filter(application_id=pk):
        response = api(people[inspection.department_id]).post(
            reverse("v1:permit-inspection-record", args=[inspection.pk]),
            {"passed": "true", "findings": "符合要求", "photos": [SimpleUploadedFile("a.png", PNG)]},
            format="multipart",
        )
        assert response.status_code == 200, response.json()
        assert len(response.json()["photos"]) == 1
    zone = complete_application.zone_plans.get().zone_id
    response = staff.post(
        reverse("v1:permit-decide", args=[pk]), {"outcome": "approve", "approved_capacity": 2000}, format="json"
    )
    assert response.status_code == 403
    response = api(users.head).post(
        reverse("v1:permit-decide", args=[pk]),
        {
            "outcome": "approve",
            "approved_capacity": 2000,
            "tickets": [{"zone": zone, "tickets": 2001}],
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "over_capacity"
    response = api(users.head).post(
        reverse("v1:permit-decide", args=[pk]),
        {
            "outcome": "approve",
            "approved_capacity": 2000,
            "tickets": [{"zone": zone, "tickets": 1900}],
            "conditions": ["设置隔离护栏"],
        },
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "approved" and data["zone_plans"][0]["approved_tickets"] == 1900
    condition = data["conditions"][0]["id"]
    response = api(users.organizer).post(
        reverse("v1:permit-condition-report", args=[condition]), {"note": "已设置"}, format="json"
    )
    assert response.json()["status"] == "reported"
    response = staff.post(reverse("v1:permit-condition-check", args=[condition]), {"done": True}, format="json")
    assert response.json()["status"] == "verified"
    response = api(users.organizer).post(
        reverse("v1:permit-change-request", args=[pk]), {"kind": "place", "reason": "换场地"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "new_application_required"


def test_api_errors_are_400s_and_outsiders_get_404(permit_city, complete_application):
    url = reverse("v1:permit-application-detail", args=[complete_application.pk])
    assert api(permit_city.other_organizer).get(url).status_code == 404
    assert (
        api(permit_city.beiguan_staff).post(reverse("v1:permit-accept", args=[complete_application.pk])).status_code
        == 404
    )
    response = api(permit_city.users.organizer).patch(url, {"event_kind": "rave"}, format="json")
    assert response.status_code == 400


def test_the_review_queue_api_lists_by_deadline(permit_city, stadium):
    _bulk(permit_city, stadium, 3, due_offsets=[5, -1, 2])
    data = api(permit_city.users.staff).get(reverse("v1:permit-review-queue")).json()
    assert [row["days_left"] for row in data["results"]] == [-1, 2, 5]
    assert set(data["results"][0]) >= CHECK_FIELDS


@pytest.mark.parametrize("name", ["v1:permit-application-list", "v1:permit-review-queue"])
def test_api_lists_make_a_fixed_number_of_queries(permit_city, stadium, name, django_assert_max_num_queries):
    client = api(permit_city.users.staff)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        return len(queries)

    _bulk(permit_city, stadium, 2)
    count()  # warm the caches read once per process (content types)
    few = count()
    _bulk(permit_city, stadium, 20)
    assert count() == few
    with django_assert_max_num_queries(8):
        client.get(reverse(name))


def test_the_organizer_list_api_only_lists_its_own(permit_city, stadium, complete_application):
    build_application(
        organizer=permit_city.other_organizer,
        organisation=permit_city.other_org,
        venue=stadium.venue,
        complete=False,
        name="别家的活动",
    )
    data = api(permit_city.users.organizer).get(reverse("v1:permit-application-list")).json()
    assert [row["id"] for row in data["results"]] == [complete_application.pk]
    assert PermitApplication.objects.count() == 2
    assert data["results"][0]["state"] == ApplicationState.DRAFT
