"""Issue 16 API: the 110/12345 ticket push (a dispatch system's token with ``response.push_ticket``), incidents
(list, detail, actions) and reports (phone masked, reveal logged) for the owner, a partner and an outsider."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from crowdsafe.audit.models import ActionLog
from response import services
from response.models import Incident, PublicReport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/response"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def dispatch_system(db):
    user = UserFactory(username="dispatch_110")
    user.user_permissions.add(Permission.objects.get(codename="push_ticket"))
    return user


@pytest.fixture
def incident(response_city):
    rc = response_city
    return services.incident_open_from_monitoring(alert=rc.monitoring_alert, actor=rc.officer)


TICKET = {
    "ticket_number": "110-20250501-0042",
    "channel": "110",
    "place_text": "文峰塔广场东门",
    "latitude": "36.098765",
    "longitude": "114.351234",
    "description": "人很多，挤不动",
    "caller_phone": "13812345678",
}


def test_the_dispatch_system_pushes_a_ticket_once(response_city, dispatch_system, users):
    first = api(dispatch_system).post(f"{BASE}/tickets/", TICKET, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True and first.json()["status_url"].endswith("110-20250501-0042/")
    again = api(dispatch_system).post(f"{BASE}/tickets/", TICKET, format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert PublicReport.objects.count() == 1
    # Without the permission (an ordinary officer's token), and without a token.
    assert api(users.township_officer).post(f"{BASE}/tickets/", TICKET, format="json").status_code == 403
    assert api().post(f"{BASE}/tickets/", TICKET, format="json").status_code in (401, 403)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "web"}, "channel"),
        ({"ticket_number": ""}, "ticket_number"),
        ({"latitude": "91"}, "latitude"),
        ({"place_text": ""}, "place_text"),
        ({"caller_phone": "12"}, "caller_phone"),
        ({"received_at": "2999-01-01T00:00:00+08:00"}, "received_at"),
    ],
)
def test_a_bad_ticket_is_refused_with_its_field(response_city, dispatch_system, change, field):
    answer = api(dispatch_system).post(f"{BASE}/tickets/", {**TICKET, **change}, format="json")
    assert answer.status_code == 400
    assert field in answer.content.decode()
    assert not PublicReport.objects.exists()


def test_incidents_list_and_detail_owner_partner_outsider(response_city, incident, users):
    rc = response_city
    services.plan_activate(incident=incident, plan=rc.plan, actor=rc.officer)
    assert [i["id"] for i in api(rc.officer).get(f"{BASE}/incidents/").json()["results"]] == [incident.pk]
    assert [i["id"] for i in api(rc.fire_duty).get(f"{BASE}/incidents/").json()["results"]] == [incident.pk]
    assert api(users.outsider).get(f"{BASE}/incidents/").json()["results"] == []
    assert api(rc.officer).get(f"{BASE}/incidents/?status=bogus").status_code == 400
    detail = api(rc.officer).get(f"{BASE}/incidents/{incident.pk}/").json()
    assert detail["level"] == "I" and len(detail["measures"]) == 3
    assert detail["proposals"][0]["activated"] is True
    assert api(rc.fire_duty).get(f"{BASE}/incidents/{incident.pk}/").status_code == 200
    assert api(users.outsider).get(f"{BASE}/incidents/{incident.pk}/").status_code == 404
    assert api().get(f"{BASE}/incidents/{incident.pk}/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("level", {"level": "III", "reason": "态势缓和"}),
        ("forces", {"kind": "police", "requested_count": 10}),
        ("escalate", {"reason": "现场力量不足"}),
        ("close", {"summary": "已处置完毕"}),
        ("handover", {"to_user": None, "reason": "交接"}),
    ],
)
def test_commander_actions_owner_partner_outsider(response_city, incident, users, action, body):
    rc = response_city
    if action == "handover":
        body = {**body, "to_user": rc.office_head.pk}
    url = f"{BASE}/incidents/{incident.pk}/{action}/"
    assert api(users.outsider).post(url, body, format="json").status_code == 404
    assert api(rc.fire_duty).post(url, body, format="json").status_code == 403
    answer = api(rc.officer).post(url, body, format="json")
    assert answer.status_code in (200, 201), answer.content


def test_actions_reject_bad_input_and_change_nothing(response_city, incident):
    rc = response_city
    url = f"{BASE}/incidents/{incident.pk}/"
    assert api(rc.officer).post(url + "level/", {"level": "V", "reason": "x"}, format="json").status_code == 400
    assert (
        api(rc.officer).post(url + "forces/", {"kind": "tanks", "requested_count": 1}, format="json").status_code == 400
    )
    assert (
        api(rc.officer).post(url + "forces/", {"kind": "police", "requested_count": 0}, format="json").status_code
        == 400
    )
    assert api(rc.officer).post(url + "close/", {"summary": ""}, format="json").status_code == 400
    assert api(rc.officer).post(url + "activate/", {"plan": 999999}, format="json").status_code == 400
    incident.refresh_from_db()
    assert incident.level.code == "I" and incident.status == "open" and not incident.forces.exists()


def test_situation_report_force_advance_and_acceptance_through_the_api(response_city, incident, users):
    rc = response_city
    url = f"{BASE}/incidents/{incident.pk}/"
    report = {"situation": "广场人员密集", "measures": "远端控制", "forces": "民警20名", "next_steps": "继续疏导"}
    assert api(users.outsider).post(url + "situation-reports/", report, format="json").status_code == 404
    created = api(rc.officer).post(url + "situation-reports/", report, format="json")
    assert created.status_code == 201 and created.json()["reports"][0]["sequence"] == 1
    api(rc.officer).post(url + "forces/", {"kind": "police", "requested_count": 10}, format="json")
    force = incident.forces.get()
    moved = api(rc.officer).post(
        url + "forces/advance/", {"force": force.pk, "state": "on_scene", "arrived_count": 8}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["forces"][0]["arrived_count"] == 8
    api(rc.officer).post(url + "escalate/", {"reason": "现场力量不足"}, format="json")
    assert api(users.outsider).post(url + "accept/", {}, format="json").status_code == 404
    assert api(rc.officer).post(url + "accept/", {}, format="json").status_code == 403
    accepted = api(rc.county_emergency_head).post(url + "accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["escalations"][0]["window_seconds"] is not None
    assert Incident.objects.get(pk=incident.pk).commander == rc.county_emergency_head
    assert api(rc.officer).get(url).status_code == 200  # the lower level still sees it


def test_reports_list_masks_the_phone_and_the_reveal_is_logged(response_city, city, users):
    rc = response_city
    report, _ = services.report_receive(
        channel="12345", ticket_number="12345-1", place_text="东门", caller_phone="13812345678", jurisdiction=city.grid
    )
    listed = api(rc.officer).get(f"{BASE}/reports/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["caller_phone_masked"] == "138****5678" and "13812345678" not in listed.content.decode()
    assert api(users.outsider).get(f"{BASE}/reports/").json()["results"] == []
    assert api(users.outsider).post(f"{BASE}/reports/{report.pk}/reveal/").status_code == 404
    assert api(users.grid_worker).post(f"{BASE}/reports/{report.pk}/reveal/").status_code == 403
    shown = api(rc.officer).post(f"{BASE}/reports/{report.pk}/reveal/")
    assert shown.status_code == 200 and shown.json() == {"caller_phone": "13812345678"}
    assert ActionLog.objects.filter(verb="pii_revealed", actor=rc.officer).count() == 1
