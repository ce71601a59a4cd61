#!/usr/bin/env python
"""Benchmark of the reminder scan at city scale and of the send throughput of one worker, on PostgreSQL.

Seeds (once; ``--reset`` to start again) a database of its own, ``crowdsafe_bench_notifications``, with the demo
city (``seed_demo``), 200 reviewers (staff of the city's departments) and **1,000,000 outstanding tasks**
(``INSERT … SELECT … FROM generate_series``), of which **10,000 are due**: 8,000 due within the next days (their
"before" or "on the day" reminder has come) and 2,000 overdue by 1 to 20 days (an overdue reminder, and
escalations for those 2 and 5 working days late); the other 990,000 are due one month to a year ahead. Then
``VACUUM ANALYZE``.

It measures, with the production settings module and DEBUG off (``bench/settings.py``):

1. the scan (``notifications.services.scan``, what the beat runs every minute) — *cold*: the first scan, which
   plans and claims every due reminder and hands the batches to the broker (a Redis queue of the benchmark's
   own, purged afterwards); repeated after emptying the reminders — and *steady*: the scans that follow, with
   nothing new to plan; median and maximum over the runs;
2. EXPLAIN (ANALYZE, BUFFERS) of every statement of a cold scan that reads ``duties_task`` (run in a transaction
   that is rolled back), and fails if any plan has a sequential scan of ``duties_task``;
3. the send throughput of one worker process, in this process, sequentially (concurrency 1): the in-app channel
   (``reminders_send`` in batches of ``NOTIFICATIONS_SEND_BATCH_SIZE``: message, inbox row and delivery row per
   reminder) and the group-robot channel (``deliveries_send`` in batches of 20, each an HTTP POST to a robot API
   stand-in on 127.0.0.1 answering errcode 0, and its attempt recorded).

    .venv/bin/python bench/bench_notifications.py [--reset] [--runs 5] [--explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_bench_notifications")
# The broker: the machine's Redis, a queue of the benchmark's own (purged at the end; nothing consumes it).
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_QUEUE", "crowdsafe-bench-notifications")
os.environ.setdefault("NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")

TASKS = 1_000_000
DUE_SOON = 8_000
OVERDUE = 2_000
REVIEWERS = 200
TARGET_SECONDS = 1.0


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_database() -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = config["NAME"]
    connection = psycopg2.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        if ARGS.reset:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    connection.close()


def seed() -> None:
    from django.core.management import call_command
    from django.db import connection

    from duties.models import Task

    if Task.objects.count() >= TASKS:
        say(f"already seeded: {Task.objects.count():,} tasks (--reset to redo)")
        return
    if Task.objects.exists():
        sys.exit("The benchmark database is partly seeded: run again with --reset.")
    say("demo city (seed_demo)")
    call_command("seed_demo", no_progress=True, verbosity=0)
    seed_reviewers()
    from django.utils import timezone

    from crowdsafe.org.models import Department
    from duties.models import ResponsibilityRule

    rule = ResponsibilityRule.objects.get(key="permits.review_county")
    departments = list(
        Department.objects.filter(jurisdiction__path__startswith="410500/").order_by("pk").values_list("pk", flat=True)
    )
    today = timezone.localdate()
    say(f"{TASKS:,} tasks (INSERT … SELECT FROM generate_series)")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH depts AS (
                SELECT (row_number() OVER (ORDER BY d.id)) - 1 AS k, d.id, j.id AS jid, j.path
                FROM org_department d JOIN org_jurisdiction j ON j.id = d.jurisdiction_id
                WHERE d.id = ANY(%(departments)s)
            ), people AS (
                SELECT (row_number() OVER (ORDER BY u.id)) - 1 AS k, u.id
                FROM accounts_user u WHERE u.username LIKE 'bench_reviewer_%%'
            )
            INSERT INTO duties_task (
                subject_type, subject_id, subject_label, jurisdiction_id, jurisdiction_path, rule_id, period, event,
                duty_name, duty_description, basis, party_kind, responsible_department_id, responsible_person_id,
                anchor_date, due_date, status, explanation, explanation_data, completion_note, cancel_reason,
                created_at, updated_at
            )
            SELECT 'permit_application', g, '活动' || g, depts.jid, depts.path, %(rule)s, 1, 'state_changed',
                   %(duty)s, '', %(basis)s, %(party)s, depts.id, people.id,
                   due, due,
                   CASE WHEN due < %(today)s THEN 'overdue' WHEN g %% 3 = 0 THEN 'in_progress' ELSE 'open' END,
                   'benchmark task', '{}', '', '', now(), now()
            FROM (
                SELECT g, CASE
                    WHEN g <= %(soon)s THEN %(today)s + (g %% 4)
                    WHEN g <= %(soon)s + %(overdue)s THEN %(today)s - (1 + g %% 20)
                    ELSE %(today)s + 30 + (g %% 365)
                END AS due
                FROM generate_series(1, %(n)s) AS g
            ) AS s
            JOIN depts ON depts.k = s.g %% (SELECT count(*) FROM depts)
            JOIN people ON people.k = s.g %% %(reviewers)s
            """,
            {
                "departments": departments,
                "rule": rule.pk,
                "duty": rule.duty_name,
                "basis": rule.basis,
                "party": rule.party_kind,
                "today": today,
                "soon": DUE_SOON,
                "overdue": OVERDUE,
                "n": TASKS,
                "reviewers": REVIEWERS,
            },
        )
        say(f"{cursor.rowcount:,} tasks written")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE duties_task")
    say("VACUUM ANALYZE done")


def seed_reviewers() -> None:
    """200 staff of the city's departments, in-app only (email off), whom the tasks name as responsible person."""
    from django.contrib.auth import get_user_model

    from crowdsafe.org.choices import Role
    from crowdsafe.org.models import Department, Membership
    from notifications.models import NotificationPreference

    user_model = get_user_model()
    departments = list(Department.objects.filter(jurisdiction__path__startswith="410500/").order_by("pk"))
    users = user_model.objects.bulk_create(
        [user_model(username=f"bench_reviewer_{i:03d}", full_name=f"审查员{i:03d}") for i in range(REVIEWERS)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, role=Role.STAFF, department=departments[i % len(departments)]) for i, u in enumerate(users)]
    )
    NotificationPreference.objects.bulk_create([NotificationPreference(user=u, email_enabled=False) for u in users])
    say(f"{REVIEWERS} reviewers")


def reset_reminders() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE notifications_deliveryattempt, notifications_delivery, notifications_notification, "
            "notifications_message, notifications_reminder"
        )
        cursor.execute("VACUUM ANALYZE notifications_reminder")


def timed_scan() -> tuple[float, object]:
    from notifications.services import scan

    start = time.perf_counter()
    report = scan()
    return time.perf_counter() - start, report


def explain_cold_scan() -> list[tuple[str, list[str]]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements of a cold scan that read duties_task, rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    reset_reminders()
    with CaptureQueriesContext(connection) as captured:
        timed_scan()
    statements = [q["sql"] for q in captured.captured_queries if "duties_task" in q["sql"]]
    reset_reminders()
    plans = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plans.append((sql, [row[0] for row in cursor.fetchall()]))
        transaction.set_rollback(True)
    return plans


class Robot:
    """A robot API stand-in on 127.0.0.1 that accepts everything (errcode 0)."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=bench"


def in_app_throughput(n: int) -> tuple[int, float]:
    """Send ``n`` claimed reminders in batches, as one worker does: reminders per second."""
    from django.urls import reverse

    from notifications.conf import batch_size
    from notifications.services import reminders_claim, reminders_plan, reminders_send

    reverse("duties:detail", args=[1])  # warm up: the first reverse() imports every app's URLs (seconds)
    from notifications.models import Reminder

    reset_reminders()
    reminders_plan()
    # The reminders that reach a reviewer (escalations to heads the demo city lacks would be skipped, not sent).
    wanted = list(Reminder.objects.filter(kind__in=["before", "due", "overdue"]).values_list("pk", flat=True)[:n])
    claims = reminders_claim(limit=n, ids=wanted)
    ids = [pk for claim in claims for pk in claim.ids]
    tokens = {pk: claim.token for claim in claims for pk in claim.ids}
    size = batch_size()
    start = time.perf_counter()
    sent = 0
    for i in range(0, len(ids), size):
        chunk = ids[i : i + size]
        sent += reminders_send(reminder_ids=chunk, token=tokens[chunk[0]], enqueue=False).sent
    return sent, time.perf_counter() - start


def webhook_throughput(n: int) -> tuple[dict, float]:
    """Deliver ``n`` robot messages in batches of 20 to a local robot, as one worker does."""
    from django.utils import timezone

    from crowdsafe.org.models import Department
    from notifications.choices import Channel, DeliveryStatus, MessageKind
    from notifications.models import Delivery, DepartmentWebhook, Message
    from notifications.services import deliveries_send
    from notifications.services.dispatch import DELIVERY_BATCH

    robot = Robot()
    department = Department.objects.filter(jurisdiction__code="410502").order_by("pk").first()
    hook, _created = DepartmentWebhook.objects.update_or_create(
        department=department,
        name="基准测试群",
        defaults={"provider": "dingtalk", "url": robot.url, "secret": "SECbench", "is_active": True},
    )
    now = timezone.now()
    messages = Message.objects.bulk_create(
        [
            Message(kind=MessageKind.ALERT, title=f"红色预警 {i}", body="基准测试", urgent=True, department=department)
            for i in range(n)
        ]
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                message=m,
                channel=Channel.DINGTALK,
                webhook=hook,
                recipient_label=hook.name,
                address="127.0.0.1",
                department=department,
                urgent=True,
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
            )
            for m in messages
        ]
    )
    ids = [d.pk for d in deliveries]
    counts: dict = {}
    start = time.perf_counter()
    for i in range(0, len(ids), DELIVERY_BATCH):
        for status, k in deliveries_send(delivery_ids=ids[i : i + DELIVERY_BATCH]).items():
            counts[status] = counts.get(status, 0) + k
    elapsed = time.perf_counter() - start
    robot.server.shutdown()
    return counts, elapsed


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from crowdsafe.celery import app
    from duties.choices import OUTSTANDING_VALUES
    from duties.models import Task
    from notifications.conf import batch_size

    say(f"migrate ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    seed()
    outstanding = Task.objects.filter(status__in=OUTSTANDING_VALUES).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    say(f"{outstanding:,} outstanding tasks")

    cold, steady, reports = [], [], []
    try:
        for run in range(ARGS.runs):
            reset_reminders()
            seconds, report = timed_scan()
            cold.append(seconds)
            reports.append(report)
            say(f"cold scan {run + 1}: {seconds * 1000:.0f} ms — {report}")
            for _ in range(2):
                seconds, report = timed_scan()
                steady.append(seconds)
            say(f"steady scans: {', '.join(f'{s * 1000:.0f} ms' for s in steady[-2:])} — {report}")
        plans = explain_cold_scan()
        sent, in_app_seconds = in_app_throughput(ARGS.send)
        counts, webhook_seconds = webhook_throughput(ARGS.robots)
    finally:
        purged = app.control.purge()
        say(f"purged {purged} messages from the benchmark's queue")

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    first = reports[0]
    print()
    print(f"PostgreSQL: {version}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average {load}")
    print(f"{outstanding:,} outstanding tasks, {DUE_SOON + OVERDUE:,} of them due (their reminders have come).")
    print()
    print("| scan | runs | median ms | max ms | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    failed = False
    for label, values in (("cold: plan + claim + hand over", cold), ("steady: nothing new", steady)):
        ok = max(values) < TARGET_SECONDS
        failed |= not ok
        print(
            f"| {label} | {len(values)} | {statistics.median(values) * 1000:.0f} | {max(values) * 1000:.0f} | "
            f"{'ok' if ok else 'MISSED'} (< {TARGET_SECONDS * 1000:.0f} ms) |"
        )
    print()
    print(
        f"A cold scan planned {first.planned:,} reminders and claimed {first.reminders_claimed:,} in "
        f"{first.reminder_batches} batches; its parts: "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in first.seconds.items())
    )
    print()
    print("| channel (one worker, sequential) | sent | seconds | per second |")
    print("| --- | ---: | ---: | ---: |")
    rate = sent / in_app_seconds
    print(f"| in-app (reminders_send, batches of {batch_size()}) | {sent:,} | {in_app_seconds:.2f} | {rate:,.0f} |")
    delivered = counts.get("delivered", 0)
    print(
        f"| DingTalk robot on 127.0.0.1 (deliveries_send, batches of 20, signed) | {delivered:,} | "
        f"{webhook_seconds:.2f} | {delivered / webhook_seconds:,.0f} |"
    )
    print()
    seq = []
    for sql, plan in plans:
        scans = [line.strip() for line in plan if "duties_task" in line and ("Scan" in line)]
        print(f"-- {sql.strip().splitlines()[0][:110]} …" if "\n" in sql.strip() else f"-- {sql[:110]} …")
        for line in scans:
            print(f"   {line}")
        if ARGS.explain:
            print("\n".join("   " + line for line in plan))
        seq += [line for line in scans if "Seq Scan on duties_task" in line]
    if seq:
        print("SEQUENTIAL SCAN of duties_task:", *seq, sep="\n  ")
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reset", action="store_true", help="drop the benchmark database and seed again")
    parser.add_argument("--runs", type=int, default=5, help="cold scans (each followed by two steady scans)")
    parser.add_argument("--send", type=int, default=5000, help="reminders for the in-app throughput")
    parser.add_argument("--robots", type=int, default=1000, help="robot deliveries for the webhook throughput")
    parser.add_argument("--explain", action="store_true", help="print the whole plans, not only their scans")
    ARGS = parser.parse_args()
    main()
