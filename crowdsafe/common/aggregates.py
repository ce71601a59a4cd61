"""Counts read together: several one-row aggregates — each a scoped queryset of its own app, reduced with
``one_row`` — read in one statement by ``read_together`` instead of one round trip each (the leaders' dashboard
reads a dozen counts of as many tables for every page and every refresh of the wall screen; issue 17 point 8).

    counts = read_together(
        {
            "venues": one_row(register_visible(user=user), red=Count("pk", filter=Q(level="red"))),
            "incidents": one_row(incident_list(user=user).filter(status="open"), n=Count("pk")),
        }
    )
    counts["venues"]["red"], counts["incidents"]["n"]

The figures are those of ``qs.aggregate(**aggregates)`` on each queryset alone (tests/kernel/test_aggregates.py).
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import QuerySet, Value


def one_row(qs: QuerySet[Any], **aggregates: Any) -> QuerySet[Any]:
    """``qs.aggregate(**aggregates)`` left unread: a query of one row, no GROUP BY (grouping by a constant
    ``Value`` groups nothing). Read it alone with ``.get()`` (a dict), or with others through ``read_together``."""
    return qs.order_by().values(_all=Value(1)).annotate(**aggregates).values(*aggregates)


def read_together(parts: dict[str, QuerySet[Any]]) -> dict[str, dict[str, Any]]:
    """The rows of several ``one_row`` queries by part name, read in one statement: ``SELECT * FROM (part 1)
    CROSS JOIN (part 2) …`` (each part one row, so one row in all). The parts read the database of the first."""
    alias = next(iter(parts.values())).db
    sqls, params, names = [], [], []
    for index, qs in enumerate(parts.values()):
        sql, part_params = qs.query.get_compiler(using=alias).as_sql()
        sqls.append(f"({sql}) AS part{index}")
        params.extend(part_params)
        names.append(list(qs.query.annotation_select))
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT * FROM " + " CROSS JOIN ".join(sqls), params)
        row = list(cursor.fetchone())
    found: dict[str, dict[str, Any]] = {}
    for part, columns in zip(parts, names, strict=True):
        found[part] = {column: row.pop(0) for column in columns}
    return found
