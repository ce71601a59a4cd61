"""API of the alerts app (/api/v1/alerts/): my alerts, one alert, and the one-tap acknowledgment — owner,
partner and outsider, the same 404 for a missing and an out-of-scope id, 403 for an overseer who was not alerted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.models import Alert, AlertTarget
from alerts.services import alerts_escalate
from tests.alerts.conftest import report
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def red(city, users, alerted):
    gathering = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=3000)
    return Alert.objects.get(subject_id=gathering.pk)


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_my_alerts_list_the_alert_with_my_own_acknowledgment(red, alerted, django_assert_max_num_queries):
    client = client_of(alerted.on_duty)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/alerts/").json()
    assert [a["id"] for a in body["results"]] == [red.pk]
    row = body["results"][0]
    assert (row["level"], row["level_label"]) == ("red", "Red (重大)")
    assert row["mine"]["party"] == "police_on_duty" and row["mine"]["acknowledged_at"] is None
    assert row["mine"]["party_label"] == "The public-security on-duty desk covering the place"


def test_acknowledging_through_the_api_records_it_and_stops_the_escalation(red, alerted):
    client = client_of(alerted.on_duty)
    answer = client.post(f"/api/v1/alerts/{red.pk}/acknowledge/")
    assert answer.status_code == 200
    assert answer.json()["mine"]["acknowledged_via"] == "app"
    assert answer.json()["mine"]["acknowledged_via_label"] == "In the app"
    again = client.post(f"/api/v1/alerts/{red.pk}/acknowledge/")  # a second tap changes nothing
    assert again.json()["mine"]["acknowledged_at"] == answer.json()["mine"]["acknowledged_at"]
    assert client.get("/api/v1/alerts/?unacknowledged=true").json()["results"] == []
    alerts_escalate(now=timezone.now() + dt.timedelta(minutes=6))
    assert not AlertTarget.objects.filter(alert=red, user=alerted.police_head).exists()


def test_owner_partner_outsider_on_the_alert_and_its_acknowledgment(red, alerted, users):
    # The partner: 文峰分局's head, to whom the alert passed when the desk did not acknowledge in time.
    alerts_escalate(now=timezone.now() + dt.timedelta(minutes=6))
    assert AlertTarget.objects.filter(alert=red, user=alerted.police_head, hop=1).exists()
    url = f"/api/v1/alerts/{red.pk}/"
    assert_scoped_access(url, owner=alerted.on_duty, partner=alerted.leader, outsider=users.outsider)
    assert_scoped_access(
        f"{url}acknowledge/",
        owner=alerted.on_duty,
        partner=alerted.police_head,
        outsider=users.outsider,
        method="post",
    )


def test_the_sender_and_the_leader_see_everyone_others_only_themselves(red, alerted):
    everyone = client_of(alerted.leader).get(f"/api/v1/alerts/{red.pk}/").json()["targets"]
    assert {t["id"] for t in everyone} == set(AlertTarget.objects.filter(alert=red).values_list("pk", flat=True))
    own = client_of(alerted.operator_user).get(f"/api/v1/alerts/{red.pk}/").json()["targets"]
    assert [t["id"] for t in own] == [AlertTarget.objects.get(alert=red, user=alerted.operator_user).pk]


def test_a_missing_and_an_out_of_scope_alert_are_the_same_404(red, alerted, users):
    outsider = client_of(users.outsider)
    missing = Alert.objects.order_by("-pk").first().pk + 1000
    for method, suffix in (("get", ""), ("post", "acknowledge/")):
        hidden = getattr(outsider, method)(f"/api/v1/alerts/{red.pk}/{suffix}")
        absent = getattr(outsider, method)(f"/api/v1/alerts/{missing}/{suffix}")
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json() == absent.json()


def test_an_overseer_who_was_not_alerted_cannot_acknowledge_for_the_desk(red, alerted):
    # 文峰分局's head sees the alert (their department was alerted through its desk) but was not alerted.
    client = client_of(alerted.police_head)
    assert client.get(f"/api/v1/alerts/{red.pk}/").status_code == 200
    answer = client.post(f"/api/v1/alerts/{red.pk}/acknowledge/")
    assert answer.status_code == 403
    assert AlertTarget.objects.get(alert=red, user=alerted.on_duty).acknowledged_at is None
