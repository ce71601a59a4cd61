"""``alert_raise``: who an alert reaches (rules as data), at which level, once per level, never silently."""

from __future__ import annotations

import pytest

from alerts.models import Alert, AlertRule, AlertTarget
from alerts.services import alert_raise
from crowdsafe.audit.models import ActionLog
from duties.models import Task
from events import services as events
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Delivery, Notification
from tests.alerts.conftest import report

pytestmark = pytest.mark.django_db


def alerted_users(alert: Alert) -> set[str]:
    return set(alert.targets.values_list("user__username", flat=True))


def test_a_red_gathering_logged_by_a_grid_worker_alerts_the_township_the_police_desk_the_leader_and_emergency(
    city, users, alerted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        gathering = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=3000)
    assert gathering.risk_level == "red"
    alert = Alert.objects.get(subject_id=gathering.pk, level="red")
    assert alerted_users(alert) == {
        "a_office_staff",
        "a_office_head",
        "a_officer",
        "u_township_officer",
        "a_police_duty",  # the on-duty desk only, not every officer of 文峰分局
        "a_leader",
        "u_leader",
        "a_emergency",
        "a_operator",
    }
    assert alert.raised_by == users.grid_worker
    # Urgent, in-app and SMS and email, whatever the quiet hours and settings say.
    for username in ("a_officer", "a_police_duty", "a_leader"):
        notification = Notification.objects.get(recipient__username=username)
        assert notification.message.urgent
        assert notification.message.url.startswith("/alerts/a/")
        sms = Delivery.objects.get(recipient__username=username, channel=Channel.SMS)
        assert sms.status == DeliveryStatus.PENDING
        assert (sms.next_attempt_at - alert.created_at).total_seconds() < 60  # not held until the quiet hours end
    assert ActionLog.objects.filter(verb="alert_raised", subject_id=alert.pk).count() == 1


def test_orange_alerts_the_township_police_and_operator_but_not_the_leader(city, users, alerted):
    gathering = report(users.grid_worker, estimated_attendance_max=1500, grid=city.grid)
    assert gathering.risk_level == "orange"
    alert = Alert.objects.get(subject_id=gathering.pk)
    assert alert.level == "orange"
    assert alerted_users(alert) == {
        "a_office_staff",
        "a_office_head",
        "a_officer",
        "u_township_officer",
        "a_police_duty",
    }


def test_orange_then_red_alerts_again_with_the_red_recipients_and_the_same_level_never_twice(city, users, alerted):
    gathering = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=2000)
    orange = Alert.objects.get(subject_id=gathering.pk)
    assert orange.level == "orange"
    events.gathering_set_risk_level(
        gathering=gathering, level="orange", reasons=["人多"], source="override", actor=users.township_officer
    )
    assert Alert.objects.filter(subject_id=gathering.pk).count() == 1  # the same level: nobody told twice
    events.gathering_update(gathering=gathering, actor=users.township_officer, data={"estimated_attendance_max": 4000})
    red = Alert.objects.get(subject_id=gathering.pk, level="red")
    assert {"a_leader", "a_emergency"} <= alerted_users(red)
    assert {"a_leader", "a_emergency"}.isdisjoint(alerted_users(orange))
    assert Notification.objects.filter(recipient=alerted.leader).count() == 1


def test_red_opens_the_duties_only_red_calls_for(city, users, alerted):
    orange = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=2000)
    red = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=3000)
    red_keys = {"events.red_emergency_readiness", "events.red_flow_control", "events.red_territorial_command"}
    assert red_keys <= set(Task.objects.filter(subject_id=red.pk).values_list("rule__key", flat=True))
    assert red_keys.isdisjoint(Task.objects.filter(subject_id=orange.pk).values_list("rule__key", flat=True))


def test_a_party_with_nobody_on_record_is_never_skipped_silently(city, users, alerted):
    alerted.emergency.memberships.all().delete()
    gathering = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=3000)
    alert = Alert.objects.get(subject_id=gathering.pk)
    assert alert.unreached == ["Emergency management covering the place"]
    assert "a_leader" in alerted_users(alert)


def test_a_switched_off_rule_and_a_low_level_alert_nobody(city, users, alerted):
    assert (
        alert_raise(
            rule_key="gathering.risk_level",
            subject=alerted.square,
            level="yellow",
            jurisdiction=city.grid,
            reason="",
            actor=None,
        )
        is None
    )
    AlertRule.objects.filter(key="gathering.risk_level").update(is_active=False)
    report(users.grid_worker, venue=alerted.square, estimated_attendance_max=3000)
    assert not AlertTarget.objects.exists()
