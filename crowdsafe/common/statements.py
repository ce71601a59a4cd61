"""Statements compiled once: a QuerySet whose SQL is the same for every request but for a few values, turned
into SQL once per database connection and run again with the request's values (issue 19).

Django builds and compiles a QuerySet on every evaluation: the user's scope (their memberships, joined to their
departments, jurisdictions and organisations) cost ~0.9 ms of Python to compile and ~0.3 ms to turn into model
instances, on every page, against ~0.7 ms for PostgreSQL to run it. A ``Statement`` is written as a QuerySet
(the ORM still names the columns, the joins and the converters), built by a function of its values::

    MEMBERSHIPS = Statement(
        lambda user_id: Membership.objects.filter(user_id=user_id).select_related("department"),
        user_id=int,
    )
    MEMBERSHIPS.instances(user_id=user.pk)  # the model instances, their select_related ones attached

Each value is an ``int``, ``str``, ``date`` or ``datetime``, or a tuple of one of them of any length (``(int,)``:
the builder gets a tuple, e.g. for ``pk__in=``; each length is a statement of its own, compiled when first met).

On first use on a connection (for each combination of tuple lengths) it is built and compiled twice with two
different stand-in values for each argument, and the two compilations must agree on everything but those values:
the same SQL, every other parameter equal, each stand-in at the same places — as itself, or as the pattern of a
``startswith``/``contains``/``endswith`` lookup (``LIKE 'value%'``), which each run writes again from its value
as Django does. A builder whose SQL depends on a value (an ``if`` on it) or that passes on some other value
derived from one (``today + 3 days``) is refused there with an ``ImproperlyConfigured`` naming it: such a value
would be kept as a constant. Each run is then ``cursor.execute`` of the kept SQL with the values in their places,
through the connection's own cursor (its execute wrappers, the captured queries of tests and the bench) and the
compiler's converters. A statement Django finds empty (``pk__in=()``) runs nothing and returns nothing.

A builder whose SQL has a few forms (an order chosen by a filter, the page's ``LIMIT``/``OFFSET``, which Django
writes into the SQL) takes them as ``SHAPE`` arguments: given to the builder as they are, never replaced by
stand-ins, and part of what a compilation is kept under (each shape compiled when first met, at most
``SHAPES_PER_STATEMENT`` kept per connection: a shape takes few values, such as a status and a page).

Use it where a statement runs on every request and its compilation shows in a profile; elsewhere the QuerySet is
clearer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.dispatch import receiver


class _Shape:
    """The kind of a ``SHAPE`` argument (see the module docstring)."""

    def __repr__(self) -> str:
        return "SHAPE"


#: The kind of an argument that chooses the SQL's form rather than filling a parameter.
SHAPE = _Shape()
#: How many shapes of one statement a connection keeps compiled (the oldest is forgotten first).
SHAPES_PER_STATEMENT = 64

Kind = type | tuple[type] | _Shape
#: Where a parameter's value comes from: (argument, index in its tuple or None, the LIKE pattern's form, the
#: operation that adapts a date, or None).
Slot = tuple[str, int | None, str | None]
_PATTERNS = {"prefix": "{}%", "contains": "%{}%", "suffix": "%{}"}
#: How the database's operations write a date or a date and time as a parameter (a string on SQLite; as it is on
#: PostgreSQL): a value of that kind found so is written so at each run.
_ADAPTERS = {dt.date: "adapt_datefield_value", dt.datetime: "adapt_datetimefield_value"}


def _stand_in(kind: type, index: int, round_: int) -> Any:
    """A value of ``kind`` that no real argument or constant takes: distinct per argument and per round."""
    n = 1_000_003 * (round_ + 1) + index
    if kind is bool:
        raise ImproperlyConfigured("a boolean cannot be told from a constant: build one statement per value")
    if kind is int:
        return -2_000_000_000 - n
    if kind is str:
        return f"crowdsafe-statement-{n}-"  # nothing a LIKE pattern escapes
    if kind is dt.date:
        return dt.date(1, 1, 1) + dt.timedelta(days=n % 300_000)
    if kind is dt.datetime:
        return dt.datetime(1, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=n)
    raise ImproperlyConfigured(f"a Statement takes int, str, date or datetime values, not {kind.__name__}")


@dataclass(frozen=True)
class _Compiled:
    sql: str | None  # None: Django found it empty
    slots: tuple[Slot | None, ...]  # per parameter: where its value comes from, or None (a constant)
    constants: tuple[Any, ...]
    compiler: Any
    populators: tuple[Any, ...]
    init_list: tuple[str, ...]
    model_fields: slice

    def params(self, values: dict[str, Any], alias: str) -> list[Any]:
        result = []
        for slot, constant in zip(self.slots, self.constants, strict=True):
            if slot is None:
                result.append(constant)
                continue
            name, index, pattern = slot
            value = values[name] if index is None else values[name][index]
            if pattern in _ADAPTERS.values():
                value = getattr(connections[alias].ops, pattern)(value)
            elif pattern is not None:
                value = _PATTERNS[pattern].format(connections[alias].ops.prep_for_like_query(value))
            result.append(value)
        return result


class Statement:
    """A QuerySet built by ``build(**values)`` and compiled once per connection; ``kinds`` names each value's type
    (int, str, date, datetime, a one-type tuple such as ``(int,)`` for a tuple of any length, or ``SHAPE``).
    ``using``: for a statement whose database is chosen at each run (``crowdsafe.db.routers.read_alias``: the read
    replica, but not inside a transaction), the function that chooses it; it is compiled once per database. Without
    it, a builder that names a database (``.using()``) is refused: the first run's database would be kept for every
    run."""

    def __init__(
        self, build: Callable[..., QuerySet], *, using: Callable[[], str] | None = None, **kinds: Kind
    ) -> None:
        self.build = build
        self.using = using
        self.kinds = kinds
        self._key = f"_crowdsafe_statement_{id(self)}"
        self._alias: str | None = None  # the database the router sends it to, known from the first build
        _STATEMENTS.append(self)

    def __repr__(self) -> str:
        return f"Statement({getattr(self.build, '__qualname__', self.build)!r})"

    def _stand_ins(self, round_: int, lengths: dict[str, int], shapes: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for i, (name, kind) in enumerate(self.kinds.items()):
            if kind is SHAPE:
                values[name] = shapes[name]
            elif isinstance(kind, tuple):
                values[name] = tuple(_stand_in(kind[0], i * 10_000 + j, round_) for j in range(lengths[name]))
            else:
                values[name] = _stand_in(kind, i * 10_000, round_)
        return values

    def _compile(self, values: dict[str, Any]) -> tuple[str | None, tuple, Any, str]:
        queryset = self.build(**values)
        if queryset._db is not None and self.using is None:
            raise ImproperlyConfigured(
                f"{self!r}: its QuerySet names its database (.using()): name it per run instead (Statement(using=…))"
            )
        alias = queryset.db
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None, (), compiler, alias
        return sql, tuple(params), compiler, alias

    def _slot(self, one: Any, two: Any, first: dict[str, Any], second: dict[str, Any], ops: Any) -> Slot | None:
        """Where the parameter ``one`` (``two`` in the second compilation) comes from; None: a constant. ``ops``: the
        connection's operations, which may have written a date as the database takes it (SQLite: a string)."""
        for name, value in first.items():
            if self.kinds[name] is SHAPE:
                continue
            places = list(enumerate(value)) if isinstance(value, tuple) else [(None, value)]
            for index, stand_in in places:
                other = second[name] if index is None else second[name][index]
                if one == stand_in and two == other:
                    return name, index, None
                adapter = _ADAPTERS.get(type(stand_in))
                if adapter is not None:
                    adapt = getattr(ops, adapter)
                    if one == adapt(stand_in) and two == adapt(other):
                        return name, index, adapter
                if isinstance(stand_in, str) and isinstance(one, str) and isinstance(two, str):
                    for pattern, form in _PATTERNS.items():
                        if one == form.format(stand_in) and two == form.format(other):
                            return name, index, pattern
        if one == two:
            return None
        raise ImproperlyConfigured(
            f"{self!r}: a parameter is derived from a value ({one!r}); pass what the SQL needs as a value"
        )

    def _compiled(self, lengths: dict[str, int], shapes: dict[str, Any]) -> tuple[_Compiled, str]:
        """The statement compiled on this thread's connection (kept on the connection object: its compiler holds
        that connection's operations for the converters), for these tuple lengths and shapes."""
        shape = (tuple(sorted(lengths.items())), tuple(sorted(shapes.items())))
        wanted = self.using() if self.using is not None else self._alias
        if wanted is not None:
            cached = connections[wanted].__dict__.get(self._key, {}).get(shape)
            if cached is not None:
                return cached, wanted
        first, second = self._stand_ins(0, lengths, shapes), self._stand_ins(1, lengths, shapes)
        sql, params, compiler, alias = self._compile(first)
        sql_2, params_2, _, alias_2 = self._compile(second)
        if alias != alias_2 or (self.using is not None and alias != wanted):
            raise ImproperlyConfigured(f"{self!r}: its database is not the one its using= names, or depends on values")
        if sql != sql_2 or len(params) != len(params_2):
            raise ImproperlyConfigured(f"{self!r}: its SQL depends on its values; build one statement per shape")
        ops = connections[alias].ops
        slots = [self._slot(one, two, first, second, ops) for one, two in zip(params, params_2, strict=True)]
        used = {slot[0] for slot in slots if slot is not None}
        unused = [
            name
            for name, kind in self.kinds.items()
            if kind is not SHAPE and name not in used and (sql is not None and lengths.get(name, 1))
        ]
        if unused:
            raise ImproperlyConfigured(f"{self!r}: {', '.join(sorted(unused))} not in its SQL")
        populators: tuple[Any, ...] = ()
        init_list: tuple[str, ...] = ()
        model_fields = slice(0, 0)
        klass_info = getattr(compiler, "klass_info", None)
        if klass_info is not None and not compiler.query.values_select:
            select_fields = klass_info["select_fields"]
            model_fields = slice(select_fields[0], select_fields[-1] + 1)
            init_list = tuple(f[0].target.attname for f in compiler.select[model_fields])
            populators = tuple(get_related_populators(klass_info, compiler.select, alias))  # type: ignore[call-arg]
        compiled = _Compiled(sql, tuple(slots), params, compiler, populators, init_list, model_fields)
        kept = connections[alias].__dict__.setdefault(self._key, {})
        while len(kept) >= SHAPES_PER_STATEMENT:
            del kept[next(iter(kept))]
        kept[shape] = compiled
        self._alias = alias
        return compiled, alias

    def _for(self, values: dict[str, Any]) -> tuple[_Compiled, str]:
        if set(values) != set(self.kinds):
            raise TypeError(f"{self!r} takes {', '.join(self.kinds)}, given {', '.join(values)}")
        return self._compiled(
            {name: len(values[name]) for name, kind in self.kinds.items() if isinstance(kind, tuple)},
            {name: values[name] for name, kind in self.kinds.items() if kind is SHAPE},
        )

    def sql(self, **values: Any) -> tuple[str, list[Any]]:
        """The SQL and the parameters of a run, for a statement written around it (a ``UNION ALL`` of several);
        ``EmptyResultSet`` when Django finds it empty."""
        compiled, alias = self._for(values)
        if compiled.sql is None:
            raise EmptyResultSet
        return compiled.sql, compiled.params(values, alias)

    def _execute(self, values: dict[str, Any], *, tuples: bool = False) -> tuple[_Compiled, str, list[Sequence[Any]]]:
        compiled, alias = self._for(values)
        if compiled.sql is None:
            return compiled, alias, []
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params(values, alias))
            fetched = cursor.fetchall()
        compiler = compiled.compiler
        return compiled, alias, list(compiler.results_iter(results=[fetched], tuple_expected=tuples))

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows, each a tuple of the selected columns' values (converted as the ORM converts them)."""
        return self._execute(values, tuples=True)[2]  # type: ignore[return-value]

    def count(self, **values: Any) -> int:
        """How many rows the statement gives (``SELECT COUNT(*)`` around its SQL), as ``QuerySet.count()`` says."""
        compiled, alias = self._for(values)
        if compiled.sql is None:
            return 0
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({compiled.sql}) AS counted", compiled.params(values, alias))
            return int(cursor.fetchone()[0])

    def instances(self, **values: Any) -> list[Model]:
        """The model instances, with their ``select_related`` instances attached, as the QuerySet gives them."""
        compiled, alias, rows = self._execute(values)
        if compiled.sql is not None and not compiled.init_list:
            raise ImproperlyConfigured(f"{self!r} selects values, not model instances: use rows()")
        if not rows:
            return []
        model = compiled.compiler.klass_info["model"]
        annotations = compiled.compiler.annotation_col_map
        result = []
        for row in rows:
            obj = model.from_db(alias, compiled.init_list, row[compiled.model_fields])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in (annotations or {}).items():
                setattr(obj, name, row[position])
            result.append(obj)
        return result


_STATEMENTS: list[Statement] = []


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    """Tests that change the databases or their routers: every statement is compiled again where it is run."""
    if setting in ("DATABASES", "DATABASE_ROUTERS"):
        for statement in _STATEMENTS:
            statement._alias = None
            for alias in connections:
                connections[alias].__dict__.pop(statement._key, None)
