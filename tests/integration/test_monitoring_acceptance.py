"""Issue 15's acceptance with real parts: PostgreSQL, a real Celery worker on the real Redis broker, SMS to the
file backend. A camera's reading arrives through the readings API with the source's own token: a 200 m² section
of a street with no venue counted at 5 persons/m² is red, and the township officer has an urgent in-app
notification and an SMS within seconds, as do the police on-duty desk and the district's leader."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.models import Alert, AlertTarget
from monitoring.models import MonitoringAlert
from monitoring.services import zone_create
from notifications.models import Notification
from tests.alerts.conftest import alerted
from tests.integration.conftest import WorkerProcess, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

__all__ = ["alerted"]

PHONES = {"officer": "13900000011", "on_duty": "13900000012", "leader": "13900000013"}
WITHIN_SECONDS = 30  # a loaded two-core machine; the benchmark measures the p95 (bench/bench_monitoring.py)


@pytest.fixture
def sms_file(tmp_path: Path) -> Path:
    return tmp_path / "sms" / "outbox.log"


@pytest.fixture
def worker(transactional_db, tmp_path, monkeypatch, sms_file):
    from crowdsafe.celery import app

    monkeypatch.setenv("SMS_BACKEND", "notifications.channels.sms.FileSmsBackend")
    monkeypatch.setenv("SMS_FILE_PATH", str(sms_file))
    monkeypatch.setenv("SITE_URL", "https://crowdsafe.example")
    app.control.purge()
    process = WorkerProcess("monitoring", tmp_path / "worker.log").start()
    yield process
    process.stop()


def texts_to(sms_file: Path, phone: str) -> list[str]:
    if not sms_file.exists():
        return []
    lines = [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [t["text"] for t in lines if t["phone"] == phone]


def test_a_reading_through_the_api_reaches_the_township_officer_urgently_through_the_worker(
    city, users, alerted, worker, sms_file
):
    for name, phone in PHONES.items():
        user = getattr(alerted, name)
        user.phone = phone
        user.save(update_fields=["phone"])
    zone = zone_create(
        actor=alerted.officer, jurisdiction=city.grid, name="东大街（鼓楼段）", kind="standing", area_m2="200"
    )
    officer = APIClient()
    officer.force_authenticate(alerted.officer)
    created = officer.post(
        "/api/v1/monitoring/sources/",
        {"name": "鼓楼东口摄像头", "kind": "camera", "zones": [zone.pk], "interval_s": 30},
        format="json",
    )
    assert created.status_code == 201, created.content
    token = created.data["token"]

    started = time.monotonic()
    sent = APIClient().post(
        "/api/v1/monitoring/readings/",
        {"readings": [{"zone": zone.pk, "observed_at": timezone.now().isoformat(), "count": 1000}]},
        format="json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert sent.status_code == 200 and sent.data["accepted"] == 1, sent.content
    wait_for(
        lambda: all(texts_to(sms_file, PHONES[name]) for name in PHONES),
        timeout=120,
        what="the SMS of the township officer, the on-duty desk and the leader",
    )
    elapsed = time.monotonic() - started
    assert elapsed < WITHIN_SECONDS, f"the alert's SMS took {elapsed:.1f} s"

    episode = MonitoringAlert.objects.get(zone=zone, kind="level")
    assert episode.level == "red" and episode.observed_at is not None
    alert = Alert.objects.get(subject_id=episode.pk, level="red")
    target = AlertTarget.objects.get(alert=alert, user=alerted.officer)
    notification = Notification.objects.get(recipient=alerted.officer, message=target.message)
    assert notification.message.urgent
