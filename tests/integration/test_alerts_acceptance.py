"""Issue 14's acceptance with real parts: a real Celery worker on the real Redis broker sends the deliveries, SMS
goes to the file backend (the development stand-in for the SMS gateway: one JSON line per text), PostgreSQL.

A grid worker logs a gathering that is levelled red at once (through the events service, as the form and the API
do). Within seconds the township, the police on-duty desk and the district's leader each have an urgent in-app
notification and an SMS carrying their own acknowledgment link — although their quiet hours cover the moment and
their settings switch SMS off. The desk does not acknowledge: the escalation scan, run with a clock past the
delay (ALERTS_ACK_MINUTES), sends it to the desk again and to 文峰分局's head; the head acknowledges from the link
in their SMS, and the next scan passes nothing further up from them."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from alerts.models import Alert, AlertTarget
from alerts.services import alert_acknowledge, alerts_escalate
from notifications.choices import Channel
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.services.dispatch import quiet_until
from tests.alerts.conftest import alerted, report
from tests.integration.conftest import WorkerProcess, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

__all__ = ["alerted"]

PHONES = {"officer": "13900000001", "on_duty": "13900000002", "leader": "13900000003", "police_head": "13900000004"}
WITHIN_SECONDS = 30  # a loaded two-core CI machine; on a quiet one it is about a second


@pytest.fixture
def sms_file(tmp_path: Path) -> Path:
    return tmp_path / "sms" / "outbox.log"


@pytest.fixture
def worker(transactional_db, tmp_path, monkeypatch, sms_file):
    """One real worker whose SMS backend appends to ``sms_file``."""
    from crowdsafe.celery import app

    monkeypatch.setenv("SMS_BACKEND", "notifications.channels.sms.FileSmsBackend")
    monkeypatch.setenv("SMS_FILE_PATH", str(sms_file))
    monkeypatch.setenv("SITE_URL", "https://crowdsafe.example")
    app.control.purge()
    process = WorkerProcess("alerts", tmp_path / "worker.log").start()
    yield process
    process.stop()


def texts(sms_file: Path) -> list[dict]:
    if not sms_file.exists():
        return []
    return [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines() if line.strip()]


def texts_to(sms_file: Path, phone: str) -> list[str]:
    return [t["text"] for t in texts(sms_file) if t["phone"] == phone]


def token_in(text: str) -> str:
    found = re.search(r"https://crowdsafe\.example/alerts/a/([^/\s]+)/", text)
    assert found, f"no acknowledgment link in the SMS {text!r}"
    return found.group(1)


def test_a_red_gathering_reaches_the_township_the_desk_and_the_leader_by_sms_within_seconds_then_climbs(
    city, users, alerted, worker, sms_file
):
    people = {name: getattr(alerted, name) for name in PHONES}
    for name, user in people.items():
        user.phone = PHONES[name]
        user.save(update_fields=["phone"])
    now = timezone.now()
    for user in people.values():  # quiet hours cover this moment, SMS is off: only an urgent alert gets through
        preference = NotificationPreference.objects.get(user=user)
        assert quiet_until(preference, now) is not None and not preference.sms_enabled

    started = time.monotonic()
    gathering = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=3000)
    assert gathering.risk_level == "red"
    wait_for(
        lambda: all(texts_to(sms_file, PHONES[name]) for name in ("officer", "on_duty", "leader")),
        timeout=120,
        what="the SMS of the township officer, the on-duty desk and the leader",
    )
    elapsed = time.monotonic() - started
    assert elapsed < WITHIN_SECONDS, f"the alert's SMS took {elapsed:.1f} s"
    alert = Alert.objects.get(subject_id=gathering.pk, level="red")
    for name in ("officer", "on_duty", "leader"):
        user = people[name]
        target = AlertTarget.objects.get(alert=alert, user=user)
        [sms] = texts_to(sms_file, PHONES[name])
        assert token_in(sms) == target.token  # each person's own link
        notification = Notification.objects.get(recipient=user, message=target.message)
        assert notification.message.urgent and notification.read_at is None
        assert Delivery.objects.get(message=target.message, channel=Channel.SMS).status == "logged"
    assert not texts_to(sms_file, PHONES["police_head"])  # the head is not alerted while the desk may still answer

    # The township officer acknowledges from the link in their SMS, the leader in the app; the desk does not.
    officer_token = token_in(texts_to(sms_file, PHONES["officer"])[0])
    assert Client().post(f"/alerts/a/{officer_token}/").status_code == 200
    alert_acknowledge(target=AlertTarget.objects.get(alert=alert, user=alerted.leader), actor=alerted.leader)

    later = timezone.now() + dt.timedelta(minutes=6)  # the scan as the beat runs it, past ALERTS_ACK_MINUTES (5)
    alerts_escalate(now=later)
    wait_for(
        lambda: len(texts_to(sms_file, PHONES["on_duty"])) == 2 and texts_to(sms_file, PHONES["police_head"]),
        timeout=120,
        what="the desk's second SMS and the head's SMS",
    )
    desk = AlertTarget.objects.get(alert=alert, user=alerted.on_duty)
    head = AlertTarget.objects.get(alert=alert, user=alerted.police_head)
    assert desk.escalated_at == later
    assert (head.hop, head.escalated_from_id, head.notified_at) == (1, desk.pk, later)
    assert len(texts_to(sms_file, PHONES["officer"])) == 1  # acknowledged: not sent again
    assert len(texts_to(sms_file, PHONES["leader"])) == 1

    # The head acknowledges from their SMS's link: the desk's chain stops there.
    [head_sms] = texts_to(sms_file, PHONES["police_head"])
    assert Client().post(f"/alerts/a/{token_in(head_sms)}/").status_code == 200
    alerts_escalate(now=later + dt.timedelta(minutes=6))
    head.refresh_from_db()
    assert head.acknowledged_via == "link" and head.escalated_at is None
    assert not AlertTarget.objects.filter(escalated_from=head).exists()
    time.sleep(3)  # anything the scan had wrongly queued would reach the file within this
    assert len(texts_to(sms_file, PHONES["on_duty"])) == 2
    assert len(texts_to(sms_file, PHONES["police_head"])) == 1
