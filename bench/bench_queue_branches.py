"""The task queues before and after their page is read branch by branch (``TaskQuerySet.read_rows_by_branch``),
side by side at one size of ``bench/run``'s databases (seeded by it): in one process, the branch reads switched off
(the plain row read) and on, request by request in alternating order; and the rows statement alone. Medians.

    .venv/bin/python bench/bench_queue_branches.py 1000000 41     # size, rounds
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

    original = TaskQuerySet.read_rows_by_branch

    def plain(self, reads, *, rows):
        return self

    def switch(on: bool) -> None:
        TaskQuerySet.read_rows_by_branch = original if on else plain  # type: ignore[method-assign]

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
                    cursor.execute(*statements[on])
                    cursor.fetchall()
                    sql[on].append((time.perf_counter() - start) * 1000)
        switch(True)
        m = statistics.median
        print(
            f"{SIZE}\t{label}\tpage before {m(page[False]):.1f}\tafter {m(page[True]):.1f}"
            f"\trows stmt before {m(sql[False]):.2f}\tafter {m(sql[True]):.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
