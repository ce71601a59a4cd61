"""The monitoring benchmark's latency figure (bench/bench_monitoring.py --latency) counts what it claims: each red
reading's alert, every one of its SMS sent by a real worker through Redis.

It once reported 17 of 40 SMS "lost". None was: the bench process queued its deliveries on the settings' broker
(the file-system one without REDIS_URL) while its worker read Redis, so no SMS could ever be sent; the readings
that seemed to arrive were SMS *skipped* for want of a mobile number (the demo city's people have none), counted
as sent; and the readings counted lost were red readings on zones whose red episode was still open — one alert per
episode, rightly nobody alerted again. This runs the bench's own measurement on the test database with those three
traps laid: a zone already in an open red episode, a person alerted with no mobile number."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from monitoring.models import MonitoringAlert, Source
from monitoring.services import readings_ingest, source_create, zone_create
from notifications.models import Delivery
from tests.alerts.conftest import alerted

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

__all__ = ["alerted"]


@pytest.fixture
def bench(monkeypatch):
    """The bench module, pointed at the test database, broker and queue (its worker inherits the environment)."""
    db = connection.settings_dict
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "crowdsafe.settings_test")
    monkeypatch.setenv("DATABASE_URL", f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    monkeypatch.setenv("CELERY_BROKER_URL", settings.CELERY_BROKER_URL)
    monkeypatch.setenv("CELERY_QUEUE", settings.CELERY_TASK_DEFAULT_QUEUE)
    module = importlib.import_module("bench.bench_monitoring")
    module.latency_broker()  # keeps what is set: the test's broker and queue
    return module


def test_the_latency_bench_sees_every_sms_of_every_alert_sent_by_its_worker(city, users, alerted, bench):
    # The leader has no mobile number: the bench gives one for the run, and takes it back.
    for person, phone in ((alerted.officer, "13900000021"), (alerted.on_duty, "13900000022"), (alerted.leader, "")):
        person.phone = phone
        person.save(update_fields=["phone"])
    zones = [
        zone_create(
            actor=users.township_officer,
            jurisdiction=city.grid,
            name=f"东大街监测区{i}",
            kind="standing",
            area_m2=Decimal("200"),
        )
        for i in range(3)
    ]
    gateway, _token = source_create(
        actor=users.township_officer,
        name="视频汇聚网关0",
        kind="camera",
        jurisdiction=city.grid,
        zones=zones,
        interval_s=1,
    )
    # The first zone is red already, its episode open (as after the bench's ingestion phase or a previous run).
    readings_ingest(
        source=gateway, rows=[{"zone": zones[0].pk, "observed_at": timezone.now().isoformat(), "count": 1000}]
    )
    assert MonitoringAlert.objects.get(zone=zones[0]).level == "red"
    before = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    result = bench.bench_latency(len(zones))

    assert result is not None
    assert result["n"] == 3 and result["no_alert"] == 0, result
    assert result["missing"] == 0, result
    assert result["sms"] >= 3 * 3 and result["outbox"] == result["sms"], result
    assert result["delivery_p95"] < 30, result
    # Every red reading started an episode of its own and its SMS were sent (not skipped) by the worker.
    for zone in zones:
        episode = MonitoringAlert.objects.filter(zone=zone, kind="level").order_by("-pk").first()
        assert episode is not None and episode.level == "red"
    sms = Delivery.objects.filter(channel="sms", pk__gt=before)
    assert sms.count() == result["sms"]
    assert not sms.filter(status__in=["pending", "claimed", "failed"]).exists()
    alerted.leader.refresh_from_db()
    assert alerted.leader.phone == ""
    assert Source.objects.filter(name__startswith="视频汇聚网关").count() == 1
    json.dumps(result)  # plain figures
