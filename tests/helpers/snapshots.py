"""Fixtures built once per test process and given back to each test (issue 19 point 3).

Built through the services, as the app builds them, the shared fixtures cost each test that asks for them hundreds of
statements: ``city`` and ``users`` (~1,100 tests) ~240 and 0.25-0.4 s of set-up, a third of the suite's set-up time.
A snapshot builds them once, in a transaction that is rolled back: the rows the build inserted (every table's rows
with an ``id`` above the one it had before) are copied out in binary and the built objects pickled. Each test then
copies the same rows back in (same ids: the sequences went past them when they were built, so nothing a test
inserts collides) and gets its own unpickled copies of the objects, as fresh as built — nothing one test does to
them reaches another.

What a build may not do, checked when it is taken (the set-up fails loudly): write to a table without an ``id``
(its rows could not be told apart), or change or delete a row it did not insert (a copy of its own rows could not
say that). What it must not rely on either: side effects outside the database (files, caches, Celery jobs after
the commit) — a fixture with those stays a plain fixture.

``snapshot_fixture`` turns a fixture function into one: its first use in a process builds it (inside that test, in
a savepoint rolled back at once), every use gives it back. The fixtures it asks for are given back too: objects of
theirs that the build's result holds (``permit_city.city``) are the test's own objects, not copies.
"""

from __future__ import annotations

import functools
import inspect
import io
import pickle
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

import pytest


class Snapshot:
    def __init__(self, rows: list[tuple[str, bytes]], objects: bytes) -> None:
        self.rows = rows
        self.objects = objects

    @classmethod
    def take(
        cls, connection, build: Callable[[], Any], shared: Mapping[str, Any] | None = None
    ) -> tuple[Any, Snapshot]:
        before = _table_marks(connection)
        built = build()
        after = _table_marks(connection)
        rows = []
        with connection.cursor() as cursor:
            for table, (top, count, digest) in sorted(after.items()):
                old_top, old_count, old_digest = before[table]
                if top is None:
                    if (count, digest) != (old_count, old_digest):
                        raise RuntimeError(f"the fixture's build wrote to {table}, which has no id to tell its rows by")
                    continue
                name = connection.ops.quote_name(table)
                if old_top is not None:
                    cursor.execute(
                        f"SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM {name} t WHERE id <= %s", [old_top]
                    )
                    if cursor.fetchone()[0] != old_digest:
                        raise RuntimeError(f"the fixture's build changed or deleted rows of {table} it did not insert")
                if count == old_count and top == old_top:
                    continue
                buffer = io.BytesIO()
                where = f"WHERE id > {int(old_top)}" if old_top is not None else ""
                cursor.copy_expert(
                    f"COPY (SELECT * FROM {name} {where} ORDER BY id) TO STDOUT WITH (FORMAT binary)", buffer
                )
                rows.append((table, buffer.getvalue()))
        buffer = io.BytesIO()
        _SharedPickler(buffer, _tokens(shared or {})).dump(built)
        return built, cls(rows, buffer.getvalue())

    def restore(self, connection, shared: Mapping[str, Any] | None = None) -> Any:
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for table, data in self.rows:
                cursor.copy_expert(
                    f"COPY {connection.ops.quote_name(table)} FROM STDIN WITH (FORMAT binary)", io.BytesIO(data)
                )
        return _SharedUnpickler(io.BytesIO(self.objects), shared or {}).load()


def _table_marks(connection) -> dict[str, tuple[int | None, int, str | None]]:
    """Each table's highest id (None: no ``id`` column), number of rows and digest of its rows (up to that id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'id'
                                        AND NOT a.attisdropped)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = current_schema()"""
        )
        tables = cursor.fetchall()
        parts = []
        for table, has_id in tables:
            name = connection.ops.quote_name(table)
            order = "ORDER BY id" if has_id else "ORDER BY t::text"
            parts.append(
                f"SELECT %s, {'max(id)' if has_id else 'NULL::bigint'}, count(*),"
                f" md5(string_agg(t::text, '|' {order})) FROM {name} t"
            )
        cursor.execute(" UNION ALL ".join(parts), [t for t, _has_id in tables])
        return {table: (top, count, digest) for table, top, count, digest in cursor.fetchall()}


def _tokens(shared: Mapping[str, Any]) -> dict[int, tuple[str, ...]]:
    """The objects of the fixtures a build asked for, by identity: each one's path from its fixture's name."""
    tokens: dict[int, tuple[str, ...]] = {}

    def walk(value: Any, path: tuple[str, ...], depth: int) -> None:
        if id(value) in tokens:
            return
        tokens[id(value)] = path
        if isinstance(value, SimpleNamespace) and depth < 3:
            for name, item in vars(value).items():
                walk(item, (*path, name), depth + 1)

    for name, value in shared.items():
        walk(value, (name,), 0)
    return tokens


class _SharedPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, tokens: dict[int, tuple[str, ...]]) -> None:
        super().__init__(file)
        self.tokens = tokens

    def persistent_id(self, obj: Any) -> tuple[str, ...] | None:
        return self.tokens.get(id(obj))


class _SharedUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: Mapping[str, Any]) -> None:
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, path: tuple[str, ...]) -> Any:
        value = self.shared[path[0]]
        for name in path[1:]:
            value = getattr(value, name)
        return value


_SNAPSHOTS: dict[str, Snapshot] = {}


def snapshot_fixture(build: Callable[..., Any]) -> Any:
    """A pytest fixture of ``build`` (a fixture function whose arguments are other fixtures), built once per process
    and given back to each test (see the module docstring)."""

    key = f"{build.__module__}.{build.__qualname__}"
    names = list(inspect.signature(build).parameters)

    @functools.wraps(build)
    def fixture(*args: Any, **dependencies: Any) -> Any:
        # Positional too: a module-scoped fixture may call this one's body itself (tests/kernel/test_upload_points.py).
        from django.db import connection, transaction

        dependencies.update(zip(names, args, strict=False))

        snapshot = _SNAPSHOTS.get(key)
        if snapshot is None:
            with transaction.atomic():
                _built, snapshot = Snapshot.take(connection, lambda: build(**dependencies), shared=dependencies)
                transaction.set_rollback(True)
            _SNAPSHOTS[key] = snapshot
        return snapshot.restore(connection, shared=dependencies)

    fixture.build = build  # type: ignore[attr-defined]  # the body itself, for a caller that must build it anew
    return pytest.fixture(fixture)


def take_at_start(connection, name: str, build: Callable[[], Any], shared: Mapping[str, Any] | None = None) -> Any:
    """Take the snapshot ``name`` now (e.g. right after the database is migrated); returns what was built."""
    built, _SNAPSHOTS[name] = Snapshot.take(connection, build, shared=shared)
    return built


def restore(connection, name: str, shared: Mapping[str, Any] | None = None) -> Any:
    return _SNAPSHOTS[name].restore(connection, shared=shared)
