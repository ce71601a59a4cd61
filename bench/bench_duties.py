#!/usr/bin/env python
"""Benchmark of the responsibility engine's two busiest pages at city scale, on PostgreSQL.

Seeds (once; ``--reset`` to start again) the demo city 安阳市 with its departments, 10,000 venues and 200,000
tasks spread over them, then measures the median server time of

- the department queue (/tasks/) of a county bureau's staff member and of its head (bulk actions shown),
- a township officer's queue (属地: every task in the township),
- the responsibility overview (/tasks/overview/) of a county-level leader (林州市) and of the city's leader,

each with the Django test client (the whole request: middleware, session, scope, queries, template), 30 runs
after 5 warm-up runs, and prints the EXPLAIN ANALYZE plan of every query on the task table. See README.md.

    .venv/bin/python bench/bench_duties.py [--reset] [--runs 30] [--explain]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# The benchmark's own database, never the development or test one.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_bench")

VENUES = 10_000
TASKS_PER_VENUE = 20  # 200,000 tasks
OPERATORS = 1_000
TARGET_MS = 150.0
SEED = 20261127

# How often each kind of venue occurs (a city has far more shops and schools than stadiums).
KIND_WEIGHTS = {
    "square": 6,
    "commercial": 18,
    "scenic_area": 4,
    "internet_famous": 3,
    "park": 6,
    "stadium": 2,
    "theatre": 3,
    "exhibition": 2,
    "entertainment": 14,
    "school": 16,
    "hospital": 6,
    "station": 3,
    "elderly_care": 8,
    "religious_site": 3,
    "other": 6,
}


def ensure_database() -> None:
    """Create the benchmark's own database (``--reset``: drop it first)."""
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


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def seed() -> None:
    from django.core.management import call_command

    from duties.models import Task
    from venues.models import Venue

    if Venue.objects.count() >= VENUES and Task.objects.count() >= VENUES * TASKS_PER_VENUE:
        say(f"already seeded: {Venue.objects.count():,} venues, {Task.objects.count():,} tasks (--reset to redo)")
        return
    if Venue.objects.exists() or Task.objects.exists():
        sys.exit("The benchmark database is partly seeded: run again with --reset.")
    say("demo city (seed_demo)")
    call_command("seed_demo", no_progress=True, verbosity=0)
    seed_operators()
    seed_venues()
    seed_tasks()


def seed_operators() -> None:
    from crowdsafe.org.choices import OrganisationKind
    from crowdsafe.org.models import Jurisdiction, Organisation

    counties = list(Jurisdiction.objects.filter(level="district", path__startswith="410500/"))
    rng = random.Random(SEED)
    Organisation.objects.bulk_create(
        Organisation(
            name=f"安阳场所运营单位{i:04d}有限公司",
            kind=OrganisationKind.VENUE_OPERATOR,
            credit_code=f"91410500MA{i:08d}",
            jurisdiction=rng.choice(counties),
            safety_officer_name="张安全",
            safety_officer_phone="13800000000",
        )
        for i in range(1, OPERATORS + 1)
    )
    say(f"{OPERATORS:,} venue operators")


def seed_venues() -> None:
    from crowdsafe.org.models import Jurisdiction, Organisation
    from venues.models import Venue

    rng = random.Random(SEED + 1)
    grids = list(Jurisdiction.objects.filter(level="grid", path__startswith="410500/").order_by("path"))
    operators = list(Organisation.objects.filter(credit_code__startswith="91410500MA"))
    kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
    venues = []
    for i in range(VENUES):
        grid = grids[i % len(grids)]
        venues.append(
            Venue(
                name=f"{grid.name}场所{i:05d}",
                kind=rng.choices(kinds, weights)[0],
                grid=grid,
                jurisdiction_path=grid.path,
                operator=rng.choice(operators) if rng.random() < 0.9 else None,
            )
        )
    Venue.objects.bulk_create(venues, batch_size=2000)
    say(f"{VENUES:,} venues in {len(grids)} grids")


def seed_tasks() -> None:
    """200,000 tasks, 20 per venue, made by the seeded venue rules and put on the parties the engine itself
    resolves (``duties.parties``), then written with COPY. A non-periodic duty has one task per venue; the
    periodic ones share the other slots as successive occurrences: every occurrence but the last is done (the
    one before the last within the past months), the last is outstanding (a few are cancelled), with due
    dates from 60 days ago to 120 days ahead, so about a third of the outstanding tasks are overdue."""
    from django.db import connection
    from django.utils import timezone

    from crowdsafe.org.models import Jurisdiction
    from duties.conditions import conditions_hold
    from duties.explain import explain
    from duties.models import ResponsibilityRule
    from duties.parties import SubjectPlace, resolve_party
    from venues.models import Venue

    rng = random.Random(SEED + 2)
    now = timezone.now()
    today = timezone.localdate()
    rules = list(ResponsibilityRule.objects.filter(subject_type="venue", is_active=True).order_by("pk"))
    places: dict[int, SubjectPlace] = {}
    grids = {j.pk: j for j in Jurisdiction.objects.filter(level="grid")}
    columns = [
        "subject_type",
        "subject_id",
        "subject_label",
        "jurisdiction_id",
        "jurisdiction_path",
        "rule_id",
        "period",
        "event",
        "duty_name",
        "duty_description",
        "basis",
        "party_kind",
        "responsible_department_id",
        "responsible_organisation_id",
        "responsible_jurisdiction_id",
        "anchor_date",
        "due_date",
        "status",
        "explanation",
        "explanation_data",
        "completion_note",
        "cancel_reason",
        "created_at",
        "started_at",
        "completed_at",
        "cancelled_at",
        "updated_at",
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    written = 0
    for venue in Venue.objects.select_related("operator").order_by("pk").iterator(chunk_size=2000):
        grid = grids[venue.grid_id]
        place = places.get(grid.pk) or places.setdefault(grid.pk, SubjectPlace(grid))
        attributes = {"kind": venue.kind, "has_special_equipment": venue.pk % 7 == 0}
        matching = [r for r in rules if conditions_hold(r.conditions, attributes)]
        once = [r for r in matching if not r.recurrence_months]
        periodic = [r for r in matching if r.recurrence_months]
        slots = [(r, 1) for r in once]
        counts = {r.pk: 0 for r in periodic}
        for k in range(TASKS_PER_VENUE - len(slots)):
            rule = periodic[k % len(periodic)]
            counts[rule.pk] += 1
            slots.append((rule, counts[rule.pk]))
        for rule, period in slots:
            last = rule.recurrence_months is None or period == counts[rule.pk]
            interval = (rule.recurrence_months or 6) * 30
            party = resolve_party(rule, place=place, organisation=venue.operator)
            if last:
                due = today + dt.timedelta(days=rng.randint(-60, 120))
                status = "cancelled" if rng.random() < 0.03 else rng.choice(["open", "open", "in_progress"])
                completed_at = None
            else:
                back = counts[rule.pk] - period
                due = today - dt.timedelta(days=interval * back - rng.randint(0, 30))
                status = "done"
                completed_at = now - dt.timedelta(days=rng.randint(0, 60) if back == 1 else interval * back)
            anchor = due - dt.timedelta(days=rule.deadline_days)
            data = {
                "rule": rule.name,
                "basis": rule.basis,
                "holder": party.label,
                "missing": party.missing,
                "subject": venue.name,
                "recurrence_months": rule.recurrence_months or 0,
                "due": due.isoformat(),
                "anchor": anchor.isoformat(),
                "anchor_kind": "event",
                "days": rule.deadline_days,
                "unit": rule.deadline_unit,
            }
            writer.writerow(
                [
                    "venue",
                    venue.pk,
                    venue.name,
                    grid.pk,
                    grid.path,
                    rule.pk,
                    period,
                    "created",
                    rule.duty_name,
                    rule.duty_description,
                    rule.basis,
                    rule.party_kind,
                    party.department.pk if party.department else "",
                    party.organisation.pk if party.organisation else "",
                    party.jurisdiction.pk if party.jurisdiction else "",
                    anchor.isoformat(),
                    due.isoformat(),
                    status,
                    explain(data),
                    json.dumps(data, ensure_ascii=False),
                    "已完成" if status == "done" else "",
                    "场所停业" if status == "cancelled" else "",
                    (completed_at or now).isoformat() if status == "done" else now.isoformat(),
                    now.isoformat() if status == "in_progress" else "",
                    completed_at.isoformat() if completed_at else "",
                    now.isoformat() if status == "cancelled" else "",
                    now.isoformat(),
                ]
            )
            written += 1
    buffer.seek(0)
    with connection.cursor() as cursor:
        # COPY … FROM STDIN: one stream for the lot. An empty CSV field is NULL, except in the text columns that
        # are empty strings rather than NULL (FORCE_NOT_NULL).
        cursor.copy_expert(
            f"COPY duties_task ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, "
            "FORCE_NOT_NULL (duty_description, completion_note, cancel_reason))",
            buffer,
        )
    say(f"{written:,} tasks (COPY)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE duties_task")
        cursor.execute("VACUUM ANALYZE venues_venue")
    say("VACUUM ANALYZE done")


def bench_users() -> dict:
    """One user per measured page, made through the org services (idempotent)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from crowdsafe.org.models import Department, Jurisdiction
    from crowdsafe.org.services import membership_add

    user_model = get_user_model()

    def user(username: str, role: str, **anchor):
        person, _ = user_model.objects.get_or_create(username=username, defaults={"full_name": username})
        membership_add(user=person, role=role, actor=None, **anchor)
        return person

    culture = Department.objects.get(name="林州市文化广电和旅游局")
    township = Jurisdiction.objects.get(name="石板岩镇")
    busiest = (
        Department.objects.filter(tasks__status__in=["open", "in_progress", "overdue"])
        .annotate(n=Count("tasks"))
        .order_by("-n")
        .first()
    )
    say(f"busiest department: {busiest.name}, {busiest.n:,} outstanding tasks")
    return {
        "busiest_staff": user("bench_busiest_staff", "staff", department=busiest),
        "culture_staff": user("bench_culture_staff", "staff", department=culture),
        "culture_head": user("bench_culture_head", "head", department=culture),
        "township_officer": user("bench_township_officer", "township_officer", jurisdiction=township),
        "county_leader": user("bench_county_leader", "leader", jurisdiction=Jurisdiction.objects.get(code="410581")),
        "city_leader": user("bench_city_leader", "leader", jurisdiction=Jurisdiction.objects.get(code="410500")),
    }


def measure(user, url: str, runs: int, warmup: int = 5) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    times.sort()
    return {
        "median": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "min": times[0],
        "queries": captured.captured_queries,
        "rows": response.content.decode().count('data-task="') or response.content.decode().count('data-row="'),
    }


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from duties.models import Task

    say(f"migrate ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    seed()
    users = bench_users()
    outstanding = Task.objects.filter(status__in=["open", "in_progress", "overdue"]).count()
    say(f"{Task.objects.count():,} tasks, {outstanding:,} outstanding")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    pages = [
        ("department queue (county bureau staff)", "culture_staff", "/tasks/"),
        ("department queue (its head, bulk actions)", "culture_head", "/tasks/"),
        ("department queue, overdue filter", "culture_staff", "/tasks/?due=overdue"),
        ("busiest department's queue", "busiest_staff", "/tasks/"),
        ("township officer's queue (territory)", "township_officer", "/tasks/"),
        ("responsibility overview (林州市 leader)", "county_leader", "/tasks/overview/"),
        ("responsibility overview (安阳市 leader)", "city_leader", "/tasks/overview/"),
        ("API task list (county bureau staff)", "culture_staff", "/api/v1/tasks/"),
    ]
    results = []
    for label, who, url in pages:
        result = measure(users[who], url, runs=ARGS.runs)
        results.append((label, url, result))
        say(f"{label}: median {result['median']:.1f} ms")
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"PostgreSQL: {version}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average {load}")
    print(f"Median server time over {ARGS.runs} runs after 5 warm-up runs (Django test client, whole request):")
    print()
    print(f"| page | URL | median ms | p90 ms | min ms | queries | target {TARGET_MS:.0f} ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    failed = False
    for label, url, r in results:
        ok = r["median"] < TARGET_MS
        failed |= not ok
        print(
            f"| {label} | `{url}` | {r['median']:.1f} | {r['p90']:.1f} | {r['min']:.1f} | {len(r['queries'])} | "
            f"{'ok' if ok else 'MISSED'} |"
        )
    print()
    seq_scans = []
    for label, _url, r in results:
        for query in r["queries"]:
            sql = query["sql"]
            if "duties_task" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = explain(sql)
            if any("Seq Scan on duties_task" in line for line in plan):
                seq_scans.append(label)
            if ARGS.explain:
                print(f"-- {label}\n-- {sql[:300]}{'…' if len(sql) > 300 else ''}")
                print("\n".join(plan))
                print()
    print("Sequential scans of duties_task:", ", ".join(seq_scans) if seq_scans else "none (every plan uses indexes)")
    if failed or seq_scans:
        sys.exit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="drop and re-create the benchmark database")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per page (default 30)")
    parser.add_argument("--explain", action="store_true", help="print the EXPLAIN ANALYZE plan of each task query")
    ARGS = parser.parse_args()
    main()
