#!/usr/bin/env python
"""Benchmark of live crowd monitoring (issue 15 point 8), on PostgreSQL.

Seeds (once; ``--reset`` to start again) the demo city 安阳市 and 2,000 monitored zones spread over its grids (a
third moving, a third standing, a third steps/narrow passages, 150–5,000 m², a polygon each) with 5 gateway
sources of 1,000 sensors each (each gateway scoped to 1,000 zones; every zone seen by 2–3 gateways), then measures:

1. **Ingestion with evaluation**: a city of 5,000 sensors reporting every second — each simulated second is 5
   batches of 1,000 readings (one per gateway) — through the bulk API (``POST /api/v1/monitoring/readings/``,
   source token, Django test client: parsing, authentication, checks, the partitioned insert, the minute
   rollups, each zone's level, forecast and episodes) when the API is routed, else through ``readings_ingest``
   directly (said in the output). Sustained rate = readings ÷ wall time over ``--seconds`` simulated seconds. With
   ``--clients N`` the batches are posted by N processes at once (gateway g by process g mod N), as a server's web
   workers take the gateways' requests side by side.
2. **The floor**: the same number of rows ``COPY``'d into the same partitioned table, and the ratio.
3. **Board**: ``/monitoring/`` and its polled fragment for the city's leader (2,000 zones), median server time
   and queries; the per-viewer cost of polling every 5 s.
4. **Chart**: a zone's 24-hour chart from its 1,440 one-minute rollups (seeded for one zone).
5. With ``--latency`` (needs Redis at 127.0.0.1:6379 and starts a real Celery worker, both on a queue of the run's
   own): reading → urgent notification row and → every SMS of the alert sent by the worker (file SMS backend),
   p50/p95 over ``--alerts`` red readings, each starting a new episode on its zone; the people alerted get a mobile
   number for the run. A reading whose alert has no SMS, or an SMS not sent within 10 s, is counted missing.

    .venv/bin/python bench/bench_monitoring.py [--reset] [--seconds 20] [--clients 2] [--runs 30] [--latency]
        [--profile 30]

The ingestion figure comes with the CPU seconds per 1,000 readings of the ingesting process and of its PostgreSQL
backend (read from /proc), less sensitive to the machine's load than the rate; each figure with the load average
at the time. ``--profile N`` only prints cProfile's top N of one batch through the API and through the service.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_bench_monitoring")

ZONES = 2_000
GATEWAYS = 5
SENSORS_PER_GATEWAY = 1_000
SEED = 20261207
TARGET_RATE = 5_000
TARGET_BOARD_MS = 100.0
TARGET_BOARD_QUERIES = 10
TARGET_CHART_MS = 50.0


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def backend_cpu() -> float:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend (same machine: /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
            say(f"created database {name}")
    connection.close()


def square(lat: float, lng: float, area: float) -> dict:
    side = math.sqrt(area)
    dlat, dlng = side / 110_950, side / (111_320 * math.cos(math.radians(lat)))
    ring = [[lng, lat], [lng + dlng, lat], [lng + dlng, lat + dlat], [lng, lat + dlat], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def seed() -> None:
    from django.core.management import call_command
    from django.db import transaction

    from crowdsafe.org.models import Jurisdiction
    from monitoring.models import Source, Zone, ZoneState, hash_token

    if Zone.objects.filter(exercise=False).count() >= ZONES:
        say(f"already seeded: {Zone.objects.count():,} zones (--reset to redo)")
        return
    say("demo city (seed_demo)")
    call_command("seed_demo", no_progress=True, verbosity=0)
    rng = random.Random(SEED)
    grids = list(Jurisdiction.objects.filter(level="grid", path__startswith="410500/").order_by("path"))
    kinds = ["moving", "standing", "steps"]
    with transaction.atomic():
        zones = []
        for i in range(ZONES):
            grid = grids[i % len(grids)]
            area = rng.choice([150, 200, 400, 800, 1500, 3000, 5000])
            lat, lng = 36.0 + rng.random() * 0.2, 114.2 + rng.random() * 0.3
            zones.append(
                Zone(
                    name=f"{grid.name}监测区{i:04d}",
                    jurisdiction=grid,
                    jurisdiction_path=grid.path,
                    kind=kinds[i % 3],
                    area_m2=area,
                    area_source="polygon",
                    polygon=square(lat, lng, area),
                    declared_capacity=int(area * rng.choice([1.5, 2.0, 2.5])),
                )
            )
        Zone.objects.bulk_create(zones, batch_size=1000)
        ZoneState.objects.bulk_create([ZoneState(zone=z) for z in zones], batch_size=1000)
        city = Jurisdiction.objects.get(code="410500")
        for g in range(GATEWAYS):
            token = f"bench-gateway-{g}"
            source = Source.objects.create(
                name=f"视频汇聚网关{g}",
                kind="camera",
                jurisdiction=city,
                jurisdiction_path=city.path,
                interval_s=1,
                token_hash=hash_token(token),
                token_prefix=token[:8],
            )
            # Gateway g covers 1,000 consecutive zones, starting 400 zones after the previous one: 2–3 per zone.
            start = g * (ZONES * 2 // 5)
            source.zones.set([zones[(start + k) % ZONES] for k in range(SENSORS_PER_GATEWAY)])
    say(f"{ZONES:,} zones, {GATEWAYS} gateways of {SENSORS_PER_GATEWAY:,} sensors")


def leader():
    from django.contrib.auth import get_user_model

    from crowdsafe.org.models import Jurisdiction
    from crowdsafe.org.services import membership_add

    person, _ = get_user_model().objects.get_or_create(
        username="bench_city_leader", defaults={"full_name": "bench_city_leader"}
    )
    if not person.memberships.exists():
        membership_add(user=person, role="leader", actor=None, jurisdiction=Jurisdiction.objects.get(code="410500"))
    return person


def gateways():
    from monitoring.models import Source

    sources = list(Source.objects.filter(name__startswith="视频汇聚网关").order_by("name"))
    return [
        (s, f"bench-gateway-{i}", list(s.zones.order_by("pk").values_list("pk", "area_m2")))
        for i, s in enumerate(sources)
    ]


def batch_rows(zones, second: int, base, rng) -> list[dict]:
    """One gateway's batch for one second: a count per zone, a crowd breathing between 0.3 and 2.6 p/m²."""
    at = (base + __import__("datetime").timedelta(seconds=second)).isoformat()
    rows = []
    for pk, area in zones:
        density = 1.4 + 1.1 * math.sin(pk * 0.7 + second / 90.0) + rng.uniform(-0.1, 0.1)
        rows.append({"zone": pk, "observed_at": at, "count": max(0, int(float(area) * density))})
    return rows


def route_board() -> None:
    """The board's pages through the project's URLs, or the tests' URLconf while the core does not include them."""
    from django.conf import settings
    from django.urls import Resolver404, clear_url_caches, resolve

    try:
        resolve("/monitoring/board/tiles/")
    except Resolver404:
        settings.ROOT_URLCONF = "tests.monitoring.board_urls"
        clear_url_caches()


def api_routed() -> bool:
    from django.urls import NoReverseMatch, Resolver404, resolve

    try:
        resolve("/api/v1/monitoring/readings/")
    except (Resolver404, NoReverseMatch):
        return False
    return True


def _post_batches(work: list[tuple[object, str, str, list[dict]]], through_api: bool) -> dict:
    """Post ``work`` (source, token, JSON body, rows) in order through the bulk API (or ``readings_ingest``):
    readings accepted, each batch's wall time, and the CPU seconds of this process and of its PostgreSQL backend."""
    from django.test import Client
    from django.utils import timezone

    from monitoring.services import readings_ingest

    client = Client()
    per_batch: list[float] = []
    total = 0
    db_cpu0, cpu0 = backend_cpu(), time.process_time()
    for source, token, body, rows in work:
        t0 = time.perf_counter()
        if through_api:
            response = client.post(
                "/api/v1/monitoring/readings/",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {token}",
            )
            assert response.status_code in (200, 201), (response.status_code, response.content[:300])
            accepted = response.json().get("accepted")
            total += accepted if isinstance(accepted, int) else len(rows)
        else:
            result = readings_ingest(source=source, rows=rows, now=timezone.now())
            assert not result.rejected, result.rejected[:3]
            total += len(result.accepted)
        per_batch.append(time.perf_counter() - t0)
    return {
        "readings": total,
        "per_batch": per_batch,
        "cpu": time.process_time() - cpu0,
        "db_cpu": backend_cpu() - db_cpu0,
    }


def _client_process(index: int, work, through_api: bool, barrier, results) -> None:
    """One of ``--clients`` processes (forked): its own database connection, started with the others."""
    barrier.wait()
    results.put((index, _post_batches(work, through_api)))


def bench_ingest(seconds: int, clients: int = 1) -> dict:
    """``seconds`` simulated seconds, each one batch per gateway; with ``clients`` > 1, posted by that many
    processes at once (gateway g by process g mod clients, each in time order), as a server's web workers take the
    gateways' requests side by side; the rate is every reading over the wall time until the last one is stored."""
    import datetime as dt
    import multiprocessing

    from django.db import connection, connections
    from django.utils import timezone

    rng = random.Random(SEED + 1)
    feeds = gateways()
    through_api = api_routed()
    # The zone states are rewritten by every batch: compacted first (the seed and earlier runs leave dead versions,
    # and this server may run with autovacuum off), so each run starts from the same table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (FULL, ANALYZE) monitoring_zonestate")
    # Simulated seconds just before now (the checks refuse readings more than 2 minutes in the future).
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(observed_at) FROM monitoring_reading")
        last = cursor.fetchone()[0]
    warmup = ARGS.warmup
    base = max(
        timezone.now() - dt.timedelta(seconds=warmup + seconds + 5), (last or timezone.now()) + dt.timedelta(seconds=1)
    )
    # Untimed first: ``--warmup`` simulated seconds just before the timed ones, so that the levels, trends and
    # episodes left by an earlier run (minutes or days ago) have settled and the timed seconds are the steady state
    # of a city reporting every second (without it the first seconds after a gap open hundreds of episodes).
    if warmup:
        _post_batches(
            [
                (s, token, json.dumps({"readings": rows}), rows)
                for second in range(warmup)
                for s, token, zones in feeds
                for rows in [batch_rows(zones, second, base, rng)]
            ],
            through_api,
        )
    work: list[list[tuple]] = [[] for _ in range(clients)]
    for second in range(warmup, warmup + seconds):
        for g, (s, token, zones) in enumerate(feeds):
            rows = batch_rows(zones, second, base, rng)
            work[g % clients].append((s, token, json.dumps({"readings": rows}), rows))
    from alerts.models import Alert
    from monitoring.models import MonitoringAlert

    episodes0, alerts0 = MonitoringAlert.objects.count(), Alert.objects.count()
    if clients == 1:
        start = time.perf_counter()
        parts = [_post_batches(work[0], through_api)]
        wall = time.perf_counter() - start
    else:
        connections.close_all()  # each forked process opens its own connection
        context = multiprocessing.get_context("fork")
        barrier, results = context.Barrier(clients + 1), context.Queue()
        processes = [
            context.Process(target=_client_process, args=(i, work[i], through_api, barrier, results))
            for i in range(clients)
        ]
        for process in processes:
            process.start()
        barrier.wait()
        start = time.perf_counter()
        parts = [results.get()[1] for _ in processes]
        wall = time.perf_counter() - start
        for process in processes:
            process.join()
            assert process.exitcode == 0, f"a client process failed ({process.exitcode})"
    total = sum(p["readings"] for p in parts)
    cpu, db_cpu = sum(p["cpu"] for p in parts), sum(p["db_cpu"] for p in parts)
    per_batch = sorted(t for p in parts for t in p["per_batch"])
    return {
        # Episodes opened during the run (each through the urgent path: recipients, notifications, deliveries).
        "episodes": MonitoringAlert.objects.count() - episodes0,
        "alerts": Alert.objects.count() - alerts0,
        "load": load(),
        # CPU seconds per 1,000 readings: the posting processes (the app: the test client's request handling,
        # parsing, checks, evaluation) and their PostgreSQL backends (less sensitive to the machine's load than the
        # rate).
        "cpu_per_1000": cpu / total * 1000,
        "db_cpu_per_1000": db_cpu / total * 1000,
        "through_api": through_api,
        "clients": clients,
        "readings": total,
        "wall": wall,
        "rate": total / wall,
        "batch_median_ms": statistics.median(per_batch) * 1000,
        "batch_p95_ms": per_batch[int(len(per_batch) * 0.95) - 1] * 1000,
        "seconds": seconds,
    }


def bench_profile(top: int) -> None:
    """cProfile of one 1,000-reading batch through the API and of one through ``readings_ingest`` (after one warm
    simulated second), each printed by own time and by cumulative time."""
    import cProfile
    import datetime as dt
    import pstats

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from monitoring.services import readings_ingest

    rng = random.Random(SEED + 2)
    feeds = gateways()
    client = Client()
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(observed_at) FROM monitoring_reading")
        last = cursor.fetchone()[0]
    base = max(timezone.now() - dt.timedelta(seconds=10), (last or timezone.now()) + dt.timedelta(seconds=1))

    def post(token, rows):
        response = client.post(
            "/api/v1/monitoring/readings/",
            json.dumps({"readings": rows}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        assert response.status_code == 200, response.content[:300]

    for _s, token, zones in feeds:
        post(token, batch_rows(zones, 0, base, rng))
    source, token, zones = feeds[0]

    def second(n):
        # One simulated second: a batch of each gateway (episodes open and ease as in the sustained run).
        for _s, token, zones in feeds:
            post(token, batch_rows(zones, n, base, rng))

    for label, call in (
        ("through the API", lambda: post(token, batch_rows(zones, 1, base, rng))),
        ("through readings_ingest", lambda: readings_ingest(source=source, rows=batch_rows(zones, 2, base, rng))),
        (f"x{len(feeds)} (one simulated second) through the API", lambda: second(3)),
    ):
        # CPU time of this process (process_time), not wall time: meaningful on a loaded machine; the time spent
        # waiting for PostgreSQL does not count (see the run's backend CPU figure for that side).
        profiler = cProfile.Profile(time.process_time)
        t0, c0 = time.perf_counter(), time.process_time()
        profiler.runcall(call)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        say(f"profile of {len(zones):,}-reading batches {label}: {wall:.3f} s wall, {cpu:.3f} s CPU (load {load()})")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)


def bench_copy(readings: int) -> dict:
    """The floor: ``readings`` rows COPY'd into the same partitioned table (the same columns the ingest
    writes), under sources that do not exist (no conflict with the ingested rows), then deleted."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    feeds = gateways()
    now = timezone.now()
    buffer = io.StringIO()
    n = 0
    second = 0
    while n < readings:
        at = (now - dt.timedelta(seconds=120) + dt.timedelta(milliseconds=second)).isoformat()
        for g, (_s, _t, zones) in enumerate(feeds):
            for pk, area in zones:
                buffer.write(f"{900_000 + g}\t{pk}\t{at}\t{now.isoformat()}\t{int(area)}\t\\N\t\\N\t\\N\t{int(area)}\n")
                n += 1
        second += 1
    data = buffer.getvalue()
    with connection.cursor() as cursor:
        raw = cursor.connection
        start = time.perf_counter()
        with raw.cursor() as c:
            c.copy_expert(
                "COPY monitoring_reading (source_id, zone_id, observed_at, received_at, count, entered, exited, "
                "density, people) FROM STDIN",
                io.StringIO(data),
            )
        raw.commit()
        wall = time.perf_counter() - start
        cursor.execute("DELETE FROM monitoring_reading WHERE source_id >= 900000")
    return {"rows": n, "wall": wall, "rate": n / wall, "load": load()}


def measure(user, url: str, runs: int, warmup: int = 5, expect: int = 200) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == expect, (url, response.status_code)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    times.sort()
    return {
        "load": load(),
        "median": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "min": times[0],
        "queries": len(captured.captured_queries),
        "bytes": len(response.content),
    }


def measure_cold(user, url: str, runs: int) -> dict:
    """``measure`` with the viewer's cached polygons dropped before each request (the first viewer after the cache
    expired). Only that key: never ``cache.clear()``, which empties the whole Redis database of other users."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from monitoring.views_board import shapes_cache_key

    key = shapes_cache_key(user, "")

    client = Client()
    client.force_login(user)
    times = []
    for _ in range(runs):
        cache.delete(key)
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    cache.delete(key)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return {"median": statistics.median(sorted(times)), "queries": len(captured.captured_queries)}


def seed_day(zone) -> None:
    """A one-minute rollup for each minute of one zone's previous local day and of today until now (a crowd building
    up and ebbing): the chart measured is yesterday's, 1,440 minutes whatever the time of the run."""
    import datetime as dt

    from django.utils import timezone

    from monitoring.models import Rollup

    now = timezone.now().replace(second=0, microsecond=0)
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time.min))
    Rollup.objects.filter(zone=zone, minute__gte=start).delete()
    area = float(zone.area_m2)
    rows = []
    for m in range(int((now - start).total_seconds() // 60)):
        minute = start + dt.timedelta(minutes=m)
        people = int(area * (1.5 + 1.3 * math.sin(m / 1440 * 2 * math.pi - 1.5)))
        rows.append(
            Rollup(
                zone=zone,
                minute=minute,
                n=60,
                people_sum=people * 60,
                people_min=people,
                people_max=people,
                last_people=people,
                last_at=minute,
            )
        )
    Rollup.objects.bulk_create(rows)


def bench_chart(zone, runs: int) -> dict:
    """Yesterday's chart of the zone (a whole day: today's holds only the minutes since local midnight)."""
    import datetime as dt

    from django.utils import timezone

    from monitoring.board import zone_day

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for _ in range(3):
        zone_day(zone, day=yesterday)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        day = zone_day(zone, day=yesterday)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "median": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "points": len(day["points"]),
        "load": load(),
    }


def latency_broker() -> None:
    """With ``--latency``: the bench process and its worker on one Redis broker and a queue of this run's own.
    Without it the settings' broker is the file-system one (no REDIS_URL), which the worker never reads: every
    urgent SMS would wait in ``var/celery`` for ever and be counted missing. Called before ``django.setup()``."""
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    # Not the default "celery" queue: another worker on the same Redis (a demo, another checkout's bench) would take
    # the deliveries and look for their rows in its own database.
    os.environ.setdefault("CELERY_QUEUE", f"bench-monitoring-{os.getpid()}")


def bench_latency(count: int) -> dict | None:
    """Reading → urgent notification rows (the ingest's transaction) and → every SMS of the alert sent by a real
    worker through Redis (the file SMS backend records it).

    Each of ``count`` zones starts a new episode: its open episodes are closed and its state emptied first (a red
    reading on a zone whose red episode is still open rightly alerts nobody again: one alert per episode). The
    people alerted get a mobile number for the run (the demo city's have none: their SMS would be *skipped*, which
    is not a delivery). A reading whose alert has no SMS, or an SMS not sent within 10 s, is counted missing."""

    import tempfile

    import redis
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from crowdsafe.celery import app
    from monitoring.choices import AlertState
    from monitoring.models import MonitoringAlert, Zone, ZoneState
    from monitoring.services import readings_ingest
    from notifications.models import Delivery, Notification

    broker = os.environ["CELERY_BROKER_URL"]
    try:
        redis.Redis.from_url(broker).ping()
    except Exception as error:
        say(f"latency skipped: Redis not reachable ({error})")
        return None
    outbox = Path(tempfile.mkdtemp(prefix="bench-sms-")) / "outbox.log"
    env = dict(
        os.environ,
        SMS_BACKEND="notifications.channels.sms.FileSmsBackend",
        SMS_FILE_PATH=str(outbox),
    )
    people = get_user_model().objects.filter(phone="")
    given = list(people.values_list("pk", flat=True))
    for i, pk in enumerate(given):
        get_user_model().objects.filter(pk=pk).update(phone=f"199{i:08d}")
    app.control.purge()  # this run's queue: deliveries enqueued by the ingestion phase are not measured
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crowdsafe",
            "worker",
            "--concurrency",
            "2",
            "--pool",
            "threads",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sent_states = ["delivered", "logged"]
    try:
        time.sleep(6)
        source, _token, zones = gateways()[0]
        picked = list(Zone.objects.filter(pk__in=[pk for pk, _a in zones[:count]]).order_by("pk"))
        to_notification, to_delivery, sms_total = [], [], 0
        for zone in picked:
            MonitoringAlert.objects.filter(zone=zone, state__in=["raised", "acknowledged", "measures", "eased"]).update(
                state=AlertState.CLOSED, closed_at=timezone.now()
            )
            ZoneState.objects.filter(zone=zone).update(
                level="blue", below_since=None, observed_at=None, latest={}, recent=[], count=None
            )
            before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            t0 = time.perf_counter()
            readings_ingest(
                source=source,
                rows=[
                    {"zone": zone.pk, "observed_at": timezone.now().isoformat(), "count": int(float(zone.area_m2) * 6)}
                ],
            )
            made = Notification.objects.filter(pk__gt=before).exists()
            to_notification.append(time.perf_counter() - t0 if made else float("nan"))
            sms = Delivery.objects.filter(message__notifications__pk__gt=before, channel="sms").distinct()
            expected = sms.count()
            sms_total += expected
            deadline = time.perf_counter() + 10
            while expected and time.perf_counter() < deadline:
                if sms.filter(status__in=sent_states).count() == expected:
                    to_delivery.append(time.perf_counter() - t0)
                    break
                time.sleep(0.02)
            else:
                to_delivery.append(float("nan"))
    finally:
        worker.terminate()
        worker.wait(10)
        for pk in given:
            get_user_model().objects.filter(pk=pk).update(phone="")
        app.control.purge()
    lines = outbox.read_text(encoding="utf-8").count("\n") if outbox.exists() else 0

    def pct(values, q):
        ok = sorted(v for v in values if v == v)
        return ok[max(0, math.ceil(len(ok) * q) - 1)] if ok else float("nan")

    return {
        "load": load(),
        "n": len(to_notification),
        "notif_p50": pct(to_notification, 0.5),
        "notif_p95": pct(to_notification, 0.95),
        "no_alert": sum(1 for v in to_notification if v != v),
        "delivery_p50": pct(to_delivery, 0.5),
        "delivery_p95": pct(to_delivery, 0.95),
        "missing": sum(1 for v in to_delivery if v != v),
        "sms": sms_total,
        "outbox": lines,
    }


def table_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
            "WHERE inhparent = 'monitoring_reading'::regclass"
        )
        parts, size = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM monitoring_reading")
        rows = cursor.fetchone()[0]
    return f"{rows:,} raw readings in {parts} day partitions, {size}"


def main() -> None:
    ensure_database()
    if ARGS.latency:
        latency_broker()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from monitoring.models import Zone

    say(f"migrate ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    import monitoring.exercise  # noqa: F401  (the exercise table, until the app's ready() imports it)

    route_board()
    seed()
    user = leader()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]

    if ARGS.profile:
        bench_profile(ARGS.profile)
        return
    ingest = floor = None
    if ARGS.seconds:
        say(f"ingestion: {ARGS.seconds} simulated seconds of {GATEWAYS * SENSORS_PER_GATEWAY:,} sensors")
        ingest = bench_ingest(ARGS.seconds, ARGS.clients)
        say(f"ingestion: {ingest['rate']:,.0f} readings/s")
        floor = bench_copy(ingest["readings"])
        say(f"COPY: {floor['rate']:,.0f} rows/s")
    else:
        floor = bench_copy(GATEWAYS * SENSORS_PER_GATEWAY * 10)
        say(f"COPY: {floor['rate']:,.0f} rows/s (ingestion skipped: --seconds 0)")
    board = measure(user, "/monitoring/", ARGS.runs)
    tiles = measure(user, "/monitoring/board/tiles/", ARGS.runs)
    shapes_cold = measure_cold(user, "/monitoring/board/shapes/", ARGS.runs // 3 or 1)
    shapes = measure(user, "/monitoring/board/shapes/", ARGS.runs)
    zone = Zone.objects.filter(exercise=False).order_by("pk").first()
    seed_day(zone)
    chart = bench_chart(zone, ARGS.runs)
    latency = bench_latency(ARGS.alerts) if ARGS.latency else None

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print()
    print(f"PostgreSQL: {version}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average {load}")
    print(f"{Zone.objects.filter(exercise=False).count():,} zones; {table_size()}")
    print()
    print("| figure | measured | target |")
    print("| --- | ---: | --- |")
    if ingest:
        via = "bulk API (test client)" if ingest["through_api"] else "readings_ingest (API not routed)"
        if ingest["clients"] > 1:
            via += f", {ingest['clients']} client processes side by side"
        verdict = "ok" if ingest["rate"] >= TARGET_RATE else "MISSED"
        print(
            f"| ingestion with evaluation, {via}, {ingest['readings']:,} readings in batches "
            f"of {SENSORS_PER_GATEWAY:,} | {ingest['rate']:,.0f} readings/s "
            f"(batch median {ingest['batch_median_ms']:.0f} ms, p95 {ingest['batch_p95_ms']:.0f} ms; load "
            f"{ingest['load']}) | ≥ {TARGET_RATE:,}/s {verdict} |"
        )
        print(
            f"| CPU per 1,000 readings: the ingesting process / its PostgreSQL backend | "
            f"{ingest['cpu_per_1000']:.3f} s / {ingest['db_cpu_per_1000']:.3f} s | |"
        )
        print(
            f"| episodes opened during the ingestion (level and early warnings), urgent alerts raised | "
            f"{ingest['episodes']:,}, {ingest['alerts']:,} | |"
        )
    print(
        f"| raw COPY of the same number of rows into the same table | {floor['rate']:,.0f} rows/s "
        f"(load {floor['load']}) | the floor |"
    )
    if ingest:
        print(f"| ingestion ÷ COPY | {ingest['rate'] / floor['rate']:.2f} | |")
    for label, r in (
        ("board `/monitoring/` (2,000 zones, city leader)", board),
        ("board fragment `/monitoring/board/tiles/` (polled every 5 s)", tiles),
    ):
        ok = r["median"] <= TARGET_BOARD_MS and r["queries"] <= TARGET_BOARD_QUERIES
        print(
            f"| {label} | median {r['median']:.1f} ms, p90 {r['p90']:.1f} ms, {r['queries']} queries, "
            f"{r['bytes'] / 1024:.0f} KB (load {r['load']}) | ≤ 100 ms, ≤ 10 queries {'ok' if ok else 'MISSED'} |"
        )
    print(
        f"| map polygons `/monitoring/board/shapes/` (fetched once per page, cached 60 s) | uncached median "
        f"{shapes_cold['median']:.1f} ms, {shapes_cold['queries']} queries; cached median {shapes['median']:.1f} ms, "
        f"{shapes['queries']} queries; {shapes['bytes'] / 1024:.0f} KB | |"
    )
    print(
        f"| one viewer polling every 5 s | {tiles['median'] / 5000 * 100:.2f} % of one core "
        f"(≈ {5000 / tiles['median']:.0f} viewers per core) | |"
    )
    print(
        f"| a zone's 24-hour chart from {chart['points']:,} rollups | median {chart['median']:.1f} ms, p90 "
        f"{chart['p90']:.1f} ms (load {chart['load']}) | ≤ 50 ms "
        f"{'ok' if chart['median'] <= TARGET_CHART_MS else 'MISSED'} |"
    )
    if latency:
        ok = latency["delivery_p95"] <= 2.0 and not latency["missing"] and not latency["no_alert"]
        print(
            f"| reading → urgent notification row ({latency['n']} red readings) | p50 {latency['notif_p50']:.3f} s, "
            f"p95 {latency['notif_p95']:.3f} s (load {latency['load']}) | p95 ≤ 2 s "
            f"{'ok' if latency['notif_p95'] <= 2.0 and not latency['no_alert'] else 'MISSED'} |"
        )
        print(
            f"| reading → every SMS of its alert sent by the worker (Redis; {latency['sms']} SMS, "
            f"{latency['outbox']} in the outbox) | p50 {latency['delivery_p50']:.3f} s, p95 "
            f"{latency['delivery_p95']:.3f} s, {latency['missing']} missing, {latency['no_alert']} without an alert "
            f"| p95 ≤ 2 s, none missing {'ok' if ok else 'MISSED'} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--clients", type=int, default=1, help="processes posting the gateways' batches side by side (web workers)"
    )
    parser.add_argument("--warmup", type=int, default=10, help="untimed simulated seconds before the timed ones")
    parser.add_argument("--latency", action="store_true")
    parser.add_argument("--alerts", type=int, default=40)
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="only profile one batch (API, then service): top N"
    )
    ARGS = parser.parse_args()
    main()
