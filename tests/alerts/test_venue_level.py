"""A venue's level set by a signed-off risk assessment goes through the one urgent-alert path (rule
"venue.risk_level"): orange tells the township, the police on-duty desk and the operator; red adds the
territory's leader and emergency management."""

from __future__ import annotations

import pytest

from alerts.models import Alert
from crowdsafe.org.choices import Role
from notifications.choices import Channel
from notifications.models import Delivery, Notification
from tests.factories import UserFactory, member
from tests.risk.conftest import FACTORS_RED, signed_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(city):
    """A second township officer of 东大街街道, to sign off what the first one assessed."""
    return member(UserFactory(username="u_township2"), role=Role.TOWNSHIP_OFFICER, jurisdiction=city.street).user


def test_a_venue_assessed_red_alerts_its_operator_the_township_the_police_desk_and_the_leader(
    city, users, alerted, reviewer
):
    assessment = signed_off(
        alerted.square, users.township_officer, reviewer, factors=FACTORS_RED, expected_attendance=9000
    )
    assert assessment.level == "red"
    alert = Alert.objects.get(rule__key="venue.risk_level", subject_id=alerted.square.pk)
    assert alert.level == "red"
    assert alert.raised_by == reviewer
    targets = set(alert.targets.values_list("user__username", flat=True))
    assert {"a_operator", "a_office_staff", "a_officer", "a_police_duty", "a_leader", "a_emergency"} <= targets
    assert "a_police_head" not in targets  # the on-duty desk, not every officer
    for person in (alerted.operator_user, alerted.officer, alerted.on_duty, alerted.leader):
        notification = Notification.objects.get(recipient=person, message__kind="alert")
        assert notification.message.urgent
        # SMS although their settings switch it off and their quiet hours cover now: urgent.
        assert Delivery.objects.filter(recipient=person, channel=Channel.SMS, message=notification.message).exists()


def test_signing_off_the_same_red_level_again_alerts_nobody_twice(city, users, alerted, reviewer):
    for _ in range(2):
        signed_off(alerted.square, users.township_officer, reviewer, factors=FACTORS_RED, expected_attendance=9000)
    assert Alert.objects.filter(rule__key="venue.risk_level", subject_id=alerted.square.pk).count() == 1
    assert Notification.objects.filter(recipient=alerted.leader).count() == 1


def test_a_venue_assessed_low_raises_no_alert(city, users, alerted, reviewer):
    assessment = signed_off(alerted.square, users.township_officer, reviewer, factors={}, expected_attendance=100)
    assert assessment.level in ("blue", "yellow")
    assert not Alert.objects.filter(rule__key="venue.risk_level").exists()
