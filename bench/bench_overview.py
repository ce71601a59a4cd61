#!/usr/bin/env python
"""The responsibility overview's two designs side by side (issue 19 point 1), on a database seeded by ``bench/run``:

- read: the overview's figures for the city leader (and a district leader) from the counters (``duties.counts``,
  what the page does) and from the tasks grouped (the former statement, ``_overview_counts``, still used for a
  village's leader; also what a summary refreshed by the beat would run at each refresh), alternated in one
  process, medians of ``--runs``; checked equal first;
- write: what the counters' triggers add to a task write — one task completed (an ``UPDATE`` of one row, as
  ``task_complete`` makes), one task started (status only: no counter row written), and ``--insert`` tasks inserted
  in one statement (as an import's step) — each timed with the triggers and with them disabled, alternated, in
  transactions rolled back (nothing is kept);
- upkeep: the fold (``taskcounts_compact``), the verification (a recount of every task) and the rows of the
  counter table;
- the page: ``/tasks/overview/`` for the city leader through the test client (the whole request), alternated with
  the bare authenticated page (``/bench/bare/``), medians of ``--runs``, against the page's own statements re-run
  as raw SQL (its SQL floor, as ``bench/run`` measures it) and the parts of the request: the selector, the rows'
  tag, the template without its rows (``--no-page`` to skip).

The write part takes an exclusive lock on ``duties_task`` for a moment per run (``ALTER TABLE … DISABLE TRIGGER``
in the rolled-back transaction): run it on a database no one else is measuring (``--no-writes`` otherwise).

    .venv/bin/python bench/bench_overview.py --database crowdsafe_bench_run_1000000 [--runs 15] [--no-writes]
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

TRIGGERS = ("duties_taskcount_insert", "duties_taskcount_update", "duties_taskcount_delete")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def measure_reads(runs: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from crowdsafe.org.models import Jurisdiction
    from duties.filters import DONE_WINDOW_DAYS
    from duties.models import Task
    from duties.selectors import _overview_counters, _overview_counts

    today = timezone.localdate()
    since = timezone.now() - dt.timedelta(days=DONE_WINDOW_DAYS)
    outstanding = Task.objects.filter(status__in=["open", "in_progress", "overdue"]).count()
    say(f"{Task.objects.count():,} tasks, {outstanding:,} outstanding")
    for name, code in (("city", "410500"), ("district", "410502")):
        path = Jurisdiction.objects.get(code=code).path
        scoped = Task.objects.filter(jurisdiction_path__startswith=path)
        counters = sorted(map(str, _overview_counters((path,), today=today, since=since)))
        grouped = sorted(map(str, _overview_counts(scoped, today=today, since=since)))
        assert counters == grouped, f"{name}: the counters' figures differ from the tasks grouped"
        times: dict[str, list[float]] = {"counters": [], "tasks grouped": []}
        for _ in range(runs):
            start = time.perf_counter()
            _overview_counters((path,), today=today, since=since)
            times["counters"].append(time.perf_counter() - start)
            start = time.perf_counter()
            _overview_counts(scoped, today=today, since=since)
            times["tasks grouped"].append(time.perf_counter() - start)
        figures = ", ".join(f"{k} {ms(statistics.median(v))}" for k, v in times.items())
        say(f"read, {name} leader ({len(counters)} holders, figures equal): {figures}")


def measure_writes(runs: int, insert_rows: int) -> None:
    from django.db import connection, transaction

    from duties.models import Task

    open_ids = list(Task.objects.filter(status="open").order_by("id").values_list("id", flat=True)[: runs * 4])
    if len(open_ids) < runs * 4:
        say("not enough open tasks for the write measurement")
        return
    ids = iter(open_ids)
    statements = {
        "complete one task": (
            "UPDATE duties_task SET status = 'done', completed_at = now(), completion_note = 'bench', "
            "updated_at = now() WHERE id = %s"
        ),
        "start one task": "UPDATE duties_task SET status = 'in_progress', started_at = now() WHERE id = %s",
    }
    insert = (
        "INSERT INTO duties_task (subject_type, subject_id, subject_label, jurisdiction_id, jurisdiction_path, rule_id,"
        " period, event, duty_name, duty_description, basis, party_kind, responsible_department_id,"
        " responsible_jurisdiction_id, anchor_date, due_date, status, explanation, explanation_data, completion_note,"
        " cancel_reason, created_at, updated_at)"
        " SELECT subject_type, subject_id + 900000000, subject_label, jurisdiction_id, jurisdiction_path, rule_id,"
        " period, event, duty_name, duty_description, basis, party_kind, responsible_department_id,"
        " responsible_jurisdiction_id, anchor_date, due_date, 'open', explanation, explanation_data, '', '', now(),"
        " now() FROM duties_task WHERE id >= %s ORDER BY id LIMIT %s"
    )
    results: dict[tuple[str, bool], list[float]] = {}
    for _ in range(runs):
        for with_triggers in (True, False):
            for name, sql in [*statements.items(), (f"insert {insert_rows:,} tasks", insert)]:
                try:
                    with transaction.atomic(), connection.cursor() as cursor:
                        if not with_triggers:
                            for trigger in TRIGGERS:
                                cursor.execute(f"ALTER TABLE duties_task DISABLE TRIGGER {trigger}")
                        params = [open_ids[0], insert_rows] if name.startswith("insert") else [next(ids)]
                        start = time.perf_counter()
                        cursor.execute(sql, params)
                        results.setdefault((name, with_triggers), []).append(time.perf_counter() - start)
                        raise _Rollback
                except _Rollback:
                    pass
    for name in [*statements, f"insert {insert_rows:,} tasks"]:
        on = statistics.median(results[(name, True)])
        off = statistics.median(results[(name, False)])
        say(f"write, {name}: with the counters {ms(on)}, without {ms(off)} (+{ms(on - off)})")


def measure_page(runs: int) -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from bench.run import _sql_floor, bench_users
    from duties.selectors import Overview, responsibility_overview
    from duties.templatetags.duty_tags import overview_rows

    leader = bench_users()["city leader"]
    client = Client()
    client.force_login(leader)
    for url in ("/bench/bare/", "/tasks/overview/"):
        for _ in range(3):
            assert client.get(url).status_code == 200, url
    times: dict[str, list[float]] = {"page": [], "bare": []}
    for _ in range(runs):
        for name, url in (("page", "/tasks/overview/"), ("bare", "/bench/bare/")):
            start = time.perf_counter()
            client.get(url)
            times[name].append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        client.get("/bench/bare/")
    bare_sql = {q["sql"] for q in captured.captured_queries}
    with CaptureQueriesContext(connection) as captured:
        client.get("/tasks/overview/")
    own = [q["sql"] for q in captured.captured_queries if q["sql"] not in bare_sql]
    floor = _sql_floor(own, runs) / 1000
    page, bare = statistics.median(times["page"]), statistics.median(times["bare"])
    say(
        f"page, city leader: {ms(page)}, bare page {ms(bare)}, SQL floor {ms(floor)} ({len(own)} statements): "
        f"{page / (floor + bare):.2f}x (SQL floor + bare)"
    )
    # The parts of the request, each alone (the selector includes its statements).
    request = RequestFactory().get("/tasks/overview/")
    request.user, request.session = leader, SessionStore()
    parts: dict[str, list[float]] = {"selector": [], "rows' tag": [], "template without rows": []}
    with translation.override("zh-hans"):
        overview = responsibility_overview(user=leader)
        empty = Overview(rows=[], territories=overview.territories, today=overview.today)
        for _ in range(runs):
            start = time.perf_counter()
            responsibility_overview(user=leader)
            parts["selector"].append(time.perf_counter() - start)
            for row in overview.rows:
                row.__dict__.pop("_query", None)  # the links encoded again, as in a request
            start = time.perf_counter()
            overview_rows(overview.rows, "a", "b", "c", "d", "e")
            parts["rows' tag"].append(time.perf_counter() - start)
            start = time.perf_counter()
            render_to_string("duties/overview.html", {"overview": empty}, request=request)
            parts["template without rows"].append(time.perf_counter() - start)
    figures = ", ".join(f"{k} {ms(statistics.median(v))}" for k, v in parts.items())
    say(f"page parts ({len(overview.rows)} rows): {figures}; load average {os.getloadavg()[0]:.1f}")


class _Rollback(Exception):
    pass


def measure_upkeep() -> None:
    from duties.counts import taskcounts_compact, taskcounts_verify
    from duties.models import TaskCount

    say(f"counter rows: {TaskCount.objects.count():,}")
    start = time.perf_counter()
    deleted, written = taskcounts_compact()
    say(f"fold: {deleted:,} rows into {written:,} in {ms(time.perf_counter() - start)}")
    start = time.perf_counter()
    differences = taskcounts_verify()
    say(f"verify (a recount of every task): {len(differences)} differences in {ms(time.perf_counter() - start)}")
    say(f"counter rows: {TaskCount.objects.count():,}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="a database seeded by bench/run")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--insert", type=int, default=2000, help="tasks inserted in one statement (default 2,000)")
    parser.add_argument("--no-writes", dest="writes", action="store_false")
    parser.add_argument("--no-upkeep", dest="upkeep", action="store_false")
    parser.add_argument("--no-page", dest="page", action="store_false")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    import django

    django.setup()
    if args.upkeep:
        measure_upkeep()
    measure_reads(args.runs)
    if args.page:
        measure_page(args.runs)
    if args.writes:
        measure_writes(args.runs, args.insert)
    return 0


if __name__ == "__main__":
    sys.exit(main())
