"""The read replica (issue 19 point 4): without one everything reads ``default``; with one (here a second
PostgreSQL instance on this machine, port 5433, given the default test database's schema and none of its rows),
the leaders' read-only selectors read it, while ordinary reads, writes and reads inside a transaction stay on
``default``. Skipped when no PostgreSQL answers on 5433 (``pg_createcluster 15 replica --port 5433``, see
README "How it grows past one machine")."""

from __future__ import annotations

import os
import subprocess

import psycopg2
import pytest
from django.db import connections, transaction

from crowdsafe.db import routers
from crowdsafe.db.routers import REPLICA, ReplicaRouter, read_alias, replica, replica_reads
from events import selectors
from events.models import Gathering
from risk import selectors as risk_selectors
from tests.events.conftest import report
from tests.risk.conftest import hazard
from tests.venues.conftest import make_venue

REPLICA_PORT = int(os.environ.get("CROWDSAFE_TEST_REPLICA_PORT", "5433"))


def _replica_server() -> dict | None:
    default = connections["default"].settings_dict
    try:
        host = default["HOST"] or "127.0.0.1"
        psycopg2.connect(host=host, port=REPLICA_PORT, user="postgres", dbname="postgres").close()
    except psycopg2.OperationalError:
        return None
    return default


@pytest.fixture
def second_instance(settings, transactional_db):
    """The 'replica' alias on the PostgreSQL instance at port 5433: a database with the default test database's
    schema (pg_dump --schema-only), and none of its rows."""
    default = _replica_server()
    if default is None:
        pytest.skip(f"no PostgreSQL on port {REPLICA_PORT}")
    host = default["HOST"] or "127.0.0.1"
    name = f"{default['NAME']}_replica"
    admin = psycopg2.connect(host=host, port=REPLICA_PORT, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = {**os.environ, "PGHOST": host, "PGUSER": default["USER"] or "postgres"}
    schema = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "-p", str(default["PORT"] or 5432), default["NAME"]],
        env=env,
        check=True,
        capture_output=True,
    ).stdout
    load = ["psql", "-q", "-p", str(REPLICA_PORT), "-d", name]
    subprocess.run(load, input=schema, env=env, check=True, capture_output=True)
    config = {**default, "NAME": name, "PORT": REPLICA_PORT, "TEST": {}}
    settings.DATABASES = {**settings.DATABASES, REPLICA: config}
    # A connection made here, not named in the settings Django's test case read: the test case allows it.
    replica_connection = connections["default"].__class__(config, alias=REPLICA)
    connections[REPLICA] = replica_connection
    yield name
    replica_connection.close()
    del connections[REPLICA]


@pytest.mark.django_db
def test_without_a_replica_everything_reads_default(users):
    assert REPLICA not in connections
    assert read_alias() == "default"
    with replica():
        assert ReplicaRouter().db_for_read(Gathering) == "default"
    assert selectors.attention_list(user=users.leader).db == "default"


@pytest.mark.django_db(transaction=True)
def test_the_leaders_selectors_read_the_replica_and_the_rest_reads_default(second_instance, city, users):
    gathering = report(users.grid_worker, grid=city.grid, title="大型聚集", estimated_attendance_max=6000)
    assert gathering.risk_level in ("orange", "red")
    assert read_alias() == REPLICA
    # A leader's list reads the replica (which has none of default's rows)…
    attention = selectors.attention_list(user=users.leader)
    assert attention.db == REPLICA and list(attention) == []
    assert risk_selectors.hazard_counts(user=users.leader)["open"] == 0
    # The hazard figures are a statement compiled once (crowdsafe.common.statements) but their database is still
    # chosen at each read: a hazard on default is not on the replica, and is counted inside a transaction.
    hazard(make_venue(city.grid, name="检查场所"), users.township_officer)
    assert risk_selectors.hazard_counts(user=users.leader)["open"] == 0
    with transaction.atomic():
        assert risk_selectors.hazard_counts(user=users.leader)["open"] == 1
    # …the ordinary list reads default and sees it.
    assert [g.pk for g in selectors.gathering_list(user=users.leader)] == [gathering.pk]
    # Inside a transaction on default (a service about to change what it reads), reads stay on default.
    with transaction.atomic():
        assert read_alias() == "default"
        assert [g.pk for g in selectors.attention_list(user=users.leader)] == [gathering.pk]
    # Under replica(), reads go to the replica and writes still go to default.
    with replica():
        assert not Gathering.objects.filter(pk=gathering.pk).exists()
        assert ReplicaRouter().db_for_write(Gathering) == "default"
        gathering.title = "改名"
        gathering.save(update_fields=["title"])
    assert Gathering.objects.get(pk=gathering.pk).title == "改名"
    assert replica_reads(Gathering.objects.all()).db == REPLICA
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_gathering")
        assert cursor.fetchone()[0] == 0
    assert routers.ReplicaRouter().allow_migrate(REPLICA, "events") is False
