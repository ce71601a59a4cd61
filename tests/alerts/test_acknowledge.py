"""Acknowledgment (one tap, in the app or from the link) and the escalation scan with a later clock: not
acknowledged within ALERTS_ACK_MINUTES → sent again and passed to the head, then the leader; acknowledging stops
it; each person is passed up once, whatever the number of scans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from alerts.models import Alert, AlertTarget
from alerts.services import alert_acknowledge, alerts_escalate
from crowdsafe.audit.models import ActionLog
from notifications.models import Message
from tests.alerts.conftest import report
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def red(city, users, alerted):
    gathering = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=3000)
    return Alert.objects.get(subject_id=gathering.pk)


def target(alert, user) -> AlertTarget:
    return AlertTarget.objects.get(alert=alert, user=user)


def test_not_acknowledged_in_time_it_is_sent_again_and_passed_to_the_head(red, alerted):
    later = timezone.now() + dt.timedelta(minutes=6)
    duty = target(red, alerted.on_duty)
    assert alerts_escalate(now=timezone.now() + dt.timedelta(minutes=4)) == 0  # not yet due
    handled = alerts_escalate(now=later)
    assert handled >= 1
    duty.refresh_from_db()
    assert duty.escalated_at == later
    head = target(red, alerted.police_head)
    assert (head.hop, head.escalated_from, head.party) == (1, duty, "escalation")
    assert head.notified_at == later
    # Sent again to the officer on duty: a second urgent message with the same link.
    assert Message.objects.filter(notifications__recipient=alerted.on_duty, urgent=True).count() == 2
    assert ActionLog.objects.filter(verb="alert_escalated", subject_id=red.pk).exists()
    # A second scan at the same moment passes nobody up twice.
    count = AlertTarget.objects.count()
    alerts_escalate(now=later)
    assert AlertTarget.objects.count() == count


def test_acknowledging_stops_it(red, alerted):
    duty = target(red, alerted.on_duty)
    alert_acknowledge(target=duty, actor=alerted.on_duty)
    alerts_escalate(now=timezone.now() + dt.timedelta(minutes=6))
    assert not AlertTarget.objects.filter(alert=red, user=alerted.police_head).exists()
    duty.refresh_from_db()
    assert duty.acknowledged_via == "app"


def test_the_head_who_does_not_acknowledge_either_passes_it_to_the_leader(red, alerted):
    alert_acknowledge(target=target(red, alerted.leader), actor=alerted.leader)
    first = timezone.now() + dt.timedelta(minutes=6)
    alerts_escalate(now=first)
    alerts_escalate(now=first + dt.timedelta(minutes=6))
    # The head was passed up in turn; 文峰区's leaders were alerted already, so the next one up is the city's.
    head = target(red, alerted.police_head)
    assert head.hop == 1 and head.escalated_at == first + dt.timedelta(minutes=6)
    city_leader = target(red, alerted.city_leader)
    assert city_leader.hop >= 1 and city_leader.escalated_from is not None


def test_the_link_acknowledges_without_signing_in_for_one_person_only(red, alerted):
    duty = target(red, alerted.on_duty)
    client = Client()
    page = client.get(f"/alerts/a/{duty.token}/")
    assert page.status_code == 200
    duty.refresh_from_db()
    assert duty.acknowledged_at is None  # opening the link (a previewer) acknowledges nothing
    assert client.post(f"/alerts/a/{duty.token}/").status_code == 200
    duty.refresh_from_db()
    assert duty.acknowledged_via == "link"
    assert target(red, alerted.officer).acknowledged_at is None
    assert client.get("/alerts/a/not-a-token/").status_code == 404


def test_an_expired_link_does_not_acknowledge(red, alerted):
    duty = target(red, alerted.on_duty)
    AlertTarget.objects.filter(pk=duty.pk).update(token_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().post(f"/alerts/a/{duty.token}/").status_code == 400
    duty.refresh_from_db()
    assert duty.acknowledged_at is None


def test_the_alert_page_shows_the_leader_who_acknowledged_when(red, alerted, users):
    alert_acknowledge(target=target(red, alerted.on_duty), actor=alerted.on_duty)
    client = Client()
    client.force_login(alerted.leader)
    page = client.get(f"/alerts/{red.pk}/").content.decode()
    assert 'data-target="a_police_duty"' in page and 'data-ack="yes"' in page


def test_owner_partner_outsider_on_the_alert_page_and_the_acknowledgment(red, alerted, users):
    assert_scoped_access(f"/alerts/{red.pk}/", owner=alerted.on_duty, partner=alerted.leader, outsider=users.outsider)
    duty = target(red, alerted.on_duty)
    assert_scoped_access(
        f"/alerts/targets/{duty.pk}/ack/", owner=alerted.on_duty, outsider=alerted.leader, method="post"
    )


def test_owner_partner_outsider_on_what_reached_a_department(red, alerted, users):
    url = f"/alerts/reached/department/{alerted.township_office.pk}/"
    assert_scoped_access(url, owner=alerted.office_head, partner=alerted.leader, outsider=alerted.office_staff)
    client = Client()
    client.force_login(alerted.on_duty)
    page = client.get("/alerts/reached/")
    assert page.status_code == 200
    assert "data-reached" in page.content.decode()
