"""Deliveries: claimed for a lease, attempted, logged attempt by attempt; transient failures retried with
exponential backoff up to the bound, permanent ones failed at once, interrupted ones logged as such — and nothing
marked delivered that the channel did not accept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.choices import AttemptOutcome, Channel, DeliveryStatus, WebhookProvider
from notifications.conf import retry_delay
from notifications.models import Delivery, DeliveryAttempt, DepartmentWebhook
from notifications.services import deliveries_claim, deliveries_send, notify

pytestmark = pytest.mark.django_db

# A moment just after the deliveries below are made (they are due at once): the clock passed to the services.
T0 = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)


@pytest.fixture(autouse=True)
def _t0():
    """T0 is a few minutes after each test starts, not after the module was collected: in a long run the
    deliveries a test makes (due at the real now) would otherwise be due after T0 and not be sent at T0."""
    global T0
    T0 = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)


@pytest.fixture
def hook(city, robot, settings):
    settings.NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    return DepartmentWebhook.objects.create(
        department=city.wenfeng_police,
        name="值班群",
        provider=WebhookProvider.DINGTALK,
        url=robot.url(),
        secret="SECabc",
    )


def robot_delivery(city, people) -> Delivery:
    notify(recipients=[city.wenfeng_police], title="红色预警：人民广场人员聚集", urgent=True)
    return Delivery.objects.get(webhook__isnull=False)


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 300
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]


def test_a_robot_that_accepts_is_delivered_with_one_attempt(city, people, hook, robot):
    robot.secret = "SECabc"
    delivery = robot_delivery(city, people)
    counts = deliveries_send(delivery_ids=[delivery.pk], now=T0)
    assert counts == {"delivered": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("delivered", 1, T0)
    [attempt] = delivery.attempt_log.all()
    assert attempt.outcome == AttemptOutcome.DELIVERED and '"errcode": 0' in attempt.response
    assert "红色预警" in robot.received[0].body["markdown"]["title"]


def test_transient_failures_are_retried_with_backoff_then_failed_never_delivered(city, people, hook, robot):
    robot.default = (503, {})
    delivery = robot_delivery(city, people)
    deliveries_send(delivery_ids=[delivery.pk], now=T0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "pending",
        1,
        T0 + dt.timedelta(seconds=60),
    )
    # Not before its time.
    assert deliveries_claim(now=T0 + dt.timedelta(seconds=59), ids=[delivery.pk]) == []
    [claim] = deliveries_claim(now=T0 + dt.timedelta(seconds=60), ids=[delivery.pk])
    deliveries_send(delivery_ids=claim.ids, token=claim.token, now=T0 + dt.timedelta(seconds=60))
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=180)  # 60 s + 2 × 60 s
    [claim] = deliveries_claim(now=T0 + dt.timedelta(seconds=180), ids=[delivery.pk])
    deliveries_send(delivery_ids=claim.ids, token=claim.token, now=T0 + dt.timedelta(seconds=180))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("failed", 3, None)
    assert "HTTP 503" in delivery.last_error
    assert list(delivery.attempt_log.values_list("outcome", flat=True)) == ["transient"] * 3
    assert deliveries_claim(now=T0 + dt.timedelta(days=1), ids=[delivery.pk]) == []
    assert len(robot.received) == 3


def test_a_permanent_failure_is_not_retried(city, people, hook, robot):
    robot.default = (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    delivery = robot_delivery(city, people)
    deliveries_send(delivery_ids=[delivery.pk], now=T0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "310000" in delivery.last_error


def test_a_robot_switched_off_meanwhile_fails_without_a_request(city, people, hook, robot):
    delivery = robot_delivery(city, people)
    hook.is_active = False
    hook.save()
    deliveries_send(delivery_ids=[delivery.pk], now=T0)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and robot.received == []


def test_an_attempt_whose_worker_died_is_logged_as_interrupted_and_tried_again(city, people, hook, robot, settings):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 60
    robot.secret = "SECabc"
    delivery = robot_delivery(city, people)
    [claim] = deliveries_claim(
        now=T0, ids=[delivery.pk]
    )  # claimed, then the worker was killed before it recorded anything
    assert deliveries_claim(now=T0 + dt.timedelta(seconds=30), ids=[delivery.pk]) == []
    [again] = deliveries_claim(now=T0 + dt.timedelta(seconds=61), ids=[delivery.pk])
    assert again.token != claim.token
    # The dead worker's token no longer works; the new claim's does.
    assert deliveries_send(delivery_ids=claim.ids, token=claim.token, now=T0 + dt.timedelta(seconds=61)) == {}
    deliveries_send(delivery_ids=again.ids, token=again.token, now=T0 + dt.timedelta(seconds=62))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert list(delivery.attempt_log.values_list("outcome", flat=True)) == ["interrupted", "delivered"]


def test_an_interruption_on_the_last_allowed_attempt_fails_the_delivery(city, people, hook, settings):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 60
    settings.NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS = 1
    delivery = robot_delivery(city, people)
    deliveries_claim(now=T0, ids=[delivery.pk])
    assert deliveries_claim(now=T0 + dt.timedelta(seconds=61), ids=[delivery.pk]) == []
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempt_log.get().outcome == AttemptOutcome.INTERRUPTED


def test_email_through_smtp_is_delivered_and_a_refused_address_fails(city, people, smtp):
    people.staff2.email = "bounce@example.gov.cn"
    people.staff2.save(update_fields=["email"])
    notify(recipients=[people.staff, people.staff2], title="汛期安全提示")
    ids = list(Delivery.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    deliveries_send(delivery_ids=ids, now=T0)
    statuses = dict(Delivery.objects.filter(channel=Channel.EMAIL).values_list("address", "status"))
    assert statuses == {"u_staff@example.gov.cn": "delivered", "bounce@example.gov.cn": "failed"}
    assert len(smtp.messages) == 1


def test_email_through_the_development_backend_is_logged_not_delivered(city, people):
    notify(recipients=[people.staff], title="汛期安全提示")
    email = Delivery.objects.get(channel=Channel.EMAIL)
    deliveries_send(delivery_ids=[email.pk], now=T0)
    email.refresh_from_db()
    assert email.status == DeliveryStatus.LOGGED
    assert email.delivered_at is None
    assert email.attempt_log.get().outcome == AttemptOutcome.LOGGED


def test_sms_through_the_console_backend_is_logged_not_delivered(city, people, capsys):
    notify(recipients=[people.leader], title="红色预警", urgent=True)
    sms = Delivery.objects.get(channel=Channel.SMS)
    deliveries_send(delivery_ids=[sms.pk], now=T0)
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.LOGGED
    assert "[SMS to 13800000001]" in capsys.readouterr().out


def test_two_claimers_never_share_a_delivery(city, people, hook):
    robot_delivery(city, people)
    notify(recipients=[people.staff], title="x")
    first = deliveries_claim(now=T0)
    second = deliveries_claim(now=T0)
    assert first and not second
    assert DeliveryAttempt.objects.count() == 0
