"""Counts read together (crowdsafe.common.aggregates, issue 17 point 8): several one-row aggregates in one
statement give the figures each gives alone, each in its own part, whatever the number of columns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from crowdsafe.common.aggregates import one_row, read_together
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
