"""The task queues before and after their page is read branch by branch (``TaskQuerySet.read_rows_by_branch``),
side by side at one size of ``bench/run``'s databases (seeded by it): in one process, the branch reads switched off
(the plain row read) and on, request by request in alternating order; and the rows statement alone. Medians.

    .venv/bin/python bench/bench_queue_branches.py 1000000 41     # size, rounds
    .venv/bin/python bench/bench_queue_branches.py 1000000 41 counts   # the count from the counters off and on

``counts``: instead of the branch reads, the unfiltered queue's count read from the counters
(``TaskQuerySet.count_from``, ``duties.selectors.queue_counts``) switched off (the tasks counted) and on; the second
pair of columns is then the selector and its count.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SIZE = sys.argv[1] if len(sys.argv) > 1 else "10000"
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 21
COUNTS = len(sys.argv) > 3 and sys.argv[3] == "counts"
PAGES = (
    ("department queue", "bench_staff", "/tasks/"),
    ("head's queue", "bench_head", "/tasks/"),
    ("township queue", "bench_township", "/tasks/"),
    ("API tasks", "bench_staff", "/api/v1/tasks/"),
)


def main() -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/crowdsafe_bench_run_{SIZE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from duties.models import TaskQuerySet
    from duties.selectors import task_queue

    name = "count_from" if COUNTS else "read_rows_by_branch"
    original = getattr(TaskQuerySet, name)

    def plain(self, *args, **kwargs):
        return self

    def switch(on: bool) -> None:
        setattr(TaskQuerySet, name, original if on else plain)

    for label, username, url in PAGES:
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        statements = {}
        for on in (False, True):
            switch(on)
            assert client.get(url).status_code == 200
            statements[on] = task_queue(user=user)[0:50].query.sql_with_params()
        page: dict[bool, list[float]] = {False: [], True: []}
        sql: dict[bool, list[float]] = {False: [], True: []}
        with connection.cursor() as cursor:
            for r in range(ROUNDS):
                for on in (False, True) if r % 2 == 0 else (True, False):
                    switch(on)
                    start = time.perf_counter()
                    client.get(url)
                    page[on].append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    if COUNTS:  # the selector and its count (the count alone is read another way)
                        task_queue(user=user).count()
                    else:
                        cursor.execute(*statements[on])
                        cursor.fetchall()
                    sql[on].append((time.perf_counter() - start) * 1000)
        switch(True)
        m = statistics.median
        print(
            f"{SIZE}\t{label}\tload {os.getloadavg()[0]:.1f}"
            f"\tpage before {m(page[False]):.1f}\tafter {m(page[True]):.1f}"
            f"\t{'count' if COUNTS else 'rows stmt'} before {m(sql[False]):.2f}\tafter {m(sql[True]):.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
