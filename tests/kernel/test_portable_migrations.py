"""The migrations run on the embedded SQLite database of ``scripts/run`` as well as on PostgreSQL: SQL that only
PostgreSQL speaks goes through the kernel's ``PostgreSQLOnly`` and concurrent index builds through its
``AddIndexConcurrently`` (``crowdsafe.common.migration_operations``). On 2026-12-07 four migrations with raw
``CREATE INDEX CONCURRENTLY`` / PL/pgSQL or Django's PostgreSQL-only ``AddIndexConcurrently`` had made
``scripts/run`` fail at ``migrate`` (``near "IF": syntax error``) while every PostgreSQL test passed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.postgres import operations as postgres_operations
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

from crowdsafe.common import migration_operations

ROOT = Path(__file__).resolve().parents[2]


def _operations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        for operation in migration.operations:
            yield f"{app}.{name}", operation


def test_raw_sql_in_migrations_is_postgresql_only():
    offenders = [
        where
        for where, operation in _operations()
        if isinstance(operation, migrations.RunSQL) and not isinstance(operation, migration_operations.PostgreSQLOnly)
    ]
    assert offenders == [], "use crowdsafe.common.migration_operations.PostgreSQLOnly for raw SQL"


def test_postgresql_index_operations_fall_back_on_other_databases():
    offenders = [
        where
        for where, operation in _operations()
        if isinstance(operation, postgres_operations.NotInTransactionMixin)
        and not isinstance(operation, migration_operations.AddIndexConcurrently)
    ]
    assert offenders == [], "use crowdsafe.common.migration_operations.AddIndexConcurrently"


@pytest.mark.skipif(sys.platform != "linux", reason="a subprocess with the project's interpreter")
def test_every_migration_applies_to_a_fresh_sqlite_database(tmp_path):
    """What ``scripts/run`` does first (about 40 s of CPU: the one test of the suite on SQLite)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "crowdsafe.settings",
        "DEBUG": "true",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
