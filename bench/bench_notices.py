#!/usr/bin/env python
"""Benchmark of official documents: the median render time of a two-page Chinese permit decision and its PDF size,
on PostgreSQL. Targets (issue 6): under 0.5 s and under 150 KB.

Seeds (once) the demo city in a database of its own, issues a 大型群众性活动安全许可决定书 of 安阳市公安局文峰分局
through ``notice_issue`` (one session, two ticket zones of 4,500 seats in all, a permit condition and the
obligations of Order 505 Art. 7, 15 and 18; copied to 文峰区应急管理局 and 安阳市公安局), checks that it prints
on two pages, then measures

- the cold render: the first render in a fresh process (fontconfig and the Noto CJK fonts loaded);
- the render: template → HTML → WeasyPrint layout → PDF with the fonts subset, ``--runs`` times after warm-ups;
- the service: ``notice_render`` on freshly issued decisions (render, SHA-256, storage, database, log), the
  path a Celery worker takes;

and prints the size of the stored PDF and its fonts (pdffonts). Times are wall-clock medians; the CPU time of the
process is printed beside them, as it does not grow when other work shares the machine's CPUs. Exits non-zero
when a target is missed.

    .venv/bin/python bench/bench_notices.py [--runs 20] [--reset]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# The benchmark's own database, never the development or test one.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_bench_notices")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="crowdsafe-bench-notices-"))
# Render tasks enqueued on commit go to an in-process broker and are never run: the benchmark renders itself.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

TARGET_SECONDS = 0.5
TARGET_BYTES = 150 * 1024
WARMUP = 3


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
            print(f"created database {name}")
    connection.close()


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def issue_decision():
    from crowdsafe.org.models import Department, Organisation
    from notices.choices import NoticeKind
    from notices.demo import sample_context
    from notices.services import notice_issue

    issuer = Department.objects.get(jurisdiction__code="410502", name="安阳市公安局文峰分局")
    organizer = Organisation.objects.get(credit_code="91410502MA9XK3L04M")
    context = {
        **sample_context(NoticeKind.PERMIT_APPROVAL),
        "organizer_name": organizer.name,
        "venue_name": "安阳市体育中心体育场",
        "sessions": ["2026年12月31日19时30分至22时30分"],
        "conditions": ["按照安全工作方案配备安保人员不少于320名，统一着装、佩戴标识，活动开始前2小时全部到岗。"],
    }
    return notice_issue(
        kind=NoticeKind.PERMIT_APPROVAL,
        issuer=issuer,
        subject=organizer,
        recipient=organizer.name,
        context=context,
        actor=None,
        copy_to=["文峰区应急管理局"],
    )


def timings(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(samples) * 1000:.0f} ms · p90 {p90 * 1000:.0f} ms · "
        f"min {ordered[0] * 1000:.0f} ms · max {ordered[-1] * 1000:.0f} ms · n={len(samples)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reset", action="store_true", help="drop the benchmark database and seed again")
    args = parser.parse_args()

    ensure_database(args.reset)
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from crowdsafe.org.models import Department
    from notices.rendering import DocumentData, render_document
    from notices.services import notice_render

    say(f"migrate ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    if not Department.objects.filter(name="安阳市公安局文峰分局").exists():
        say("demo city (seed_demo)")
        call_command("seed_demo", no_progress=True, verbosity=0)

    notice = issue_decision()
    data = DocumentData.from_notice(notice)

    started = time.perf_counter()
    first = render_document(data)
    cold = time.perf_counter() - started
    if first.pages != 2:
        say(f"the benchmark document prints on {first.pages} pages, not 2: adjust its contents")
        return 2

    for _ in range(WARMUP):
        render_document(data)
    render_samples, render_cpu = [], []
    for _ in range(args.runs):
        started, cpu = time.perf_counter(), time.process_time()
        render_document(data)
        render_samples.append(time.perf_counter() - started)
        render_cpu.append(time.process_time() - cpu)

    service_samples = []
    for _ in range(max(5, args.runs // 2)):
        fresh = issue_decision()
        started = time.perf_counter()
        notice_render(notice_id=fresh.pk)
        service_samples.append(time.perf_counter() - started)
    stored = notice_render(notice_id=notice.pk)
    stored.refresh_from_db()
    path = Path(stored.pdf.path)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout

    load = os.getloadavg()
    print()
    print(f"document: {stored.number} {stored.title}, {stored.pages} pages (A4), 3号 Noto Serif CJK SC body")
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"cold render (first in the process): {cold * 1000:.0f} ms")
    print(f"render (HTML + PDF):                {timings(render_samples)}")
    print(f"  CPU time of the render:           {timings(render_cpu)}")
    print(f"notice_render (render + store):     {timings(service_samples)}")
    print(f"PDF size: {stored.pdf_size:,} bytes ({stored.pdf_size / 1024:.1f} KB), SHA-256 {stored.sha256[:16]}…")
    print(fonts.rstrip())
    median = statistics.median(render_samples)
    ok_time, ok_size = median < TARGET_SECONDS, stored.pdf_size < TARGET_BYTES
    print()
    print(f"target render < {TARGET_SECONDS * 1000:.0f} ms: {'ok' if ok_time else 'MISSED'} ({median * 1000:.0f} ms)")
    print(f"target size < {TARGET_BYTES // 1024} KB: {'ok' if ok_size else 'MISSED'} ({stored.pdf_size / 1024:.1f} KB)")
    return 0 if ok_time and ok_size else 1


if __name__ == "__main__":
    sys.exit(main())
