"""Counts read together (crowdsafe.common.aggregates, issue 17 point 8): several one-row aggregates in one
statement give the figures each gives alone, each in its own part, whatever the number of columns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from crowdsafe.common.aggregates import one_row, read_together, rows_of
from crowdsafe.org.models import Department, Jurisdiction

pytestmark = pytest.mark.django_db


def test_the_parts_are_read_in_one_statement_each_in_its_place(city):
    places = Jurisdiction.objects.filter(path__startswith=city.anyang.path)
    districts = Jurisdiction.objects.filter(level="district")
    aggregates = {
        "places": (places, {"total": Count("pk"), "townships": Count("pk", filter=Q(level="township"))}),
        "departments": (Department.objects.all(), {"n": Count("pk")}),
        "districts": (
            districts,
            {
                "n": Count("pk"),
                "anyang": Count("pk", filter=Q(path__startswith=city.anyang.path)),
                "beiguan": Count("pk", filter=Q(path__startswith=city.beiguan.path)),
            },
        ),
        "none": (Jurisdiction.objects.filter(code="nowhere"), {"n": Count("pk")}),
    }
    with CaptureQueriesContext(connection) as queries:
        found = read_together({name: one_row(qs, **agg) for name, (qs, agg) in aggregates.items()})
    assert len(queries.captured_queries) == 1
    assert found == {name: qs.aggregate(**agg) for name, (qs, agg) in aggregates.items()}
    assert found["places"] == {"total": 8, "townships": 3} and found["districts"] == {"n": 2, "anyang": 2, "beiguan": 1}
    assert found["none"] == {"n": 0}


def test_one_row_alone_is_the_aggregate(city):
    qs = Jurisdiction.objects.filter(path__startswith=city.wenfeng.path)
    agg = {"n": Count("pk"), "grids": Count("pk", filter=Q(level="grid"))}
    assert one_row(qs, **agg).get() == qs.aggregate(**agg) == {"n": 5, "grids": 1}


def _rows_parts(city):
    from django.db.models.functions import Upper

    places = Jurisdiction.objects.filter(path__startswith=city.anyang.path)
    return {
        "by_level": places.values_list("level").annotate(n=Count("pk")),
        "named": places.filter(level="district").annotate(upper=Upper("code")).values_list("pk", "name", "upper"),
        "nothing": Jurisdiction.objects.filter(code="nowhere").values_list("pk", "name"),
    }


def test_rows_of_parts_are_read_with_the_counts_in_one_statement(city):
    parts = _rows_parts(city)
    places = Jurisdiction.objects.filter(path__startswith=city.anyang.path)
    with CaptureQueriesContext(connection) as queries:
        found = read_together(
            {
                "by_level": rows_of(parts["by_level"]),
                "places": one_row(places, n=Count("pk")),
                "named": rows_of(parts["named"]),
                "nothing": rows_of(parts["nothing"]),
            }
        )
    assert len(queries.captured_queries) == 1
    assert list(found) == ["by_level", "places", "named", "nothing"]
    assert sorted(found["by_level"]) == sorted(parts["by_level"]) and ("township", 3) in found["by_level"]
    assert sorted(found["named"]) == sorted(parts["named"]) and len(found["named"]) == 2
    assert found["nothing"] == [] and found["places"] == {"n": 8}


def test_rows_of_parts_alone_and_without_postgresql_are_the_rows_of_the_query(city, monkeypatch):
    parts = _rows_parts(city)
    alone = read_together({"named": rows_of(parts["named"])})
    assert sorted(alone["named"]) == sorted(parts["named"])
    monkeypatch.setattr(connection, "vendor", "sqlite")  # no array_agg: each rows part a statement of its own
    with CaptureQueriesContext(connection) as queries:
        found = read_together(
            {"by_level": rows_of(parts["by_level"]), "places": one_row(Jurisdiction.objects.all(), n=Count("pk"))}
        )
    assert len(queries.captured_queries) == 2
    assert sorted(found["by_level"]) == sorted(parts["by_level"]) and list(found) == ["by_level", "places"]


def test_a_part_that_can_match_nothing_reads_as_over_no_rows(city):
    from django.db.models import Max

    nothing = Jurisdiction.objects.filter(pk__in=[])  # Django knows it is empty: no SQL for it
    places = Jurisdiction.objects.filter(path__startswith=city.anyang.path)
    with CaptureQueriesContext(connection) as queries:
        found = read_together(
            {
                "none": one_row(nothing, n=Count("pk"), last=Max("code")),
                "rows": rows_of(nothing.values_list("pk")),
                "places": one_row(places, n=Count("pk")),
            }
        )
    assert found == {"none": nothing.aggregate(n=Count("pk"), last=Max("code")), "rows": [], "places": {"n": 8}}
    assert found["none"] == {"n": 0, "last": None} and len(queries.captured_queries) == 1
    assert read_together({"none": one_row(nothing, n=Count("pk"))}) == {"none": {"n": 0}}
