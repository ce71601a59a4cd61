#!/usr/bin/env python
"""Benchmark of the gathering list (清单) at city scale, on PostgreSQL.

Seeds (once; ``--reset`` to start again) the demo city 安阳市 with its departments, 1,000 venues and 100,000
spontaneous gatherings spread over its 144 grids and two years (18 months back, 6 ahead), with the duties the
engine would have given them (the township's verification or territorial control, public security's public
order and on-duty tasks), then measures the median server time of

- the list page (/gatherings/) filtered to one township and one month, for that township's officer (the
  acceptance figure: under 150 ms), for the district's leader, for the city's leader and for the district's
  public-security staff (who see what is assigned to them);
- the same list through the API (/api/v1/gatherings/);
- the district leader's attention list (orange and red gatherings not closed) and the township's unfiltered list,

each with the Django test client (the whole request: middleware, session, scope, queries, template), 30 runs
after 5 warm-up runs, and prints the EXPLAIN ANALYZE plan of the list's queries with ``--explain``.

    .venv/bin/python bench/bench_events.py [--reset] [--runs 30] [--explain]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# The benchmark's own database, never the development, test or other benchmarks' one.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_bench_events")

GATHERINGS = 100_000
VENUES = 1_000
TARGET_MS = 150.0
SEED = 20261121
DAYS_BACK, DAYS_AHEAD = 548, 183

KIND_WEIGHTS = {
    "festival_religious": 12,
    "celebration": 35,
    "mall_promotion": 20,
    "online_to_offline": 10,
    "holiday_sightseeing": 13,
    "other": 10,
}
SOURCE_WEIGHTS = {"grid_patrol": 60, "hotline": 15, "online_monitoring": 10, "department": 10, "venue_operator": 5}
LEVEL_WEIGHTS = {"blue": 55, "yellow": 25, "orange": 13, "red": 7}
PLACES = ["路口", "广场东侧", "商场正门", "公园南门", "步行街北口", "桥头", "寺庙前", "夜市", "网红墙", "校门口"]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


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


def seed() -> None:
    from django.core.management import call_command

    from events.models import Gathering

    if Gathering.objects.count() >= GATHERINGS:
        say(f"already seeded: {Gathering.objects.count():,} gatherings (--reset to redo)")
        return
    if Gathering.objects.exists():
        sys.exit("The benchmark database is partly seeded: run again with --reset.")
    say("demo city (seed_demo)")
    call_command("seed_demo", no_progress=True, verbosity=0)
    seed_venues()
    seed_gatherings()
    seed_tasks()


def seed_venues() -> None:
    from crowdsafe.org.models import Jurisdiction
    from venues.models import Venue

    rng = random.Random(SEED)
    grids = list(Jurisdiction.objects.filter(level="grid", path__startswith="410500/").order_by("path"))
    kinds = ["square", "commercial", "park", "scenic_area", "religious_site", "station", "internet_famous"]
    Venue.objects.bulk_create(
        [
            Venue(
                name=f"{grids[i % len(grids)].name}场所{i:04d}",
                kind=rng.choice(kinds),
                grid=grids[i % len(grids)],
                jurisdiction_path=grids[i % len(grids)].path,
                latitude=round(36.0 + rng.random() * 0.2, 6),
                longitude=round(114.2 + rng.random() * 0.3, 6),
                computed_capacity=rng.choice([800, 1500, 2500, 5000, 12000]),
            )
            for i in range(VENUES)
        ],
        batch_size=1000,
    )
    say(f"{VENUES:,} venues")


def seed_gatherings() -> None:
    from django.utils import timezone

    from crowdsafe.org.models import Jurisdiction
    from events.models import Gathering
    from venues.models import Venue

    rng = random.Random(SEED + 1)
    now = timezone.now()
    grids = list(Jurisdiction.objects.filter(level="grid", path__startswith="410500/").order_by("path"))
    venues_by_grid: dict[int, list] = {}
    for venue in Venue.objects.only("pk", "grid_id", "name"):
        venues_by_grid.setdefault(venue.grid_id, []).append(venue)
    kinds, kind_w = zip(*KIND_WEIGHTS.items(), strict=True)
    sources, source_w = zip(*SOURCE_WEIGHTS.items(), strict=True)
    levels, level_w = zip(*LEVEL_WEIGHTS.items(), strict=True)
    batch = []
    for i in range(GATHERINGS):
        grid = grids[rng.randrange(len(grids))]
        venue = rng.choice(venues_by_grid[grid.pk]) if grid.pk in venues_by_grid and rng.random() < 0.35 else None
        starts = now + dt.timedelta(minutes=rng.randint(-DAYS_BACK * 1440, DAYS_AHEAD * 1440))
        starts = starts.replace(second=0, microsecond=0)
        high = rng.choice([50, 100, 200, 300, 500, 800, 1200, 2000, 3000, 6000])
        level = rng.choices(levels, level_w)[0]
        past = starts < now - dt.timedelta(hours=6)
        status = (
            rng.choices(["ended", "cancelled", "dismissed"], [90, 5, 5])[0]
            if past
            else rng.choices(["reported", "verified", "monitoring", "expected"], [40, 35, 10, 15])[0]
        )
        batch.append(
            Gathering(
                title=f"{(venue.name if venue else grid.name)}{rng.choice(PLACES)}聚集{i:06d}",
                kind=rng.choices(kinds, kind_w)[0],
                status=status,
                venue=venue,
                grid=grid,
                jurisdiction_path=grid.path,
                location_name="" if venue else rng.choice(PLACES),
                latitude=None if venue else round(36.0 + rng.random() * 0.2, 6),
                longitude=None if venue else round(114.2 + rng.random() * 0.3, 6),
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=rng.choice([1, 2, 3, 4, 6])),
                estimated_attendance_min=high // 2,
                estimated_attendance_max=high,
                source=rng.choices(sources, source_w)[0],
                online_hype=rng.random() < 0.1,
                idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                risk_level=level,
                risk_facts=[{"code": "band", "attendance": high, "level": level, "threshold": 300}],
                risk_reasons=[f"预计最多{high}人。"],
                risk_source="triage",
                risk_set_at=starts - dt.timedelta(days=1),
                merged_into=None,
                ended_at=starts + dt.timedelta(hours=3) if status == "ended" else None,
            )
        )
        if len(batch) == 5000:
            Gathering.objects.bulk_create(batch)
            batch = []
    if batch:
        Gathering.objects.bulk_create(batch)
    say(f"{GATHERINGS:,} gatherings")


def seed_tasks() -> None:
    """The duties the engine gives, written in bulk: a township verification for each reported gathering, public
    order for each verified one (the district's public security), on-duty and territorial control for the orange
    and red ones not closed."""
    from django.db import connection
    from django.utils import timezone

    from crowdsafe.org.models import Jurisdiction
    from duties.models import ResponsibilityRule, Task
    from duties.parties import SubjectPlace, resolve_party
    from events.models import Gathering

    rules = {r.key: r for r in ResponsibilityRule.objects.filter(key__startswith="events.")}
    today = timezone.localdate()
    now = timezone.now()
    places: dict[int, SubjectPlace] = {}
    grids = {j.pk: j for j in Jurisdiction.objects.filter(level="grid")}
    tasks = []
    written = 0
    qs = Gathering.objects.exclude(status__in=["dismissed", "cancelled"]).only(
        "pk", "title", "grid_id", "status", "risk_level", "starts_at"
    )
    for gathering in qs.iterator(chunk_size=5000):
        grid = grids[gathering.grid_id]
        place = places.get(grid.pk) or places.setdefault(grid.pk, SubjectPlace(grid))
        keys = []
        if gathering.status == "reported":
            keys.append("events.territorial_verify")
        if gathering.status in ("verified", "monitoring", "ended"):
            keys.append("events.public_order")
        if gathering.risk_level in ("orange", "red") and gathering.status in ("reported", "verified", "monitoring"):
            keys += ["events.on_duty_police", "events.territorial_control"]
        for key in keys:
            rule = rules[key]
            party = resolve_party(rule, place=place, organisation=None)
            due = timezone.localtime(gathering.starts_at).date()
            done = gathering.status == "ended"
            tasks.append(
                Task(
                    subject_type="gathering",
                    subject_id=gathering.pk,
                    subject_label=gathering.title,
                    jurisdiction=grid,
                    jurisdiction_path=grid.path,
                    rule=rule,
                    event="created",
                    duty_name=rule.duty_name,
                    basis=rule.basis,
                    party_kind=rule.party_kind,
                    responsible_department=party.department,
                    responsible_organisation=party.organisation,
                    responsible_jurisdiction=party.jurisdiction,
                    anchor_date=due,
                    due_date=due,
                    status="done" if done else "open",
                    completed_at=now if done else None,
                    explanation=f"{party.label}：{rule.name}",
                    explanation_data={},
                )
            )
        if len(tasks) >= 5000:
            Task.objects.bulk_create(tasks)
            written += len(tasks)
            tasks = []
    if tasks:
        Task.objects.bulk_create(tasks)
        written += len(tasks)
    say(f"{written:,} gathering tasks (today {today})")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE events_gathering")
        cursor.execute("VACUUM ANALYZE duties_task")
        cursor.execute("VACUUM ANALYZE venues_venue")
    say("VACUUM ANALYZE done")


def bench_users() -> dict:
    """One user per measured page, through the org services (idempotent)."""
    from django.contrib.auth import get_user_model

    from crowdsafe.org.models import Department, Jurisdiction
    from crowdsafe.org.services import membership_add

    user_model = get_user_model()

    def user(username: str, role: str, **anchor):
        person, _ = user_model.objects.get_or_create(username=username, defaults={"full_name": username})
        if not person.memberships.exists():
            membership_add(user=person, role=role, actor=None, **anchor)
        return person

    return {
        "township_officer": user(
            "bench_township_officer", "township_officer", jurisdiction=Jurisdiction.objects.get(code="410502001")
        ),
        "district_leader": user(
            "bench_district_leader", "leader", jurisdiction=Jurisdiction.objects.get(code="410502")
        ),
        "city_leader": user("bench_city_leader", "leader", jurisdiction=Jurisdiction.objects.get(code="410500")),
        "police_staff": user(
            "bench_police_staff", "staff", department=Department.objects.get(name="安阳市公安局文峰分局")
        ),
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
    body = response.content.decode()
    if url.startswith("/api/"):
        import json

        payload = json.loads(body)
        rows, total = len(payload["results"]), payload["count"]
    else:
        rows, total = body.count('data-gathering="'), None
    return {
        "median": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "min": times[0],
        "queries": captured.captured_queries,
        "rows": rows,
        "total": total,
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
    from django.utils import timezone

    from events.models import Gathering

    say(f"migrate ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    seed()
    users = bench_users()
    # The last full month, in the township 东大街街道 (410502001).
    first_this_month = timezone.localdate().replace(day=1)
    last_month_end = first_this_month - dt.timedelta(days=1)
    month = f"date_from={last_month_end.replace(day=1).isoformat()}&date_to={last_month_end.isoformat()}"
    township = "jurisdiction=410502001"
    in_month = Gathering.objects.filter(
        jurisdiction_path__startswith="410500/410502/410502001/",
        starts_at__date__gte=last_month_end.replace(day=1),
        starts_at__date__lte=last_month_end,
    ).count()
    say(f"{Gathering.objects.count():,} gatherings; {in_month} in 东大街街道 in {last_month_end:%Y-%m}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    pages = [
        (
            "list, one township and one month (its township officer)",
            "township_officer",
            f"/gatherings/?{township}&{month}",
        ),
        ("list, one township and one month (district leader)", "district_leader", f"/gatherings/?{township}&{month}"),
        ("list, one township and one month (city leader)", "city_leader", f"/gatherings/?{township}&{month}"),
        (
            "list, one township and one month (district police staff)",
            "police_staff",
            f"/gatherings/?{township}&{month}",
        ),
        (
            "API list, one township and one month (township officer)",
            "township_officer",
            f"/api/v1/gatherings/?{township}&{month}",
        ),
        ("list, unfiltered first page (township officer)", "township_officer", "/gatherings/"),
        ("list, unfiltered first page (district police staff)", "police_staff", "/gatherings/"),
        ("attention list (district leader)", "district_leader", "/gatherings/attention/"),
    ]
    results = []
    for label, who, url in pages:
        result = measure(users[who], url, runs=ARGS.runs)
        results.append((label, url, result))
        say(f"{label}: median {result['median']:.1f} ms")
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"PostgreSQL: {version}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average {load}")
    print(f"{Gathering.objects.count():,} gatherings; {in_month} in 东大街街道 in {last_month_end:%Y-%m}")
    print(f"Median server time over {ARGS.runs} runs after 5 warm-up runs (Django test client, whole request):")
    print()
    print(f"| page | URL | median ms | p90 ms | min ms | queries | rows shown | target {TARGET_MS:.0f} ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    failed = False
    for label, url, r in results:
        ok = r["median"] < TARGET_MS
        failed |= not ok
        print(
            f"| {label} | `{url}` | {r['median']:.1f} | {r['p90']:.1f} | {r['min']:.1f} | {len(r['queries'])} | "
            f"{r['rows']} | {'ok' if ok else 'MISSED'} |"
        )
    print()
    seq_scans = []
    for label, _url, r in results:
        for query in r["queries"]:
            sql = query["sql"]
            if "events_gathering" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = explain(sql)
            if any("Seq Scan on events_gathering" in line for line in plan):
                seq_scans.append(label)
            if ARGS.explain:
                print(f"-- {label}\n-- {sql[:400]}{'…' if len(sql) > 400 else ''}")
                print("\n".join(plan))
                print()
    print(
        "Sequential scans of events_gathering:", ", ".join(sorted(set(seq_scans))) or "none (every plan uses indexes)"
    )
    if results[0][2]["median"] >= TARGET_MS:
        sys.exit(1)
    if failed:
        print("Some pages beyond the acceptance one missed the target.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="drop and re-create the benchmark database")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per page (default 30)")
    parser.add_argument("--explain", action="store_true", help="print the EXPLAIN ANALYZE plan of each gathering query")
    ARGS = parser.parse_args()
    main()
