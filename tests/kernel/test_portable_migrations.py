"""The migrations run on the embedded SQLite database of ``scripts/run`` as well as on PostgreSQL: SQL that only
PostgreSQL speaks goes through the kernel's ``PostgreSQLOnly`` and concurrent index builds through its
``AddIndexConcurrently`` (``crowdsafe.common.migration_operations``). On 2026-12-07 four migrations with raw
``CREATE INDEX CONCURRENTLY`` / PL/pgSQL or Django's PostgreSQL-only ``AddIndexConcurrently`` had made
``scripts/run`` fail at ``migrate`` (``near "IF": syntax error``) while every PostgreSQL test passed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


MIGRATE_AND_SEED_SCRIPT = """
import django
django.setup()
from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=0, skip_checks=False)  # as manage.py migrate: checks first
for command in ("seed_demo", "seed_demo_venues", "seed_demo_events"):
    call_command(command, verbosity=0)
"""
PAGES_SCRIPT = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client

broken = []
for user in get_user_model().objects.filter(username__startswith="demo_", is_active=True):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for url in URLS:
        status = client.get(url).status_code
        if status >= 500:
            broken.append((user.username, url, status))
print("BROKEN", broken)
"""
URLS = [
    "/",
    "/tasks/",
    "/tasks/overview/",
    "/gatherings/",
    "/gatherings/attention/",
    "/venues/",
    "/permits/",
    "/risk/hazards/",
    "/monitoring/",
    "/dashboard/",
    "/dashboard/screen/",
    "/api/v1/gatherings/",
    "/api/v1/tasks/",
    "/api/v1/dashboard/matrix/",
]


def test_the_embedded_sqlite_default_migrates_seeds_and_serves_the_main_pages(tmp_path):
    """What ``scripts/run`` does (migrate, the demo city, its venues and gatherings), then the main pages and API
    lists for every demo user: none answers 5xx. About 50 s of CPU, the one test of the suite on SQLite."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "crowdsafe.settings",
        "DEBUG": "true",
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode == 0, (args, done.stderr[-3000:])
        return done.stdout

    # migrate and the three seed commands in one process: each process spends ~2.5 s of CPU starting Django (issue 19
    # point 3); the pages are read by a fresh process, as scripts/run's server would.
    run("-c", MIGRATE_AND_SEED_SCRIPT)
    out = run("-c", f"URLS = {URLS!r}\n" + PAGES_SCRIPT)
    assert "BROKEN []" in out, out[-3000:]
