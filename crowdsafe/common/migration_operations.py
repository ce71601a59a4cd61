"""Migration operations of the kernel.

The platform runs on PostgreSQL in production and in the tests, and on SQLite as the embedded default of
``scripts/run`` (no servers needed). An index built without locking out writes goes
through :class:`AddIndexConcurrently` (``CREATE INDEX CONCURRENTLY`` there, a plain ``CREATE INDEX`` elsewhere).
SQL that only PostgreSQL speaks (``CREATE INDEX CONCURRENTLY``, ``INCLUDE``,
partial indexes over another app's table, PL/pgSQL triggers) goes through :class:`PostgreSQLOnly`, which runs it
there and does nothing elsewhere — the embedded database then simply lacks an index or trigger that only matters at
a city's scale. Code that relies on such a trigger must say what it does without it (see ``duties.counters``)."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """``RunSQL`` applied on PostgreSQL only; on any other database both directions are no-ops."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return "Raw SQL operation (PostgreSQL only)"


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    """Django's ``AddIndexConcurrently`` on PostgreSQL (the migration must be ``atomic = False``); on any other
    database an ordinary ``AddIndex`` (Django's own operation refuses them: SQLite has no ``CONCURRENTLY``)."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
