"""Reminders and deliveries with real parts: a real Redis broker, real Celery worker processes, a real beat process
running the scan, PostgreSQL — and failures made for real: a worker killed with SIGKILL in the middle of a batch,
Redis stopped while a web request makes a task (a private redis-server on a free port: the machine's shared Redis is
never touched), a group robot on 127.0.0.1 that fails on demand.

The scan runs every 1–2 s here (``NOTIFICATIONS_SCAN_INTERVAL_SECONDS``) and reminders fall due at 00:00
(``NOTIFICATIONS_REMINDER_TIME``), so a task due today is reminded at once; claim leases are a few seconds, so a
dead worker's claim is taken again quickly. Everything else is the production code path.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from crowdsafe.org.choices import Role
from duties.models import ResponsibilityRule, Task
from notifications.choices import AttemptOutcome, Channel, DeliveryStatus, WebhookProvider
from notifications.models import Delivery, DepartmentWebhook, Message, Notification, Reminder
from notifications.services import notify
from tests.factories import UserFactory, member
from tests.integration.conftest import ROOT, WorkerProcess, wait_for
from tests.notifications.servers import RobotServer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FAST = {
    "NOTIFICATIONS_SCAN_INTERVAL_SECONDS": "2",
    "NOTIFICATIONS_REMINDER_TIME": "00:00",
    "NOTIFICATIONS_CLAIM_LEASE_SECONDS": "60",
    "NOTIFICATIONS_SEND_BATCH_SIZE": "250",
    "NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
    "NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS": "3",
}


class BeatProcess:
    """``celery beat``: enqueues the scan every NOTIFICATIONS_SCAN_INTERVAL_SECONDS (crowdsafe/celery.py)."""

    def __init__(self, log: Path):
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> BeatProcess:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crowdsafe.settings_test",
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crowdsafe",
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.log.parent / 'beat-schedule'}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: "beat: Starting" in self.log.read_text(errors="replace"), timeout=60, what="beat started")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def stack(transactional_db, tmp_path, monkeypatch):
    """Start workers and a beat on demand (with FAST settings and any overrides); stop them all afterwards."""
    from crowdsafe.celery import app

    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    app.control.purge()
    started: list = []

    class Stack:
        def worker(self, name: str, *, concurrency: int = 2, **env) -> WorkerProcess:
            for key, value in env.items():
                monkeypatch.setenv(key, str(value))
            worker = WorkerProcess(name, tmp_path / f"{name}.log").start(concurrency=concurrency)
            started.append(worker)
            return worker

        def workers(self, *names: str, concurrency: int = 2) -> list[WorkerProcess]:
            """Start several workers at once (each takes seconds to boot)."""
            from concurrent.futures import ThreadPoolExecutor

            processes = [WorkerProcess(name, tmp_path / f"{name}.log") for name in names]
            started.extend(processes)
            with ThreadPoolExecutor(len(processes)) as pool:
                list(pool.map(lambda worker: worker.start(concurrency=concurrency), processes))
            return processes

        def beat(self) -> BeatProcess:
            beat = BeatProcess(tmp_path / "beat.log").start()
            started.append(beat)
            return beat

        def logs(self) -> str:
            return "\n".join(p.read_text(errors="replace") for p in sorted(tmp_path.glob("*.log")))

        def stop_all(self) -> None:
            while started:
                started.pop().stop()

    stack = Stack()
    yield stack
    stack.stop_all()


def make_due_tasks(n: int, *, department, people: list, due: dt.date) -> None:
    """``n`` outstanding tasks due ``due``, held by ``department``, each with one of ``people`` as its person."""
    rule = ResponsibilityRule.objects.get(key="permits.review_county")
    jurisdiction = department.jurisdiction
    Task.objects.bulk_create(
        [
            Task(
                subject_type="permit_application",
                subject_id=1_000_000 + i,
                subject_label=f"活动{i:05d}",
                jurisdiction=jurisdiction,
                jurisdiction_path=jurisdiction.path,
                rule=rule,
                event="state_changed",
                duty_name=rule.duty_name,
                basis=rule.basis,
                party_kind=rule.party_kind,
                responsible_department=department,
                responsible_person=people[i % len(people)],
                anchor_date=due,
                due_date=due,
                explanation="integration test task",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )


def reviewers(department, n: int) -> list:
    return [
        member(UserFactory(username=f"reviewer{i:02d}"), role=Role.STAFF, department=department).user for i in range(n)
    ]


def assert_each_sent_once(total: int) -> None:
    assert Reminder.objects.count() == total
    assert Reminder.objects.filter(status="sent").count() == total
    assert Message.objects.filter(reminder__isnull=False).count() == total
    assert Notification.objects.count() == total
    assert Delivery.objects.filter(channel=Channel.IN_APP).count() == total
    # No message was written twice for a reminder, nor a notification twice for a person.
    assert not Message.objects.values("reminder").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Notification.objects.values("message", "recipient").annotate(n=Count("id")).filter(n__gt=1).exists()


# --- (a) ------------------------------------------------------------------------------------------------------


def test_ten_thousand_due_reminders_with_two_workers_and_beat_are_each_sent_once(city, stack):
    make_due_tasks(
        10_000, department=city.wenfeng_police, people=reviewers(city.wenfeng_police, 20), due=timezone.localdate()
    )
    w1, w2 = stack.workers("w1", "w2")
    stack.beat()
    started = time.monotonic()
    wait_for(
        lambda: Reminder.objects.filter(status="sent").count() == 10_000,
        timeout=300,
        interval=1,
        what="10,000 reminders sent",
    )
    elapsed = time.monotonic() - started
    # Let the beat run a couple more scans: nothing is planned or sent again.
    time.sleep(4)
    assert_each_sent_once(10_000)
    assert set(Reminder.objects.values_list("claims", flat=True)) == {1}
    logs = {w.name: w.log.read_text(errors="replace") for w in (w1, w2)}
    for name, log in logs.items():
        assert "notifications.tasks.send_reminders" in log and "succeeded" in log, f"{name} sent nothing"
        assert "IntegrityError" not in log and "Traceback" not in log, log[-3000:]
    print(f"\n10,000 reminders sent in {elapsed:.1f} s by two workers")


# --- (b) ------------------------------------------------------------------------------------------------------


def open_transactions_elsewhere() -> int:
    """Backends of the test database, other than this one, inside a transaction (a worker mid-batch)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_sent_twice(city, stack):
    total = 3_000
    make_due_tasks(
        total, department=city.wenfeng_police, people=reviewers(city.wenfeng_police, 10), due=timezone.localdate()
    )
    victim = stack.worker(
        "victim", concurrency=1, NOTIFICATIONS_SEND_BATCH_SIZE=100, NOTIFICATIONS_CLAIM_LEASE_SECONDS=8
    )
    stack.beat()

    def mid_batch() -> bool:
        sent = Reminder.objects.filter(status="sent").count()
        return 0 < sent < total - 300 and open_transactions_elsewhere() > 0

    wait_for(mid_batch, timeout=120, interval=0.05, what="the worker in the middle of a batch")
    os.killpg(victim.process.pid, signal.SIGKILL)
    victim.process.wait(timeout=10)
    sent_at_kill = Reminder.objects.filter(status="sent").count()
    claimed_at_kill = Reminder.objects.filter(status="claimed").count()
    assert claimed_at_kill > 0, "the kill should leave claimed, unsent reminders behind"
    # The killed batch's transaction was rolled back: its rows are claimed but not sent, and nothing of it remains.
    assert Message.objects.count() == sent_at_kill

    stack.worker("survivor", concurrency=2, NOTIFICATIONS_CLAIM_LEASE_SECONDS=8)
    wait_for(
        lambda: Reminder.objects.filter(status="sent").count() == total,
        timeout=180,
        interval=1,
        what="every reminder sent after the restart",
    )
    time.sleep(3)
    assert_each_sent_once(total)
    # The batch the dead worker was sending was claimed again once its lease expired (the batches still waiting in
    # the queue were sent by the new worker under their first claim, or claimed again if they waited too long).
    reclaimed = Reminder.objects.filter(claims__gte=2).count()
    assert 0 < reclaimed <= claimed_at_kill
    assert "IntegrityError" not in stack.logs()


# --- (c) ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that the test may stop and start again."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=(self.dir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=20, what="the private redis-server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


WEB_REQUEST = """
import json, os, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
response = client.post("/api/v1/venues/", data=json.dumps({"name": "人民广场", "kind": "square",
    "grid": "410502001001G01"}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
print(json.dumps({"status": response.status_code, "body": response.content.decode()[:500]}))
"""


def test_redis_down_during_the_web_request_the_request_succeeds_and_the_reminder_follows(
    city, users, stack, tmp_path, monkeypatch
):
    redis = PrivateRedis(tmp_path)
    redis.start()
    monkeypatch.setenv("REDIS_URL", redis.url)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    try:
        # A rule of the day: every venue registered gets a check by the district's police, due the same day.
        ResponsibilityRule.objects.create(
            name="测试：场所登记当日治安核查",
            subject_type="venue",
            event="created",
            conditions={},
            duty_name="场所登记当日治安核查",
            party_kind="department",
            department_kind="public_security",
            basis="territorial",
            deadline_days=0,
            deadline_unit="calendar",
        )
        stack.worker("w1")
        stack.beat()
        redis.stop()

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crowdsafe.settings_test"}
        db = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        result = subprocess.run(
            [sys.executable, "-c", WEB_REQUEST, users.admin.username],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        answer = json.loads(result.stdout.strip().splitlines()[-1])
        assert answer["status"] == 201, (answer, result.stderr[-3000:])
        task = Task.objects.get(duty_name="场所登记当日治安核查")
        assert task.responsible_department == city.wenfeng_police
        time.sleep(3)
        assert not Reminder.objects.filter(task=task).exists()  # no scan while the broker is down

        redis.start()  # the same port: workers and beat reconnect
        wait_for(
            lambda: Reminder.objects.filter(task=task, status="sent").exists(),
            timeout=120,
            interval=1,
            what="the reminder after Redis came back",
        )
        time.sleep(4)
        reminder = Reminder.objects.get(task=task)
        assert list(reminder.message.notifications.values_list("recipient__username", flat=True)) == ["u_staff"]
        assert Message.objects.filter(reminder__task=task).count() == 1
    finally:
        stack.stop_all()  # while the private Redis still answers, so the workers shut down cleanly
        redis.stop()


# --- (d) ------------------------------------------------------------------------------------------------------


def test_a_failing_robot_is_retried_with_backoff_then_logged_failed_never_delivered(city, users, stack):
    failing = RobotServer(default=(503, {}))
    flaky = RobotServer(secret="SECflaky")
    flaky.answers.extend([(502, {}), (200, {"errcode": 130101, "errmsg": "send too fast"})])
    try:
        down = DepartmentWebhook.objects.create(
            department=city.wenfeng_police,
            name="坏的值班群",
            provider=WebhookProvider.WECOM,
            url=failing.url("/cgi-bin/webhook/send?key=k"),
        )
        recovers = DepartmentWebhook.objects.create(
            department=city.wenfeng_police,
            name="值班群",
            provider=WebhookProvider.DINGTALK,
            url=flaky.url(),
            secret="SECflaky",
        )
        stack.worker("w1", NOTIFICATIONS_SCAN_INTERVAL_SECONDS=1)
        stack.beat()
        notify(recipients=[city.wenfeng_police], title="红色预警：人民广场人员聚集", urgent=True, kind="alert")

        def settled() -> bool:
            return not Delivery.objects.filter(webhook__isnull=False, status__in=["pending", "claimed"]).exists()

        wait_for(settled, timeout=90, interval=0.5, what="both robot deliveries settled")
        failed = Delivery.objects.get(webhook=down)
        assert (failed.status, failed.attempts, failed.delivered_at) == (DeliveryStatus.FAILED, 3, None)
        assert "HTTP 503" in failed.last_error
        attempts = list(failed.attempt_log.order_by("number"))
        assert [a.outcome for a in attempts] == [AttemptOutcome.TRANSIENT] * 3
        # Exponential backoff: about 1 s, then about 2 s between attempts (plus up to one scan interval).
        gaps = [(b.started_at - a.finished_at).total_seconds() for a, b in itertools.pairwise(attempts)]
        assert gaps[0] >= 1 and gaps[1] >= 2, gaps
        assert len(failing.received) == 3

        delivered = Delivery.objects.get(webhook=recovers)
        assert (delivered.status, delivered.attempts) == (DeliveryStatus.DELIVERED, 3)
        assert list(delivered.attempt_log.order_by("number").values_list("outcome", flat=True)) == [
            "transient",
            "transient",
            "delivered",
        ]
        assert len(flaky.received) == 3
        assert all(r.query.get("sign") for r in flaky.received)
    finally:
        failing.close()
        flaky.close()
