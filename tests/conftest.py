"""Shared fixtures: a small two-city tree (安阳市 with two districts, and 梅河口市) and users in it."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, Role
from tests.factories import DepartmentFactory, JurisdictionFactory, OrganisationFactory, UserFactory, member
from tests.helpers import snapshots

L = JurisdictionLevel


# The order test files are handed to pytest-xdist's workers (scripts/test: --dist loadfile, --no-loadscope-reorder):
# longest first, so that what is left at the end is short files and both workers finish together (by default
# xdist orders files by their number of tests, which put the long single-test files — the API schema run, the
# real-worker and browser tests — last, one worker still busy with them minutes after the other had finished).
# Seconds per file from tests/durations.json when there is one (`scripts/test --store-durations` writes it from a
# whole run); a file not in it counts 10 s per browser or real-worker test and 0.2 s per other test. The file may list
# only some files: the one committed on 2026-12-07 holds the slow ones measured one by one (issue 19 point 3), so that
# the long single-test files (the SQLite run, the schemathesis run, the existence oracle), guessed at 0.2 s, no longer
# come last and keep one worker busy alone for a minute at the end of the run.
DURATIONS = Path(__file__).with_name("durations.json")


def pytest_addoption(parser):
    parser.addoption(
        "--store-durations",
        action="store_true",
        help=f"write each test file's total duration (set-up, call, tear-down) to {DURATIONS.name}",
    )


def _file_of(item) -> str:
    return item.nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config, items):
    try:
        known = json.loads(DURATIONS.read_text())
    except (OSError, ValueError):
        known = {}
    guessed: dict[str, float] = {}
    for item in items:
        slow = item.get_closest_marker("browser") or item.get_closest_marker("integration")
        guessed[_file_of(item)] = guessed.get(_file_of(item), 0.0) + (10.0 if slow else 0.2)
    weight = {path: known.get(path, guess) for path, guess in guessed.items()}
    items.sort(key=lambda item: (-weight[_file_of(item)], _file_of(item)))  # stable: a file's own order kept


_durations: dict[str, float] = {}


def pytest_runtest_logreport(report):
    if report.nodeid:
        path = report.nodeid.split("::", 1)[0]
        _durations[path] = _durations.get(path, 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus):
    # On the controller (or a single process); xdist's workers have "workerinput".
    if session.config.getoption("store_durations") and not hasattr(session.config, "workerinput"):
        DURATIONS.write_text(
            json.dumps({path: round(seconds, 1) for path, seconds in sorted(_durations.items())}, indent=0) + "\n"
        )


# The rows the migrations leave in the test database (content types, permissions, the reference rows the data
# migrations seed: rules, bands, templates, the working-day calendar, ...), copied out once per test process right
# after it is migrated. A transactional test (browser, real worker, concurrency) ends by emptying every table
# (Django's flush); instead of running post_migrate's handlers and the seeding migrations again after it, every
# table is emptied and these rows are copied back (same ids) in one transaction: every test in this process,
# before or after a transactional one, starts from the database exactly as migrate left it.
_MIGRATED_ROWS: list[tuple[str, bytes]] = []


def _copy_out_migrated_rows(connection) -> list[tuple[str, bytes]]:
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    copied = []
    with connection.cursor() as cursor:
        for table in tables:
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
            if cursor.fetchone()[0]:
                buffer = io.BytesIO()
                cursor.copy_expert(f"COPY {name} TO STDOUT WITH (FORMAT binary)", buffer)
                copied.append((table, buffer.getvalue()))
    return copied


def _empty_and_restore(self) -> None:
    """Replaces TransactionTestCase._fixture_teardown (Django's flush and post_migrate): empties every table as
    the flush does and copies the migrated rows back, in one transaction.

    On PostgreSQL the tables are emptied with DELETE, not the flush's TRUNCATE: a TRUNCATE of the ~140 tables gives
    each table and index a new file, 3.6-5.4 s per test at load 5-6 (browser, real-worker and concurrency tests, ~4 s
    of each one's teardown), where a DELETE of the few rows a test leaves takes 0.03-0.1 s (issue 19 point 3). As
    with TRUNCATE no row trigger fires (the action log's append-only guard, the task counters': every table, the
    counters' included, ends empty either way): session_replication_role = replica, for this transaction only,
    which also leaves the foreign keys unchecked while every table is emptied in whatever order."""
    from django.core.management.color import no_style
    from django.core.management.sql import sql_flush
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    from crowdsafe.workdays.cache import calendar_changed

    for alias in self._databases_names(include_mirrors=False):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
            statements = [
                "SET LOCAL session_replication_role = replica",
                "; ".join(f"DELETE FROM {connection.ops.quote_name(table)}" for table in sorted(tables)),
                "SET LOCAL session_replication_role = origin",
            ]
        else:
            statements = sql_flush(no_style(), connection, reset_sequences=False, allow_cascade=False)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            for table, rows in _MIGRATED_ROWS if alias == DEFAULT_DB_ALIAS else ():
                cursor.copy_expert(
                    f"COPY {connection.ops.quote_name(table)} FROM STDIN WITH (FORMAT binary)", io.BytesIO(rows)
                )
    # What the working-day calendar's post_migrate receiver does: every process reads the calendar again.
    calendar_changed()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """With CROWDSAFE_TEST_DB_TEMPLATE (scripts/test sets it), this process's test database is a copy of that
    database, migrated once for the whole run, instead of one migrated here (~45 s of a core per process)."""
    template = os.environ.get("CROWDSAFE_TEST_DB_TEMPLATE")
    if template:
        from django.conf import settings

        settings.DATABASES["default"]["TEST"]["TEMPLATE"] = template


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection
    from django.test import TransactionTestCase

    with django_db_blocker.unblock():
        _MIGRATED_ROWS[:] = _copy_out_migrated_rows(connection)
        _take_snapshots(connection)
    flush = TransactionTestCase._fixture_teardown
    TransactionTestCase._fixture_teardown = _empty_and_restore
    yield
    TransactionTestCase._fixture_teardown = flush


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language and leaves it so: a request through the test client with another
    language (LocaleMiddleware activates it in this thread) or an ``activate`` without its ``deactivate`` would
    otherwise carry into whatever test the worker runs next — which failed tests expecting Chinese messages only
    when a file ran after such a test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _calendar_forgotten():
    """The working-day calendar read afresh by each test: the process keeps the calendar it read (keyed on a
    version token bumped after a commit), and a test that edits the calendar in its rolled-back transaction and
    computes a deadline left its edited copy in the worker — the next test's 30-day period ran a day longer."""
    from crowdsafe.workdays.cache import calendar_cache_clear

    calendar_cache_clear()
    yield
    calendar_cache_clear()


def _build_city() -> SimpleNamespace:
    """安阳市 410500 → 文峰区 410502 → 东大街街道 410502001 → 社区 410502001001 → 网格 G01;
    a second street 410502002; 北关区 410503 with a street; and 梅河口市 220581 with a township."""
    anyang = JurisdictionFactory(code="410500", name="安阳市", level=L.CITY, parent=None)
    wenfeng = JurisdictionFactory(code="410502", name="文峰区", level=L.DISTRICT, parent=anyang)
    street = JurisdictionFactory(code="410502001", name="东大街街道", level=L.TOWNSHIP, parent=wenfeng)
    community = JurisdictionFactory(code="410502001001", name="东大街社区", level=L.COMMUNITY, parent=street)
    grid = JurisdictionFactory(code="410502001001G01", name="东大街社区第一网格", level=L.GRID, parent=community)
    street2 = JurisdictionFactory(code="410502002", name="西大街街道", level=L.TOWNSHIP, parent=wenfeng)
    beiguan = JurisdictionFactory(code="410503", name="北关区", level=L.DISTRICT, parent=anyang)
    beiguan_street = JurisdictionFactory(code="410503001", name="红旗路街道", level=L.TOWNSHIP, parent=beiguan)
    meihekou = JurisdictionFactory(code="220581", name="梅河口市", level=L.CITY, parent=None)
    mhk_town = JurisdictionFactory(code="220581100", name="山城镇", level=L.TOWNSHIP, parent=meihekou)
    ns = SimpleNamespace(
        anyang=anyang,
        wenfeng=wenfeng,
        street=street,
        community=community,
        grid=grid,
        street2=street2,
        beiguan=beiguan,
        beiguan_street=beiguan_street,
        meihekou=meihekou,
        mhk_town=mhk_town,
    )
    ns.wenfeng_police = DepartmentFactory(
        name="安阳市公安局文峰分局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=wenfeng
    )
    ns.beiguan_police = DepartmentFactory(
        name="安阳市公安局北关分局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=beiguan
    )
    ns.city_police = DepartmentFactory(name="安阳市公安局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=anyang)
    ns.mhk_fire = DepartmentFactory(name="梅河口市消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=meihekou)
    ns.organisation = OrganisationFactory(name="安阳文化演艺有限公司", jurisdiction=wenfeng)
    return ns


def _build_users(city) -> SimpleNamespace:
    """One user per role, anchored in 文峰区 / 东大街街道 where the role allows it."""

    def make(role, username=None, **anchor):
        return member(UserFactory(username=username or f"u_{role}"), role=role, **anchor).user

    return SimpleNamespace(
        staff=make(Role.STAFF, department=city.wenfeng_police),
        head=make(Role.HEAD, department=city.wenfeng_police),
        grid_worker=make(Role.GRID_WORKER, jurisdiction=city.grid),
        township_officer=make(Role.TOWNSHIP_OFFICER, jurisdiction=city.street),
        leader=make(Role.LEADER, jurisdiction=city.wenfeng),
        admin=make(Role.ADMIN, jurisdiction=city.anyang),
        organizer=make(Role.ORGANIZER, organisation=city.organisation),
        outsider=make(Role.TOWNSHIP_OFFICER, username="u_outsider", jurisdiction=city.mhk_town),
    )


def _take_snapshots(connection) -> None:
    """``city`` and ``users`` built once for this process (``tests/helpers/snapshots.py``): ~1,100 tests ask for
    them, each paid ~240 statements and 0.25-0.4 s of set-up to build them (issue 19 point 3)."""
    from django.db import transaction

    with transaction.atomic():
        city = snapshots.take_at_start(connection, "city", _build_city)
        snapshots.take_at_start(connection, "users", lambda: _build_users(city), shared={"city": city})
        transaction.set_rollback(True)


@pytest.fixture
def city(db):
    """安阳市 410500 → 文峰区 410502 → 东大街街道 410502001 → 社区 410502001001 → 网格 G01;
    a second street 410502002; 北关区 410503 with a street; and 梅河口市 220581 with a township.
    (``_build_city``, given back from its snapshot.)"""
    from django.db import connection

    return snapshots.restore(connection, "city")


@pytest.fixture
def users(city):
    """One user per role, anchored in 文峰区 / 东大街街道 where the role allows it (``_build_users``, given back
    from its snapshot)."""
    from django.db import connection

    return snapshots.restore(connection, "users", shared={"city": city})


@pytest.fixture(scope="session")
def browser_env():
    # Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there
    # unless told the caller knows what it is doing (the browser tests touch the ORM only between steps).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return True
