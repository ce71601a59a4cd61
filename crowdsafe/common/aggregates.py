"""Counts read together: several one-row aggregates — each a scoped queryset of its own app, reduced with
``one_row`` — read in one statement by ``read_together`` instead of one round trip each (the leaders' dashboard
reads a dozen counts of as many tables for every page and every refresh of the wall screen; issue 17 point 8).
A part may also be a few rows (``rows_of``: a grouped count, a handful of plans), read in the same statement.

    counts = read_together(
        {
            "venues": one_row(register_visible(user=user), red=Count("pk", filter=Q(level="red"))),
            "incidents": one_row(incident_list(user=user).filter(status="open"), n=Count("pk")),
            "levels": rows_of(gathering_visible(user=user).values_list("risk_level").annotate(n=Count("pk"))),
        }
    )
    counts["venues"]["red"], counts["incidents"]["n"], counts["levels"]  # a dict, a dict, a list of tuples

The figures are those of ``qs.aggregate(**aggregates)`` on each queryset alone, and the rows those of
``list(qs)`` (tests/kernel/test_aggregates.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable


def one_row(qs: QuerySet[Any], **aggregates: Any) -> QuerySet[Any]:
    """``qs.aggregate(**aggregates)`` left unread: a query of one row, no GROUP BY, that selects the aggregates
    alone. Read it alone with ``.get()`` (a dict), or with others through ``read_together``.

    Built on one clone of the query, as ``values()`` and ``annotate()`` build theirs (the same SQL as
    ``qs.order_by().values(_all=Value(1)).annotate(**aggregates).values(*aggregates)``, which grouped by a constant
    that Django leaves out, in half the time: risk now builds a dozen of these per call; issue 17 point 8)."""
    clone = qs.order_by()
    query = clone.query
    query.select_related = False
    query.clear_select_fields()
    query.default_cols = False
    query.group_by = None
    for alias, aggregate in aggregates.items():
        query.add_annotation(aggregate, alias, select=True)
    query.set_annotation_mask(aggregates)
    clone._iterable_class = ValuesIterable
    clone._fields = tuple(aggregates)
    return clone


@dataclass(frozen=True)
class Rows:
    """A ``values_list`` query of a few rows, for ``read_together`` (``rows_of``)."""

    qs: QuerySet[Any]


def rows_of(qs: QuerySet[Any]) -> Rows:
    """The rows of ``qs`` (a ``values_list`` query: tuples; a few rows, in no particular order — a sliced query
    keeps its order to choose its rows, but the caller sorts what it reads) as a part of ``read_together``: on
    PostgreSQL one array per column, ``SELECT array_agg(c0), array_agg(c1) … FROM (qs)``, one row like the
    counts; elsewhere read by a statement of their own."""
    return Rows(qs if qs.query.is_sliced else qs.order_by())


def read_together(parts: dict[str, QuerySet[Any] | Rows]) -> dict[str, Any]:
    """The rows of several ``one_row`` queries by part name (a dict each), and of ``rows_of`` parts (a list of
    tuples each), read in one statement: ``SELECT * FROM (part 1) CROSS JOIN (part 2) …`` (each part one row, so
    one row in all). The parts read the database of the first."""
    first = next(iter(parts.values()))
    alias = (first.qs if isinstance(first, Rows) else first).db
    connection = connections[alias]
    found: dict[str, Any] = {}
    sqls, params, readers = [], [], []
    for name, part in parts.items():
        if isinstance(part, Rows):
            if connection.vendor != "postgresql":  # no array_agg: a statement of its own
                found[name] = list(part.qs)
                continue
            compiler = part.qs.query.get_compiler(using=alias)
            try:
                sql, part_params = compiler.as_sql()
            except EmptyResultSet:  # the user may see none of them (their scope is NOTHING)
                found[name] = []
                continue
            columns = [f"c{i}" for i in range(compiler.col_count)]
            arrays = ", ".join(f"array_agg({c})" for c in columns)
            sql = f"SELECT {arrays} FROM ({sql}) AS rows ({', '.join(columns)})"
            readers.append((name, len(columns), _rows_reader(compiler)))
        else:
            annotations = part.query.annotation_select
            try:
                sql, part_params = part.query.get_compiler(using=alias).as_sql()
            except EmptyResultSet:  # what ``aggregate()`` gives over no rows: COUNT 0, others None
                found[name] = {c: getattr(a, "empty_result_set_value", None) for c, a in annotations.items()}
                continue
            columns = list(annotations)
            readers.append((name, len(columns), _dict_reader(columns)))
        sqls.append(f"({sql}) AS part{len(sqls)}")
        params.extend(part_params)
    if not sqls:
        return found
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM " + " CROSS JOIN ".join(sqls), params)
        row = list(cursor.fetchone())
    start = 0
    for name, width, reader in readers:
        found[name] = reader(row[start : start + width])
        start += width
    return {name: found[name] for name in parts}


def _dict_reader(columns: list[str]) -> Any:
    return lambda values: dict(zip(columns, values, strict=True))


def _rows_reader(compiler: Any) -> Any:
    """The columns' arrays (None: no rows) turned back into the rows ``list(qs)`` gives, through the fields'
    converters as Django reads them."""

    def read(arrays: list[list[Any] | None]) -> list[tuple[Any, ...]]:
        if arrays[0] is None:
            return []
        rows = zip(*arrays, strict=True)
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [tuple(r) for r in rows]

    return read
