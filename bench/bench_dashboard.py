#!/usr/bin/env python
"""Benchmark of the leaders' dashboard (issue 17 point 8): the responsibility matrix and risk now for the whole
city at 1,000,000 tasks and 1,000,000 gatherings, each measured side by side with a hand-written SQL floor for the
same figures, in one run.

Seeds (once; ``--reset`` to start again) the demo city 安阳市 (``seed_demo``), then ``--size`` tasks and ``--size``
gatherings with one INSERT … SELECT … FROM generate_series each (no ORM: about a minute per million rows), then
``VACUUM ANALYZE``. Measures, for a city leader (安阳市, the leader's scope — not a superuser's shortcut):

- matrix, server: ``responsibility_matrix`` (the page's and the API's selector, scoped), median of ``--runs``;
- matrix, API: GET /api/v1/dashboard/matrix/ through the Django test client (the whole request);
- matrix, floor: one hand-written GROUPING SETS statement over duties_task for the same figures, unscoped;
- risk now, server / API / floor likewise (the floor: the gatherings by child and level, venues, hazards,
  incidents, alerts and the drill compliance totals — plans drilled in time, overdue drills, open after-action items
  — as plain SQL, in eight statements and in two (the small counts CROSS JOINed in one, as risk now reads them), the
  server held to the faster — plus, in both, the large events of the next 30 days and the key dates' rows, three
  statements, as risk now reads them). Before timing, every figure of risk now is checked equal to the floor's.

Target: each server median ≤ 300 ms and ≤ 2× its floor. ``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of the
matrix's grouped statement, of the gatherings' count (the floor's and risk now's own, which reads the events app's
partial index on the gatherings not over, migration 0005) and of drill compliance's overdue drill tasks (the drills
app's partial index on open tasks by rule, migration 0005). See README.md.

    .venv/bin/python bench/bench_dashboard.py [--size 1000000] [--reset] [--runs 15] [--explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_bench_dashboard")

TARGET_MS = 300.0
TARGET_FACTOR = 2.0


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_database(reset: bool) -> None:
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
        if reset:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            say(f"created database {name}")
    connection.close()


# The grids of the city, numbered, with their township (the holder of territorial tasks) and their county's
# departments, numbered per grid: the seed statements pick by (g mod n).
GRIDS_SQL = """
CREATE TEMP TABLE bench_grid AS
SELECT row_number() OVER (ORDER BY g.path) - 1 AS rn, g.id, g.path, t.id AS township_id
FROM org_jurisdiction g
JOIN org_jurisdiction t ON t.level = 'township' AND g.path LIKE t.path || '%%'
WHERE g.level = 'grid' AND g.path LIKE '410500/%%';
CREATE TEMP TABLE bench_department AS
SELECT row_number() OVER (ORDER BY d.id) - 1 AS rn, d.id
FROM org_department d JOIN org_jurisdiction j ON j.id = d.jurisdiction_id
WHERE j.path LIKE '410500/%%' AND d.is_active;
CREATE TEMP TABLE bench_rule AS
SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id, basis FROM duties_responsibilityrule WHERE subject_type = 'venue';
"""

# Tasks, about three years of them: 93 % done (completed from 7 days before to 3 days after the due date, due dates
# spread over the last 1,030 days), 2 % cancelled, 5 % outstanding (open, in progress, marked overdue; due from 60
# days ago to 60 days ahead, so about half of them overdue); one in ten territorial (held by the grid's township),
# the others held by a department of the city; made by the seeded venue rules in turn. About 50,000 outstanding
# and 25,000 done in the last four weeks.
TASKS_SQL = """
INSERT INTO duties_task (
    subject_type, subject_id, subject_label, jurisdiction_path, period, event, duty_name, duty_description, basis,
    party_kind, anchor_date, due_date, status, explanation, explanation_data, completion_note, cancel_reason,
    created_at, completed_at, cancelled_at, updated_at, jurisdiction_id, responsible_department_id,
    responsible_jurisdiction_id, rule_id)
SELECT 'venue', 10000000 + s.g, '场所' || s.g, gr.path, 0, 'created', '基准测试职责', '', ru.basis,
       CASE WHEN s.territorial THEN 'territorial' ELSE 'department' END,
       s.due, s.due, s.status, '', '{}'::jsonb, '', '',
       now(),
       CASE WHEN s.status = 'done' THEN (s.due + ((s.g %% 11) - 7)::int) + time '12:00' END,
       CASE WHEN s.status = 'cancelled' THEN now() END,
       now(), gr.id,
       CASE WHEN NOT s.territorial THEN d.id END,
       CASE WHEN s.territorial THEN gr.township_id END,
       ru.id
FROM (
    SELECT g, k, (g / 3) %% 10 = 3 AS territorial,
           CASE WHEN k >= 95 THEN current_date - 60 + ((g * 7919) %% 120)::int
                ELSE current_date - 1000 + ((g * 7919) %% 1030)::int END AS due,
           CASE WHEN k < 93 THEN 'done' WHEN k < 95 THEN 'cancelled' WHEN k < 97 THEN 'open'
                WHEN k = 97 THEN 'in_progress' ELSE 'overdue' END AS status
    FROM (SELECT g, (g * 37) %% 100 AS k FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g) x
) s
JOIN bench_grid gr ON gr.rn = s.g %% (SELECT count(*) FROM bench_grid)
JOIN bench_department d ON d.rn = (s.g / 7) %% (SELECT count(*) FROM bench_department)
JOIN bench_rule ru ON ru.rn = (s.g / 11) %% (SELECT count(*) FROM bench_rule);
"""

# Gatherings: 95 % ended, 1 % cancelled, 4 % not over (reported, verified, monitoring, expected); levels 60 % blue,
# 25 % yellow, 10 % orange, 5 % red; started over the last three years.
GATHERINGS_SQL = """
INSERT INTO events_gathering (
    title, kind, status, jurisdiction_path, location_name, starts_at, recurrence, organizer_name, organizer_phone,
    estimated_attendance_min, estimated_attendance_max, source, source_reference, online_hype, description,
    risk_level, risk_reasons, risk_facts, risk_source, created_at, updated_at, grid_id)
SELECT '聚集' || s.g, 'other', s.status, gr.path, '地点' || s.g, now() - ((s.g %% 1095) || ' days')::interval,
       'none', '', '', 100, 500, 'grid_worker', '', false, '',
       CASE WHEN s.g %% 20 = 0 THEN 'red' WHEN s.g %% 20 < 3 THEN 'orange' WHEN s.g %% 20 < 8 THEN 'yellow'
            ELSE 'blue' END,
       '[]'::jsonb, '{}'::jsonb, 'triage', now(), now(), gr.id
FROM (
    SELECT g, CASE WHEN g %% 100 < 95 THEN 'ended' WHEN g %% 100 = 95 THEN 'cancelled'
                   WHEN g %% 100 = 96 THEN 'reported' WHEN g %% 100 = 97 THEN 'verified'
                   WHEN g %% 100 = 98 THEN 'monitoring' ELSE 'expected' END AS status
    FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g
) s
JOIN bench_grid gr ON gr.rn = (s.g * 31) %% (SELECT count(*) FROM bench_grid);
"""

BATCH = 250_000

# The index this script once proposed for risk now's gatherings count (``--proposed-indexes``) is now the events
# app's migration 0005 (events_gathering_open_path); a database seeded before still has the bench's copy: dropped.
OLD_PROPOSED_INDEX = "bench_gathering_open_path"


def seed(size: int, reseed_tasks: bool = False) -> None:
    from django.core.management import call_command
    from django.db import connection

    from duties.models import ResponsibilityRule, Task
    from events.models import Gathering

    if reseed_tasks:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM duties_task WHERE subject_id >= 10000000")
        say("bench tasks deleted")
    if Task.objects.filter(subject_id__gte=10_000_000).count() >= size and Gathering.objects.count() >= size:
        say(f"already seeded: {Task.objects.count():,} tasks, {Gathering.objects.count():,} gatherings")
        return
    tasks_seeded = Task.objects.filter(subject_id__gte=10_000_000).count() >= size
    gatherings_seeded = Gathering.objects.count() >= size
    if not tasks_seeded and Task.objects.filter(subject_id__gte=10_000_000).exists():
        sys.exit("The benchmark database is seeded at another size: run again with --reset.")
    from crowdsafe.org.models import Jurisdiction

    if not Jurisdiction.objects.filter(code="410500").exists():
        say("demo city (seed_demo)")
        call_command("seed_demo", no_progress=True, verbosity=0)
    rule = ResponsibilityRule.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(GRIDS_SQL)
        cursor.execute("SELECT (SELECT count(*) FROM bench_grid), (SELECT count(*) FROM bench_department)")
        grids, departments = cursor.fetchone()
        if not grids or not departments:
            sys.exit("No grids or departments under 410500: is the demo city seeded?")
        say(f"{grids} grids, {departments} departments")
        for name, sql, done in (("tasks", TASKS_SQL, tasks_seeded), ("gatherings", GATHERINGS_SQL, gatherings_seeded)):
            if done:
                continue
            started = time.perf_counter()
            for start in range(1, size + 1, BATCH):
                stop = min(size, start + BATCH - 1)
                cursor.execute(sql, {"start": start, "stop": stop, "rule": rule.pk, "basis": rule.basis})
            say(f"{size:,} {name} in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE duties_task")
        cursor.execute("VACUUM ANALYZE events_gathering")
    say("vacuum analyze done")


def city_leader():
    from django.contrib.auth import get_user_model

    from crowdsafe.org.choices import Role
    from crowdsafe.org.models import Jurisdiction, Membership

    city = Jurisdiction.objects.get(code="410500")
    membership = (
        Membership.objects.filter(role=Role.LEADER, jurisdiction=city, user__is_active=True)
        .select_related("user")
        .first()
    )
    if membership is not None:
        return membership.user, city
    user, _created = get_user_model().objects.get_or_create(username="bench-city-leader")
    Membership.objects.get_or_create(user=user, role=Role.LEADER, jurisdiction=city)
    return user, city


def timed(fn, runs: int, warmup: int = 2) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu_ms(pid: int) -> float | None:
    """The CPU time (user + system) the PostgreSQL backend ``pid`` has used so far — it runs on this machine — from
    /proc (None where it cannot be read). Counted in clock ticks (10 ms): summed over many calls, the rounding
    evens out."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


def side_by_side(fns: dict, runs: int, backend_pid: int | None, warmup: int = 2) -> dict:
    """Each of ``fns`` called ``runs`` times, round after round — one call of each per round, the order turned by
    one each round — so that the machine's load, which swings from second to second on a shared machine, weighs
    on them alike. Per function: the median, min and max wall time, each round's wall time, the median CPU time
    of this process per call (``process_time``: Django's work, not the load) and the mean CPU time of the database
    backend per call (/proc; both insensitive to the load, unlike wall time)."""
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    walls: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}
    db: dict[str, float] = dict.fromkeys(names, 0.0)
    for round_ in range(runs):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            db_before = backend_cpu_ms(backend_pid) if backend_pid else None
            cpu, started = time.process_time(), time.perf_counter()
            fns[name]()
            walls[name].append((time.perf_counter() - started) * 1000)
            cpus[name].append((time.process_time() - cpu) * 1000)
            db_after = backend_cpu_ms(backend_pid) if backend_pid else None
            if db_before is not None and db_after is not None:
                db[name] += db_after - db_before
    return {
        n: {
            "median": statistics.median(walls[n]),
            "min": min(walls[n]),
            "max": max(walls[n]),
            "rounds": walls[n],
            "cpu": statistics.median(cpus[n]),
            "db_cpu": db[n] / runs if backend_pid else None,
        }
        for n in names
    }


# The floor of the matrix: the same figures (cells, row, column and overall totals: open, due soon, overdue, done,
# on time, median days overdue, oldest overdue) in one statement written by hand, with no scoping.
MATRIX_FLOOR_SQL = """
SELECT r, c, GROUPING(r, c),
       COUNT(*) FILTER (WHERE o), COUNT(*) FILTER (WHERE o AND due BETWEEN %(today)s AND %(until)s),
       COUNT(*) FILTER (WHERE o AND due < %(today)s), COUNT(*) FILTER (WHERE NOT o),
       COUNT(*) FILTER (WHERE NOT o AND done_on <= due),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (%(today)s::date - due)) FILTER (WHERE o AND due < %(today)s),
       (array_agg(id ORDER BY due, id) FILTER (WHERE o AND due < %(today)s))[1]
FROM (
    SELECT t.id, t.due_date AS due, (t.completed_at AT TIME ZONE %(tz)s)::date AS done_on,
           t.status IN ('open', 'in_progress', 'overdue') AS o,
           CASE {rows} ELSE 0 END AS r,
           CASE WHEN t.responsible_department_id IS NOT NULL THEN d.kind
                WHEN t.responsible_jurisdiction_id IS NOT NULL THEN '~territorial'
                WHEN t.responsible_organisation_id IS NOT NULL THEN '~organisation' ELSE '~unassigned' END AS c
    FROM duties_task t LEFT JOIN org_department d ON d.id = t.responsible_department_id
    WHERE t.jurisdiction_path LIKE %(path)s
      AND (t.status IN ('open', 'in_progress', 'overdue')
           OR (t.status = 'done' AND (t.completed_at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s))
) x
GROUP BY GROUPING SETS ((r, c), (r), (c), ())
"""

# The same figures the way the selector now reads them, by hand: the outstanding tasks and the ones done in the
# period each through its own partial index (UNION ALL; an OR of the two reads the whole table), counted by (row,
# column, due date of the overdue ones) in one hash aggregate, no ordered aggregate — the medians and the oldest
# task are read off that histogram. The faster of the two floors is the one the server is held to.
MATRIX_FLOOR_HASH_SQL = """
SELECT r, c, CASE WHEN o AND due < %(today)s THEN due END,
       COUNT(*) FILTER (WHERE o), COUNT(*) FILTER (WHERE o AND due BETWEEN %(today)s AND %(until)s),
       COUNT(*) FILTER (WHERE o AND due < %(today)s), COUNT(*) FILTER (WHERE NOT o),
       COUNT(*) FILTER (WHERE NOT o AND done_on <= due), MIN(id) FILTER (WHERE o AND due < %(today)s)
FROM (
    SELECT t.id, t.due_date AS due, NULL::date AS done_on, true AS o, CASE {rows} ELSE 0 END AS r,
           CASE WHEN t.responsible_department_id IS NOT NULL THEN d.kind
                WHEN t.responsible_jurisdiction_id IS NOT NULL THEN '~territorial'
                WHEN t.responsible_organisation_id IS NOT NULL THEN '~organisation' ELSE '~unassigned' END AS c
    FROM duties_task t LEFT JOIN org_department d ON d.id = t.responsible_department_id
    WHERE t.jurisdiction_path LIKE %(path)s AND t.status IN ('open', 'in_progress', 'overdue')
    UNION ALL
    SELECT t.id, t.due_date, (t.completed_at AT TIME ZONE %(tz)s)::date, false, CASE {rows} ELSE 0 END,
           CASE WHEN t.responsible_department_id IS NOT NULL THEN d.kind
                WHEN t.responsible_jurisdiction_id IS NOT NULL THEN '~territorial'
                WHEN t.responsible_organisation_id IS NOT NULL THEN '~organisation' ELSE '~unassigned' END
    FROM duties_task t LEFT JOIN org_department d ON d.id = t.responsible_department_id
    WHERE t.jurisdiction_path LIKE %(path)s AND t.status = 'done'
      AND t.completed_at >= %(start_at)s AND t.completed_at < %(end_at)s
) x
GROUP BY 1, 2, 3
"""

# Drill compliance's totals (risk now shows them): plans in force and drilled within their interval, overdue
# drills (the outstanding tasks of the drill rules past due), open after-action items and the overdue ones.
DRILL_PLANS_FLOOR_SQL = """SELECT count(*), count(*) FILTER (WHERE last_drilled_on IS NOT NULL
           AND (drill_interval_months IS NULL
                OR last_drilled_on + make_interval(months => drill_interval_months) >= %(today)s))
       FROM drills_emergencyplan WHERE is_active AND jurisdiction_path LIKE %(path)s"""
DRILL_TASKS_FLOOR_SQL = """SELECT count(*) FROM duties_task
       WHERE rule_id IN (SELECT id FROM duties_responsibilityrule WHERE key IN %(drill_keys)s)
       AND status IN ('open', 'in_progress', 'overdue') AND due_date < %(today)s AND jurisdiction_path LIKE %(path)s"""
DRILL_ITEMS_FLOOR_SQL = """SELECT count(*), count(*) FILTER (WHERE due_date < %(today)s)
       FROM drills_afteractionitem WHERE status = 'open' AND jurisdiction_path LIKE %(path)s"""

RISK_FLOOR_SQL = [
    """SELECT CASE {rows} ELSE 0 END AS r, risk_level, count(*) FROM events_gathering
       WHERE jurisdiction_path LIKE %(path)s AND status NOT IN ('ended', 'cancelled', 'merged', 'dismissed')
       GROUP BY 1, 2""",
    """SELECT count(*) FILTER (WHERE level = 'red'), count(*) FILTER (WHERE level = 'orange')
       FROM risk_subjectrisklevel WHERE jurisdiction_path LIKE %(path)s AND subject_type = 'venue'""",
    """SELECT count(*) FILTER (WHERE level = 'major'), count(*) FILTER (WHERE rectification_deadline < %(today)s)
       FROM risk_hazard WHERE jurisdiction_path LIKE %(path)s AND state IN %(hazard_states)s""",
    """SELECT count(*) FROM response_incident i JOIN org_jurisdiction j ON j.id = i.jurisdiction_id
       WHERE i.status = 'open' AND j.path LIKE %(path)s""",
    """SELECT count(*), count(*) FILTER (WHERE level = 'red'), count(*) FILTER (WHERE level = 'orange')
       FROM monitoring_monitoringalert WHERE jurisdiction_path LIKE %(path)s AND state IN %(alert_states)s
       AND NOT exercise""",
    DRILL_PLANS_FLOOR_SQL,
    DRILL_TASKS_FLOOR_SQL,
    DRILL_ITEMS_FLOOR_SQL,
]


# Risk now's two lists, as plain SQL: the large events of the next 30 days (live applications, their venue and open
# conditions, soonest first, the first MAX_ROWS) and what the key dates ahead are computed from (the active key dates
# with their places, and their dated occurrences from today on; the lunar and fixed dates are computed in Python
# on both sides). Part of both floors: the same figures as risk now shows.
RISK_LISTS_FLOOR_SQL = [
    """SELECT a.id, a.state, a.first_session_start, v.name,
              (SELECT count(*) FROM permits_permitcondition c WHERE c.application_id = a.id AND c.status <> 'verified')
       FROM permits_permitapplication a LEFT JOIN venues_venue v ON v.id = a.venue_id
       WHERE a.jurisdiction_path LIKE %(path)s AND a.state IN %(live_states)s
         AND a.first_session_start >= %(events_from)s AND a.first_session_start < %(events_to)s
       ORDER BY a.first_session_start, a.id LIMIT %(max_rows)s""",
    """SELECT k.id, k.name, j.path FROM events_keydate k LEFT JOIN org_jurisdiction j ON j.id = k.jurisdiction_id
       WHERE k.is_active""",
    """SELECT o.key_date_id, o.starts_on, o.ends_on FROM events_keydateoccurrence o
       JOIN events_keydate k ON k.id = o.key_date_id WHERE k.is_active AND o.starts_on >= %(today)s""",
]

# The same figures with the small counts (venues, hazards, incidents, alerts, the drill totals) in one statement,
# each a one-row aggregate, CROSS JOINed: two statements instead of eight (risk now reads its counts the same way).
# The faster of the two floors is the one the server is held to.
RISK_FLOOR_TWO_SQL = [
    RISK_FLOOR_SQL[0],
    "SELECT * FROM " + " CROSS JOIN ".join(f"({sql}) AS p{i}" for i, sql in enumerate(RISK_FLOOR_SQL[1:])),
]


def _arrays(sql: str, columns: int) -> str:
    """A statement of several rows as one row of arrays, one per column (as ``crowdsafe.common.aggregates.rows_of``
    reads the server's lists), to be CROSS JOINed with the counts."""
    names = [f"c{i}" for i in range(columns)]
    return f"SELECT {', '.join(f'array_agg({c})' for c in names)} FROM ({sql}) AS t ({', '.join(names)})"


# Everything in one statement, as risk now reads it now: the gatherings by child and level, the large events and
# the key dates' rows as arrays, CROSS JOINed with the small counts. The third floor; the server is held to the
# fastest.
RISK_FLOOR_ONE_SQL = "SELECT * FROM " + " CROSS JOIN ".join(
    f"({sql}) AS p{i}"
    for i, sql in enumerate(
        [
            _arrays(RISK_FLOOR_SQL[0], 3),
            *RISK_FLOOR_SQL[1:],
            _arrays(RISK_LISTS_FLOOR_SQL[0], 5),
            _arrays(RISK_LISTS_FLOOR_SQL[1], 3),
            _arrays(RISK_LISTS_FLOOR_SQL[2], 3),
        ]
    )
)

# The same, the gatherings counted by place (their path) instead of by child: no CASE of one LIKE per child on every
# gathering (about 3 ms less at 40,000 gatherings); the places (~150 grids) are added up by child in Python, in the
# timed call. The fourth floor.
RISK_FLOOR_BY_PLACE_SQL = RISK_FLOOR_ONE_SQL.replace(
    _arrays(RISK_FLOOR_SQL[0], 3),
    _arrays(
        """SELECT jurisdiction_path, risk_level, count(*) FROM events_gathering
       WHERE jurisdiction_path LIKE %(path)s AND status NOT IN ('ended', 'cancelled', 'merged', 'dismissed')
       GROUP BY 1, 2""",
        3,
    ),
)


def _rows_case(children, column: str = "jurisdiction_path") -> str:
    return " ".join(f"WHEN {column} LIKE '{c.path}%%' THEN {c.pk}" for c in children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="tasks and gatherings each (default 1,000,000)")
    parser.add_argument("--reset", action="store_true", help="drop the benchmark database and seed again")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--reseed-tasks", action="store_true", help="delete the benchmark's tasks and seed them again")
    parser.add_argument("--only", choices=["matrix", "risk"], help="measure only the matrix or only risk now")
    args = parser.parse_args()
    ensure_database(args.reset)

    import django

    django.setup()
    from django.core.management import call_command

    say("migrate")
    call_command("migrate", verbosity=0)
    seed(args.size, reseed_tasks=args.reseed_tasks)
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {OLD_PROPOSED_INDEX}")
        # The index-only scans of the partial indexes need the visibility map of the rows seeded (or of indexes
        # the migrations just built): a no-op when nothing changed.
        cursor.execute("VACUUM ANALYZE events_gathering")

    import datetime as dt

    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from crowdsafe.org.models import Jurisdiction
    from crowdsafe.workdays.selectors import add_working_days
    from dashboard.forms import DEFAULT_PERIOD_DAYS
    from dashboard.selectors.matrix import responsibility_matrix
    from dashboard.selectors.risk import AHEAD_DAYS, LIVE_APPLICATION_STATES, MAX_ROWS, risk_now
    from drills.duties import DRILL_DUE_KEYS
    from duties.filters import DUE_SOON_WORKING_DAYS
    from monitoring.choices import OPEN_ALERT_STATES
    from risk.choices import OPEN_HAZARD_STATES

    user, city = city_leader()
    today = timezone.localdate()
    period = (today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)
    children = list(Jurisdiction.objects.filter(parent=city).order_by("code"))
    client = Client()
    client.force_login(user)
    params = {
        "today": today,
        "until": add_working_days(today, DUE_SOON_WORKING_DAYS).due,
        "start": period[0],
        "end": period[1],
        "path": city.path + "%",
        "start_at": dt.datetime.combine(period[0], dt.time.min, tzinfo=timezone.get_current_timezone()),
        "end_at": dt.datetime.combine(
            period[1] + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
        ),
        "tz": settings.TIME_ZONE,
        "hazard_states": tuple(str(s) for s in OPEN_HAZARD_STATES),
        "alert_states": tuple(str(s) for s in OPEN_ALERT_STATES),
        "drill_keys": tuple(DRILL_DUE_KEYS),
    }
    matrix_floor = MATRIX_FLOOR_SQL.replace("{rows}", _rows_case(children, "t.jurisdiction_path"))
    matrix_floor_hash = MATRIX_FLOOR_HASH_SQL.replace("{rows}", _rows_case(children, "t.jurisdiction_path"))
    risk_floor = [sql.replace("{rows}", _rows_case(children)) for sql in RISK_FLOOR_SQL]
    risk_floor_two = [sql.replace("{rows}", _rows_case(children)) for sql in RISK_FLOOR_TWO_SQL]
    risk_floor_one = RISK_FLOOR_ONE_SQL.replace("{rows}", _rows_case(children))
    ahead_from = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    params |= {
        "live_states": tuple(LIVE_APPLICATION_STATES),
        "events_from": ahead_from,
        "events_to": ahead_from + dt.timedelta(days=AHEAD_DAYS + 1),
        "max_rows": MAX_ROWS,
    }

    def floor_matrix():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(matrix_floor, params)
            return cursor.fetchall()

    def floor_matrix_hash():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(matrix_floor_hash, params)
            return cursor.fetchall()

    def floor_risk(statements=risk_floor):
        found = []
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
                found.append(cursor.fetchall())
        return found

    def floor_risk_two():
        return floor_risk(risk_floor_two)

    def floor_risk_all():
        return floor_risk(risk_floor + RISK_LISTS_FLOOR_SQL)

    def floor_risk_two_all():
        return floor_risk(risk_floor_two + RISK_LISTS_FLOOR_SQL)

    def floor_risk_one():
        return floor_risk([risk_floor_one])

    child_of_prefix = {c.path: c.pk for c in children}
    depth = city.path.rstrip("/").count("/") + 1

    def floor_risk_by_place():
        (row,) = floor_risk([RISK_FLOOR_BY_PLACE_SQL])[0]
        by_child: dict = {}
        for path, level, n in zip(*row[:3], strict=True) if row[0] is not None else ():
            key = (child_of_prefix.get("/".join(path.split("/")[: depth + 1]) + "/", 0), level)
            by_child[key] = by_child.get(key, 0) + n
        return [(r, level, n) for (r, level), n in by_child.items()], row[3:]

    def api(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return call

    # The selector and the floor must agree before they are timed against each other.
    m = responsibility_matrix(user=user, root=city, today=today, period=period)
    floor_total = next(row for row in floor_matrix() if row[2] == 3)
    assert (m.total.open, m.total.overdue, m.total.done, m.total.on_time) == (
        floor_total[3],
        floor_total[5],
        floor_total[6],
        floor_total[7],
    ), (m.total, floor_total)
    now = risk_now(user=user, root=city, today=today)
    drills = now.drills
    by_level, *counts = floor_risk()
    by_level_totals = {level: sum(n for _r, lv, n in by_level if lv == level) for level in now.gathering_totals}
    server_counts = [
        (now.venues["red"], now.venues["orange"]),
        (now.hazards["major"], now.hazards["overdue"]),
        (now.open_incidents,),
        (now.alert_counts["total"], now.alert_counts["red"], now.alert_counts["orange"]),
        (drills.plans, drills.drilled),
        (drills.overdue_drills,),
        (drills.open_items, drills.overdue_items),
    ]
    assert now.gathering_totals == by_level_totals, (now.gathering_totals, by_level_totals)
    assert server_counts == [tuple(rows[0]) for rows in counts], (server_counts, counts)
    two = floor_risk_two()
    events_floor = floor_risk(RISK_LISTS_FLOOR_SQL)[0]
    assert [(a.pk, a.open_conditions) for a in now.large_events] == [(r[0], r[4]) for r in events_floor], (
        now.large_events,
        events_floor,
    )
    assert two[0] == by_level and list(two[1][0]) == [n for rows in counts for n in rows[0]], two
    # The one-statement floor: the same gatherings by child and level, the same counts, the same events.
    by_place, by_place_rest = floor_risk_by_place()
    assert sorted(by_place) == sorted(by_level), (by_place, by_level)
    (one,) = floor_risk_one()[0]
    assert list(by_place_rest) == list(one[3:]), (by_place_rest, one)
    one_levels = sorted(zip(*one[:3], strict=True)) if one[0] is not None else []
    count_columns = sum(len(rows[0]) for rows in counts)
    assert one_levels == sorted(by_level), (one_levels, by_level)
    assert list(one[3 : 3 + count_columns]) == [n for rows in counts for n in rows[0]], one
    assert (one[3 + count_columns] or []) == [r[0] for r in events_floor], one
    say(
        f"city matrix: {m.total.open:,} open, {m.total.overdue:,} overdue, {m.total.done:,} done in the period; "
        f"risk now: {sum(risk_now(user=user, root=city, today=today).gathering_totals.values()):,} gatherings not over"
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    if backend_cpu_ms(backend_pid) is None:
        backend_pid = None  # the database on another machine: no backend CPU time
    load_before = os.getloadavg()
    results = {}
    if args.only in (None, "matrix"):
        results["matrix"] = side_by_side(
            {
                "server": lambda: responsibility_matrix(user=user, root=city, today=today, period=period),
                "api": api("/api/v1/dashboard/matrix/"),
                "floor (GROUPING SETS)": floor_matrix,
                "floor (hash aggregate)": floor_matrix_hash,
            },
            args.runs,
            backend_pid,
        )
    if args.only in (None, "risk"):
        results["risk now"] = side_by_side(
            {
                "server": lambda: risk_now(user=user, root=city, today=today),
                "api": api("/api/v1/dashboard/risk-now/"),
                "floor (8+3 statements)": floor_risk_all,
                "floor (2+3 statements)": floor_risk_two_all,
                "floor (1 statement)": floor_risk_one,
                "floor (1 statement, by place)": floor_risk_by_place,
            },
            args.runs,
            backend_pid,
        )
    load = os.getloadavg()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM duties_task")
        tasks = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM events_gathering")
        gatherings = cursor.fetchone()[0]
    print()
    print(
        f"{tasks:,} tasks, {gatherings:,} gatherings; {args.runs} rounds, server, API and floors alternated; "
        f"load average {load_before[0]:.1f} before, {load[0]:.1f} after (2 CPUs, shared)"
    )
    print(f"{'':10} {'server (selector)':>18} {'API request':>12} {'SQL floor':>10} {'server/floor':>13}  target")
    failed = False
    for name, r in results.items():
        floors = {k: v["median"] for k, v in r.items() if k.startswith("floor")}
        floor_name = min(floors, key=floors.__getitem__)
        floor = floors[floor_name]
        ratio = r["server"]["median"] / floor
        ok = r["server"]["median"] <= TARGET_MS and ratio <= TARGET_FACTOR
        failed |= not ok
        print(
            f"{name:10} {r['server']['median']:15.1f} ms {r['api']['median']:9.1f} ms {floor:7.1f} ms"
            f" {ratio:12.2f}×  {'ok' if ok else 'MISSED'} (≤ {TARGET_MS:.0f} ms, ≤ {TARGET_FACTOR:.0f}× floor)"
        )
        if len(floors) > 1:
            print(" " * 11 + "floors: " + ", ".join(f"{k[7:-1]} {v:.1f} ms" for k, v in floors.items()))
        # Round by round (the server and the fastest floor a few milliseconds apart, under the same load).
        per_round = sorted(s / min(r[k]["rounds"][i] for k in floors) for i, s in enumerate(r["server"]["rounds"]))
        print(
            " " * 11 + f"server ÷ fastest floor of the same round: median {statistics.median(per_round):.2f}×, "
            f"range {per_round[0]:.2f}–{per_round[-1]:.2f}×; "
            f"server {r['server']['min']:.1f}–{r['server']['max']:.1f} ms"
        )
        server, base = r["server"], r[floor_name]
        if server["db_cpu"] is not None:
            total, base_total = server["cpu"] + server["db_cpu"], base["cpu"] + base["db_cpu"]
            print(
                " " * 11 + "CPU per call (less sensitive to the load than wall time): "
                f"server {server['cpu']:.1f} ms Python + {server['db_cpu']:.1f} ms PostgreSQL = {total:.1f} ms; "
                f"floor ({floor_name[7:-1]}) {base['cpu']:.1f}"
                f" + {base['db_cpu']:.1f} = {base_total:.1f} ms; {total / base_total:.2f}×"
            )
        else:
            print(" " * 11 + f"CPU per call: server {server['cpu']:.1f} ms Python; floor {base['cpu']:.1f} ms")
    # Where risk now's time goes: its parts, each timed alone (median of the same runs).
    from dashboard.selectors import risk as risk_module
    from drills.compliance import compliance_totals

    parts = {
        "drill totals": lambda: compliance_totals(user=user, today=today, territory=city),
        "large events": lambda: risk_module.large_events(user=user, root=city, today=today),
        "key dates": lambda: risk_module.key_dates_ahead(today=today, root=city),
        "gatherings by level (floor)": lambda: floor_risk_first(),
    }

    def floor_risk_first():
        with connection.cursor() as cursor:
            cursor.execute(risk_floor[0], params)
            return cursor.fetchall()

    if args.only in (None, "risk"):
        print(
            "risk now, its parts: " + ", ".join(f"{k} {timed(f, args.runs)['median']:.1f} ms" for k, f in parts.items())
        )
    if args.explain:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            responsibility_matrix(user=user, root=city, today=today, period=period)
        grouped = max((q["sql"] for q in queries.captured_queries), key=len)
        with CaptureQueriesContext(connection) as queries:
            risk_now(user=user, root=city, today=today)
        risk_gatherings = next(q["sql"] for q in queries.captured_queries if 'FROM "events_gathering"' in q["sql"])
        drill_tasks = next(q["sql"] for q in queries.captured_queries if 'FROM "duties_task"' in q["sql"])
        with connection.cursor() as cursor:
            for title, sql, values in (
                ("the matrix's grouped statement (server)", grouped, None),
                ("the matrix floor", matrix_floor, params),
                ("the gatherings by child and level (floor)", risk_floor[0], params),
                ("the gatherings by child and level (server, risk now)", risk_gatherings, None),
                ("the overdue drill tasks (server, drill compliance)", drill_tasks, None),
                ("the overdue drill tasks (floor)", DRILL_TASKS_FLOOR_SQL, params),
            ):
                cursor.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%")
                    if values is None
                    else "EXPLAIN (ANALYZE, BUFFERS) " + sql,
                    values,
                )
                print(f"\n--- EXPLAIN {title} ---\n" + "\n".join(row[0] for row in cursor.fetchall()))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
