"""Issue 16 pages: the incident page (the common picture) and every action page for the owner (the commander),
a partner (a department given a measure: sees and acts, never commands) and an outsider (another city: 404); the
list with its filter; opening from a monitoring alert; closing creates after-action items in drills/; the staff
report pages; the public report page (rate-limited, bad input rejected) and the status page (state only)."""

from __future__ import annotations

import random

import pytest
from django.test import Client
from django.urls import reverse

from crowdsafe.audit.models import ActionLog
from drills.models import AfterActionItem
from response import services
from response.models import Force, Incident, IncidentLevel, PublicReport

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(REMOTE_ADDR=f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def incident(response_city):
    rc = response_city
    found = services.incident_open_from_monitoring(alert=rc.monitoring_alert, actor=rc.officer)
    services.plan_activate(incident=found, plan=rc.plan, actor=rc.officer, reason="红色预警")
    return found


ACTIONS = ["level", "activate", "force", "cadence", "escalate", "handover", "close"]


def test_the_incident_page_shows_the_common_picture_and_commander_buttons_only_to_the_commander(
    response_city, incident, users
):
    rc = response_city
    page = client_for(rc.officer).get(reverse("response:incident", args=[incident.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-commander-actions" in html and "广场主区" in html
    assert html.count('data-measure="pending"') == 3
    assert "文峰区消防救援大队" in html  # measures per department
    # A partner: the fire brigade, given a measure, sees the picture and may report its measure, not command.
    partner = client_for(rc.fire_duty).get(reverse("response:incident", args=[incident.pk]))
    assert partner.status_code == 200
    assert "data-commander-actions" not in partner.content.decode()
    assert "data-log-form" in partner.content.decode()
    # Outsiders: another city's officer, and an organisation's person.
    assert client_for(users.outsider).get(reverse("response:incident", args=[incident.pk])).status_code == 404
    assert client_for(rc.operator_user).get(reverse("response:incident", args=[incident.pk])).status_code == 404
    assert client_for().get(reverse("response:incident", args=[incident.pk])).status_code == 302


@pytest.mark.parametrize("action", ACTIONS)
def test_every_commander_action_page_owner_partner_outsider(response_city, incident, users, action):
    rc = response_city
    url = reverse("response:incident-action", args=[incident.pk, action])
    assert client_for(rc.officer).get(url).status_code == 200
    assert client_for(rc.fire_duty).get(url).status_code == 403
    assert client_for(users.outsider).get(url).status_code == 404
    assert client_for(users.outsider).post(url, {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("action", ["situation", "log"])
def test_responder_action_pages_are_open_to_partners_not_outsiders(response_city, incident, users, action):
    rc = response_city
    url = reverse("response:incident-action", args=[incident.pk, action])
    assert client_for(rc.officer).get(url).status_code == 200
    assert client_for(rc.fire_duty).get(url).status_code == 200
    assert client_for(users.outsider).get(url).status_code == 404


def test_level_change_by_the_commander_and_refused_to_a_partner_and_bad_input(response_city, incident):
    rc = response_city
    url = reverse("response:incident-action", args=[incident.pk, "level"])
    iii = IncidentLevel.objects.get(code="III")
    refused = client_for(rc.fire_duty).post(url, {"level": iii.pk, "reason": "x"})
    assert refused.status_code == 403
    bad = client_for(rc.officer).post(url, {"level": "nope", "reason": ""})
    assert bad.status_code == 400
    assert Incident.objects.get(pk=incident.pk).level.code == "I"
    same = client_for(rc.officer).post(url, {"level": incident.level.pk, "reason": "无变化"})
    assert same.status_code == 400 and "already at this level" in same.content.decode()
    done = client_for(rc.officer).post(url, {"level": iii.pk, "reason": "态势缓和"})
    assert done.status_code == 302
    assert Incident.objects.get(pk=incident.pk).level == iii


def test_measure_done_by_its_department_and_force_request_and_arrival(response_city, incident, users):
    rc = response_city
    measure = incident.measures.get(department=rc.fire)
    url = reverse("response:measure-done", args=[incident.pk, measure.pk])
    assert client_for(users.outsider).get(url).status_code == 404
    assert client_for(rc.health_staff).get(url).status_code == 403  # another department's measure
    assert client_for(rc.fire_duty).post(url, {"note": "已前置"}).status_code == 302
    measure.refresh_from_db()
    assert measure.status == "done"
    force_url = reverse("response:incident-action", args=[incident.pk, "force"])
    answer = client_for(rc.officer).post(
        force_url, {"kind": "police", "requested_count": "20", "department": rc.fire.pk, "unit": "巡特警"}
    )
    assert answer.status_code == 302
    force = Force.objects.get(incident=incident)
    advance = reverse("response:force-advance", args=[incident.pk, force.pk])
    assert client_for(users.outsider).get(advance).status_code == 404
    assert client_for(rc.fire_duty).post(advance, {"state": "on_scene", "arrived_count": "15"}).status_code == 302
    force.refresh_from_db()
    assert force.state == "on_scene" and force.arrived_count == 15
    back = client_for(rc.fire_duty).post(advance, {"state": "dispatched"})
    assert back.status_code == 400 and "only moves forward" in back.content.decode()
    page = client_for(rc.officer).get(reverse("response:incident", args=[incident.pk])).content.decode()
    assert "15/20" in page


def test_the_higher_level_accepts_from_the_page_and_the_lower_level_keeps_seeing(response_city, incident, users):
    rc = response_city
    services.escalation_request(incident=incident, actor=rc.officer, reason="现场力量不足")
    accept = reverse("response:escalation-accept", args=[incident.pk])
    assert client_for(users.outsider).get(accept).status_code == 404
    assert client_for(rc.fire_duty).get(accept).status_code == 403
    head = rc.county_emergency_head
    assert client_for(head).get(accept).status_code == 200
    assert client_for(head).post(accept, {"confirm": "on"}).status_code == 302
    incident.refresh_from_db()
    assert incident.commander == head
    assert client_for(rc.officer).get(reverse("response:incident", args=[incident.pk])).status_code == 200
    back = client_for(head).post(
        reverse("response:incident-action", args=[incident.pk, "return"]), {"reason": "态势可控，交回街道"}
    )
    assert back.status_code == 302
    incident.refresh_from_db()
    assert incident.commander == rc.officer


def test_close_needs_a_summary_and_makes_after_action_items_in_drills(response_city, incident):
    rc = response_city
    url = reverse("response:incident-action", args=[incident.pk, "close"])
    empty = client_for(rc.officer).post(url, {"summary": "  ", "lessons": "x"})
    assert empty.status_code == 400
    assert Incident.objects.get(pk=incident.pk).status == "open"
    done = client_for(rc.officer).post(
        url, {"summary": "人员已疏散，无伤亡。", "lessons": "解放路口远端控制点前移\n增设医疗点指引"}
    )
    assert done.status_code == 302
    items = AfterActionItem.objects.filter(incident=incident)
    assert items.count() == 2
    assert {i.plan for i in items} == {rc.plan}
    assert all(i.drill is None and i.requires_plan_revision for i in items)
    # The drills pages list them with their incident.
    listed = client_for(rc.officer).get(reverse("drills:plan_detail", args=[rc.plan.pk]))
    if listed.status_code == 200:
        assert incident.number in listed.content.decode()


def test_the_list_filters_and_opens_from_a_monitoring_alert(response_city, users):
    rc = response_city
    url = reverse("response:incident-open") + f"?monitoring_alert={rc.monitoring_alert.pk}"
    assert client_for(users.outsider).get(url).status_code == 404
    assert client_for(rc.officer).get(url).status_code == 200
    opened = client_for(rc.officer).post(
        reverse("response:incident-open"), {"monitoring_alert": rc.monitoring_alert.pk, "confirm": "on"}
    )
    assert opened.status_code == 302
    incident = Incident.objects.get(monitoring_alert=rc.monitoring_alert)
    listing = client_for(rc.officer).get(reverse("response:incidents") + "?status=open")
    assert listing.status_code == 200 and incident.title in listing.content.decode()
    assert incident.title not in client_for(users.outsider).get(reverse("response:incidents")).content.decode()
    assert (
        incident.title
        not in client_for(rc.officer).get(reverse("response:incidents") + "?status=closed").content.decode()
    )
    assert client_for(rc.officer).get(reverse("response:incidents") + "?status=bogus").status_code == 200


def test_opening_by_hand_with_bad_input_changes_nothing(response_city, city):
    rc = response_city
    url = reverse("response:incident-open")
    before = Incident.objects.count()
    bad = client_for(rc.officer).post(url, {"title": "", "level": "", "jurisdiction": city.beiguan.pk})
    assert bad.status_code == 200 and Incident.objects.count() == before
    ok = client_for(rc.officer).post(
        url, {"title": "东大街人员聚集", "level": IncidentLevel.objects.get(code="IV").pk, "jurisdiction": city.grid.pk}
    )
    assert ok.status_code == 302 and Incident.objects.count() == before + 1


# --- public reports ----------------------------------------------------------------------------------------------


def test_staff_report_pages_owner_and_outsider_and_the_reveal_is_logged(response_city, users, city):
    rc = response_city
    report, _ = services.report_receive(
        channel="110",
        ticket_number="110-20250101-0001",
        place_text="文峰塔广场东门",
        caller_phone="13812345678",
        jurisdiction=city.grid,
    )
    detail = reverse("response:report-detail", args=[report.pk])
    page = client_for(rc.officer).get(detail)
    assert page.status_code == 200
    assert "138****5678" in page.content.decode() and "13812345678" not in page.content.decode()
    assert client_for(users.outsider).get(detail).status_code == 404
    assert (
        client_for(users.outsider).post(reverse("response:report-action", args=[report.pk, "reveal"])).status_code
        == 404
    )
    shown = client_for(rc.officer).post(reverse("response:report-action", args=[report.pk, "reveal"]))
    assert "13812345678" in shown.content.decode()
    assert ActionLog.objects.filter(verb="pii_revealed").count() == 1
    dismissed = client_for(rc.officer).post(
        reverse("response:report-action", args=[report.pk, "dismiss"]), {"reason": ""}
    )
    assert dismissed.status_code == 302
    report.refresh_from_db()
    assert report.status == "received"  # no reason: nothing changed
    assert client_for(rc.officer).get(reverse("response:reports")).status_code == 200


def test_public_report_from_a_phone_and_its_status_page_shows_the_state_and_nothing_personal(response_city):
    client = client_for()
    page = client.get(reverse("response:public-report"))
    assert page.status_code == 200 and "public-report.js" in page.content.decode()
    sent = client.post(
        reverse("response:public-report"),
        {
            "place_text": "文峰塔广场南侧台阶",
            "description": "台阶上人挤人，我的邻居张三也在",
            "latitude": "36.0987654321",
            "longitude": "114.3512345678",
            "caller_phone": "13812345678",
        },
    )
    assert sent.status_code == 302
    report = PublicReport.objects.get(channel="web")
    assert sent["Location"] == reverse("response:report", kwargs={"ticket": report.ticket_number})
    status = client.get(sent["Location"])
    html = status.content.decode()
    assert status.status_code == 200 and 'data-report-state="received"' in html
    for personal in ("13812345678", "5678", "张三", "台阶上人挤人", "文峰塔广场南侧台阶", "36.09"):
        assert personal not in html
    assert client.get(reverse("response:report", kwargs={"ticket": "NOPE123"})).status_code == 404
    assert client.get(reverse("response:report-status") + "?ticket=" + report.ticket_number.lower()).status_code == 302


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"place_text": ""}, "This field is required"),
        ({"place_text": "广场", "latitude": "91", "longitude": "114"}, "less than or equal to 90"),
        ({"place_text": "广场", "latitude": "abc", "longitude": "114"}, "Enter a number"),
        ({"place_text": "广场", "latitude": "36.1"}, "Give both latitude and longitude"),
        ({"place_text": "广场", "caller_phone": "12"}, "valid phone number"),
        ({"place_text": "x" * 201}, "at most 200 characters"),
    ],
)
def test_public_report_rejects_bad_input_with_a_clear_error(response_city, data, field_message):
    answer = client_for().post(reverse("response:public-report"), data)
    assert answer.status_code == 400
    assert field_message in answer.content.decode()
    assert not PublicReport.objects.exists()


def test_public_pages_are_rate_limited_per_client_address(response_city, settings):
    settings.RESPONSE_PUBLIC_RATE = "3/h"  # per hour: no window boundary falls inside the test
    client = client_for()
    for _ in range(3):
        assert client.post(reverse("response:public-report"), {"place_text": "广场"}).status_code == 302
    limited = client.post(reverse("response:public-report"), {"place_text": "广场"})
    assert limited.status_code == 429 and "data-ratelimited" in limited.content.decode()
    assert PublicReport.objects.count() == 3
    assert client_for().post(reverse("response:public-report"), {"place_text": "广场"}).status_code == 302
    status_client = client_for()
    for _ in range(3):
        status_client.get(reverse("response:report", kwargs={"ticket": "X1"}))
    assert status_client.get(reverse("response:report", kwargs={"ticket": "X1"})).status_code == 429


def test_the_home_page_shows_open_incidents_to_the_leader(response_city, incident):
    rc = response_city
    home = client_for(rc.leader).get(reverse("home"))
    assert home.status_code == 200
    assert 'data-panel="response_incidents"' in home.content.decode() and incident.title in home.content.decode()
