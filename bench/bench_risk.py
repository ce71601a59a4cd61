#!/usr/bin/env python
"""Benchmark of assessment campaigns on PostgreSQL: launching a campaign makes one task per venue through the
responsibility engine, so its cost grows with the venues; the progress page reads every target and task.

Seeds (once; ``--reset`` to start again) the demo city with 300 exhibition halls and 3,000 other venues in
文峰区, then measures

- launching a campaign over the 300 exhibition halls (targets and tasks made in the request), and launching it
  again (nothing to add);
- launching the baseline refresh over all 3,300 venues: the request makes the targets and leaves the tasks to
  the Celery task, whose body (``campaign_assign_targets``) is then timed;
- the campaign page (progress per township and department, first page of venues) of the district leader, median
  of 10 requests with the Django test client after 2 warm-up requests.

    .venv/bin/python bench/bench_risk.py [--reset]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "RISK_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_bench_risk"
)

# The Celery task a large launch enqueues is run here by hand (its body is what is timed): no broker needed.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

HALLS = 300
OTHERS = 3_000


def ensure_database(reset: bool) -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        if reset:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def seed() -> None:
    from django.core.management import call_command

    from crowdsafe.org.models import Jurisdiction
    from venues.models import Venue

    call_command("migrate", verbosity=0)
    if Venue.objects.count() >= HALLS + OTHERS:
        say(f"already seeded: {Venue.objects.count():,} venues (--reset to redo)")
        return
    call_command("seed_demo", no_progress=True, verbosity=0)
    grids = list(Jurisdiction.objects.filter(level="grid", path__startswith="410500/410502/").order_by("path"))
    kinds = ["commercial", "square", "scenic_area", "entertainment", "stadium", "park", "school"]
    venues = [
        Venue(
            name=f"会展中心{i:04d}",
            kind="exhibition",
            grid=grids[i % len(grids)],
            jurisdiction_path=grids[i % len(grids)].path,
        )
        for i in range(HALLS)
    ]
    venues += [
        Venue(
            name=f"场所{i:05d}",
            kind=kinds[i % len(kinds)],
            grid=grids[i % len(grids)],
            jurisdiction_path=grids[i % len(grids)].path,
        )
        for i in range(OTHERS)
    ]
    Venue.objects.bulk_create(venues, batch_size=2000)
    say(f"{len(venues):,} venues in {len(grids)} grids of 文峰区")


def timed(label: str, call):
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    say(f"{label}: {elapsed:.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    ensure_database(args.reset)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from crowdsafe.org.models import Jurisdiction
    from duties.models import Task
    from risk import services
    from risk.models import CampaignTarget

    seed()
    if CampaignTarget.objects.exists():
        sys.exit("Campaigns from an earlier run are there (their tasks keep them): run again with --reset.")
    leader = get_user_model().objects.get(username="demo_leader")
    wenfeng = Jurisdiction.objects.get(code="410502")
    deadline = timezone.localdate() + dt.timedelta(days=20)

    halls, t_launch = timed(
        f"launch over {HALLS} exhibition halls (targets and tasks in the request)",
        lambda: services.campaign_launch(
            actor=leader,
            name="bench 会展场馆",
            territory=wenfeng,
            purpose="holiday",
            deadline=deadline,
            venue_kinds=["exhibition"],
        ),
    )
    tasks = Task.objects.filter(subject_type="campaign_target", subject_id__in=halls.targets.values("pk")).count()
    say(f"  {halls.target_count} targets, {tasks} tasks")
    with CaptureQueriesContext(connection) as queries:
        _added, t_relaunch = timed("launch it again", lambda: services.campaign_relaunch(campaign=halls, actor=leader))
    say(f"  {len(queries)} queries, {_added} added")

    baseline, t_baseline = timed(
        f"launch the baseline refresh over {HALLS + OTHERS:,} venues (targets only; tasks left to Celery)",
        lambda: services.campaign_launch(
            actor=leader, name="bench 更新风险底数", territory=wenfeng, purpose="baseline", deadline=deadline
        ),
    )
    made, t_assign = timed(
        "the Celery task's body: campaign_assign_targets",
        lambda: services.campaign_assign_targets(campaign_id=baseline.pk, actor=leader),
    )
    say(f"  {made:,} tasks made: {1000 * t_assign / max(made, 1):.1f} ms per venue")

    client = Client()
    client.force_login(leader)
    url = f"/risk/campaigns/{baseline.pk}/"
    for _ in range(2):
        assert client.get(url).status_code == 200
    runs = []
    for _ in range(10):
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        runs.append(1000 * (time.perf_counter() - start))
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    say(f"campaign page of {HALLS + OTHERS:,} venues: median {statistics.median(runs):.0f} ms, {len(queries)} queries")
    print()
    print("| step | figure |")
    print("| --- | --- |")
    print(f"| launch over {HALLS} venues, tasks in the request | {t_launch:.2f} s |")
    print(f"| launch again (no duplicates) | {t_relaunch:.2f} s |")
    print(f"| launch over {HALLS + OTHERS:,} venues, targets only | {t_baseline:.2f} s |")
    print(f"| Celery body: {made:,} tasks | {t_assign:.1f} s ({1000 * t_assign / max(made, 1):.1f} ms per venue) |")
    page = f"median {statistics.median(runs):.0f} ms, {len(queries)} queries"
    print(f"| campaign page, {HALLS + OTHERS:,} venues | {page} |")


if __name__ == "__main__":
    main()
