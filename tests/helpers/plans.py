"""Plans in tests: whether the index a statement was written for serves it.

A test holds a handful of rows, and which of two usable indexes PostgreSQL picks for them follows the row counts and
pages that earlier tests of the same worker left in pg_class — a test asserting the planner's pick passed alone and
failed in whole runs. ``plan_with_only`` asks the question a test can answer: with every other index of the table
dropped (inside the test's transaction, so they are back after it; the indexes of constraints kept) and sequential
scans off, is the statement read through this one? Which index the planner picks at 10k-1M rows is bench/run
--explain's question."""

from __future__ import annotations

from django.db import connection


def plan_with_only(statement: str, *, table: str, keep: str) -> str:
    """The text plan of ``statement`` with ``keep`` the only index of ``table`` besides its constraints'."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(
            """SELECT i.indexrelid::regclass::text FROM pg_index i
               WHERE i.indrelid = %s::regclass AND i.indexrelid <> %s::regclass
                 AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            [table, keep],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement)
        return "\n".join(row[0] for row in cursor.fetchall())
