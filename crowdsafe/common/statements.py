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

On first use on a connection it is built and compiled twice with two different stand-in values for each
argument, and the two compilations must agree on everything but those values: the same SQL, every other
parameter equal, each stand-in at the same places. A builder whose SQL depends on a value (a list whose length
makes the SQL, an ``if`` on a value) or that passes on a value derived from one (``today + 3 days``, a ``LIKE``
pattern) is refused there with an ``ImproperlyConfigured`` naming it: such a value would be kept as a constant. Each
run is then ``cursor.execute`` of the kept SQL with the values in their places, through the connection's own
cursor (its execute wrappers, the captured queries of tests and the bench) and the compiler's converters.

Use it where a statement runs on every request and its compilation shows in a profile; elsewhere the QuerySet is
clearer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.dispatch import receiver


def _stand_in(kind: type, index: int, round_: int) -> Any:
    """A value of ``kind`` that no real argument or constant takes: distinct per argument and per round."""
    n = 1_000_003 * (round_ + 1) + index
    if kind is bool:
        raise ImproperlyConfigured("a boolean cannot be told from a constant: build one statement per value")
    if kind is int:
        return -2_000_000_000 - n
    if kind is str:
        return f"\x1fcrowdsafe-statement-{n}\x1f"
    if kind is dt.date:
        return dt.date(1, 1, 1) + dt.timedelta(days=n % 300_000)
    if kind is dt.datetime:
        return dt.datetime(1, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=n)
    raise ImproperlyConfigured(f"a Statement takes int, str, date or datetime values, not {kind.__name__}")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: tuple[str | None, ...]  # per parameter: the argument it takes, or None (a constant)
    constants: tuple[Any, ...]
    compiler: Any
    populators: tuple[Any, ...]
    init_list: tuple[str, ...]
    model_fields: slice

    def params(self, values: dict[str, Any]) -> list[Any]:
        pairs = zip(self.slots, self.constants, strict=True)
        return [values[slot] if slot is not None else constant for slot, constant in pairs]


class Statement:
    """A QuerySet built by ``build(**values)`` and compiled once per connection; ``kinds`` names each value's type
    (int, str, date, datetime)."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        self.build = build
        self.kinds = kinds
        self._key = f"_crowdsafe_statement_{id(self)}"
        self._alias: str | None = None  # the database the router sends it to, known from the first build
        _STATEMENTS.append(self)

    def __repr__(self) -> str:
        return f"Statement({getattr(self.build, '__qualname__', self.build)!r})"

    def _compile(self, values: dict[str, Any]) -> tuple[str, tuple, Any, str]:
        queryset = self.build(**values)
        alias = queryset.db
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        return sql, tuple(params), compiler, alias

    def _compiled(self) -> tuple[_Compiled, str]:
        """The statement compiled on this thread's connection (kept on the connection object: its compiler holds
        that connection's operations for the converters)."""
        if self._alias is not None:
            cached = connections[self._alias].__dict__.get(self._key)
            if cached is not None:
                return cached, self._alias
        first = {name: _stand_in(kind, i, 0) for i, (name, kind) in enumerate(self.kinds.items())}
        second = {name: _stand_in(kind, i, 1) for i, (name, kind) in enumerate(self.kinds.items())}
        sql, params, compiler, alias = self._compile(first)
        sql_2, params_2, _, alias_2 = self._compile(second)
        if alias != alias_2:
            raise ImproperlyConfigured(f"{self!r}: its database depends on its values")
        if sql != sql_2 or len(params) != len(params_2):
            raise ImproperlyConfigured(f"{self!r}: its SQL depends on its values; build one statement per shape")
        by_first = {value: name for name, value in first.items()}
        slots: list[str | None] = []
        for one, two in zip(params, params_2, strict=True):
            name = by_first.get(one) if _hashable(one) else None
            if name is not None and second[name] == two:
                slots.append(name)
            elif one == two:
                slots.append(None)
            else:
                raise ImproperlyConfigured(
                    f"{self!r}: a parameter is derived from a value ({one!r}); pass what the SQL needs as a value"
                )
        unused = set(self.kinds) - set(slots)
        if unused:
            raise ImproperlyConfigured(f"{self!r}: {', '.join(sorted(unused))} not in its SQL")
        populators: tuple[Any, ...] = ()
        init_list: tuple[str, ...] = ()
        model_fields = slice(0, 0)
        klass_info = compiler.klass_info
        if klass_info is not None and not compiler.query.values_select and compiler.query.default_cols is not None:
            select_fields = klass_info["select_fields"]
            model_fields = slice(select_fields[0], select_fields[-1] + 1)
            init_list = tuple(f[0].target.attname for f in compiler.select[model_fields])
            populators = tuple(get_related_populators(klass_info, compiler.select, alias))  # type: ignore[call-arg]
        compiled = _Compiled(sql, tuple(slots), params, compiler, populators, init_list, model_fields)
        connections[alias].__dict__[self._key] = compiled
        self._alias = alias
        return compiled, alias

    def _execute(self, values: dict[str, Any], *, tuples: bool = False) -> tuple[_Compiled, str, list[Sequence[Any]]]:
        if set(values) != set(self.kinds):
            raise TypeError(f"{self!r} takes {', '.join(self.kinds)}, given {', '.join(values)}")
        compiled, alias = self._compiled()
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params(values))
            fetched = cursor.fetchall()
        compiler = compiled.compiler
        return compiled, alias, list(compiler.results_iter(results=[fetched], tuple_expected=tuples))

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows, each a tuple of the selected columns' values (converted as the ORM converts them)."""
        return self._execute(values, tuples=True)[2]  # type: ignore[return-value]

    def instances(self, **values: Any) -> list[Model]:
        """The model instances, with their ``select_related`` instances attached, as the QuerySet gives them."""
        compiled, alias, rows = self._execute(values)
        if not compiled.init_list:
            raise ImproperlyConfigured(f"{self!r} selects values, not model instances: use rows()")
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


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
