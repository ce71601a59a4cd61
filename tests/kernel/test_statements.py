"""crowdsafe.common.statements: a QuerySet compiled once gives what the QuerySet gives, and a builder whose SQL or
parameters depend on its values is refused (issue 19)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from crowdsafe.common import statements
from crowdsafe.common.statements import SHAPE, Statement
from crowdsafe.org.access import forget_scope, get_scope
from crowdsafe.org.models import Jurisdiction, Membership

pytestmark = pytest.mark.django_db

RELATED = ("department__jurisdiction", "jurisdiction", "organisation__jurisdiction")


def _memberships(user_id):
    return Membership.objects.filter(user_id=user_id).select_related(*RELATED)


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_instances_are_the_querysets_with_their_related_instances(users):
    statement = Statement(_memberships, user_id=int)
    for user in (users.staff, users.township_officer, users.organizer, users.outsider):
        expected = list(_memberships(user.pk))
        with CaptureQueriesContext(connection) as captured:
            got = statement.instances(user_id=user.pk)
            # the related instances came with the row: reading them asks nothing more
            for m in got:
                for related in (m.department, m.jurisdiction, m.organisation):
                    if related is not None:
                        _fields(related)
                if m.department is not None:
                    _fields(m.department.jurisdiction)
                if m.organisation is not None:
                    _fields(m.organisation.jurisdiction)
        assert len(captured) == 1
        assert [_fields(m) for m in got] == [_fields(m) for m in expected]
        for mine, theirs in zip(got, expected, strict=True):
            assert not mine._state.adding and mine._state.db == theirs._state.db
            for name in ("department", "jurisdiction", "organisation"):
                assert getattr(mine, name) == getattr(theirs, name)


def test_compiled_once_per_connection_then_only_executed(users, monkeypatch):
    built = []

    def build(user_id):
        built.append(user_id)
        return _memberships(user_id)

    statement = Statement(build, user_id=int)
    statement.instances(user_id=users.staff.pk)
    assert len(built) == 2  # the two stand-in compilations
    assert [m.user_id for m in statement.instances(user_id=users.head.pk)] == [users.head.pk]
    assert statement.instances(user_id=-1) == []
    assert len(built) == 2


def test_rows_of_a_values_statement_with_an_annotation(city):
    statement = Statement(
        lambda code: (
            Jurisdiction.objects.filter(code=code)
            .annotate(children_n=Count("children"))
            .values_list("name", "children_n")
        ),
        code=str,
    )
    assert statement.rows(code=city.wenfeng.code) == [(city.wenfeng.name, city.wenfeng.children.count())]
    assert statement.rows(code="no such code") == []
    with pytest.raises(ImproperlyConfigured, match="values, not model instances"):
        statement.instances(code=city.wenfeng.code)


def test_a_date_value_in_its_place(city):
    statement = Statement(
        lambda day: Jurisdiction.objects.filter(pk=city.wenfeng.pk, depth__gte=0).extra(
            where=["%s::date < '2100-01-01'"], params=[day]
        ),
        day=dt.date,
    )
    assert [j.pk for j in statement.instances(day=dt.date(2026, 12, 7))] == [city.wenfeng.pk]


def test_a_date_the_database_takes_as_a_string_is_written_so_at_each_run(city, monkeypatch):
    """SQLite's operations write a date parameter as a string ('2026-12-07'): the stand-in is recognised in that form
    and each run's date is written the same way (the embedded default database)."""
    from django.db import connections

    from duties.models import Task
    from tests.duties.conftest import make_tasks

    make_tasks(3, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=city.wenfeng)
    ops = connections["default"].ops
    monkeypatch.setattr(ops, "adapt_datefield_value", lambda value: None if value is None else value.isoformat())
    statement = Statement(
        lambda day: Task.objects.filter(due_date__gte=day).order_by("pk").values_list("pk"), day=dt.date
    )
    day = Task.objects.order_by("due_date").values_list("due_date", flat=True)[1]
    with CaptureQueriesContext(connection) as captured:
        rows = statement.rows(day=day)
    assert rows == list(Task.objects.filter(due_date__gte=day).order_by("pk").values_list("pk"))
    assert day.isoformat() in captured.captured_queries[-1]["sql"]


def test_a_like_pattern_is_written_again_from_each_value(city):
    """``startswith`` / ``contains`` / ``endswith``: the pattern is the lookup's (a ``%`` or ``_`` in the value is
    matched as itself, as Django escapes it)."""
    under = Statement(lambda path: Jurisdiction.objects.filter(path__startswith=path).order_by("path"), path=str)
    assert [j.pk for j in under.instances(path=city.wenfeng.path)] == list(
        Jurisdiction.objects.filter(path__startswith=city.wenfeng.path).order_by("path").values_list("pk", flat=True)
    )
    assert under.instances(path="4105%") == [] and under.instances(path="4105__/") == []
    named = Statement(
        lambda part, end: Jurisdiction.objects.filter(name__contains=part, name__endswith=end).values_list("code"),
        part=str,
        end=str,
    )
    assert named.rows(part="东大", end="街道") == [(city.street.code,)]
    assert named.rows(part="%", end="街道") == []


def test_a_tuple_of_values_in_an_in_list_each_length_compiled_once(city, users):
    built = []

    def build(codes, user_id):
        built.append(len(codes))
        return Jurisdiction.objects.filter(code__in=codes).exclude(pk=user_id).order_by("code").values_list("code")

    statement = Statement(build, codes=(str,), user_id=int)
    assert statement.rows(codes=(city.street.code, city.wenfeng.code), user_id=0) == [
        (city.wenfeng.code,),
        (city.street.code,),
    ]
    assert statement.rows(codes=(city.grid.code, city.anyang.code), user_id=0) == [
        (city.anyang.code,),
        (city.grid.code,),
    ]
    assert statement.rows(codes=(city.grid.code,), user_id=city.grid.pk) == []
    assert built == [2, 2, 1, 1]
    # No value: Django finds the statement empty, and nothing is run.
    with CaptureQueriesContext(connection) as captured:
        assert statement.rows(codes=(), user_id=0) == []
    assert len(captured) == 0


def test_a_shape_chooses_the_sql_each_compiled_once_and_a_few_kept(city, monkeypatch):
    """SHAPE arguments (an order, a page's LIMIT/OFFSET) reach the builder as given; each shape is compiled when
    first met and kept, the oldest forgotten past SHAPES_PER_STATEMENT."""
    built = []

    def build(order, page, prefix):
        built.append((order, page))
        start, stop = page
        return (
            Jurisdiction.objects.filter(path__startswith=prefix).order_by(order, "pk").values_list("code")[start:stop]
        )

    statement = Statement(build, order=SHAPE, page=SHAPE, prefix=str)
    prefix = city.anyang.path
    for order in ("code", "-code"):
        for page in ((0, 2), (2, 4)):
            expected = list(build(order, page, prefix))
            assert statement.rows(order=order, page=page, prefix=prefix) == expected
            assert statement.rows(order=order, page=page, prefix=prefix) == expected
    assert len(built) == 4 * 3  # four shapes, each two stand-in compilations, plus the references
    assert (
        statement.rows(order="code", page=(0, 2), prefix=prefix)[0]
        != statement.rows(order="-code", page=(0, 2), prefix=prefix)[0]
    )
    monkeypatch.setattr(statements, "SHAPES_PER_STATEMENT", 2)
    built.clear()
    for page in ((0, 1), (1, 2), (2, 3)):
        statement.rows(order="code", page=page, prefix=prefix)
    assert len(connections["default"].__dict__[statement._key]) == 2
    built.clear()
    statement.rows(order="code", page=(2, 3), prefix=prefix)  # still kept
    assert built == []


def test_a_value_the_sql_derives_something_else_from_is_refused():
    later = Statement(
        lambda day: Membership.objects.filter(created_at__date__lt=day + dt.timedelta(days=3)), day=dt.date
    )
    with pytest.raises(ImproperlyConfigured, match="derived from a value"):
        later.instances(day=dt.date(2026, 12, 7))


def test_sql_that_depends_on_a_value_is_refused():
    shaped = Statement(
        lambda user_id: (
            Membership.objects.filter(user_id=user_id)
            if user_id % 2
            else Membership.objects.filter(user_id=user_id, role="staff")
        ),
        user_id=int,
    )
    with pytest.raises(ImproperlyConfigured, match="depends on its values"):
        shaped.instances(user_id=1)


def test_an_unused_value_a_wrong_name_and_a_boolean_are_refused():
    unused = Statement(lambda user_id, role: Membership.objects.filter(user_id=user_id), user_id=int, role=str)
    with pytest.raises(ImproperlyConfigured, match="role not in its SQL"):
        unused.instances(user_id=1, role="staff")
    statement = Statement(_memberships, user_id=int)
    with pytest.raises(TypeError, match="takes user_id"):
        statement.instances(user=1)
    flag = Statement(lambda active: Membership.objects.filter(on_duty=active), active=bool)
    with pytest.raises(ImproperlyConfigured, match="boolean"):
        flag.instances(active=True)


def test_the_scope_reads_its_memberships_in_one_statement(users):
    """get_scope's memberships come from a Statement: one query, the same scope as before."""
    user = users.staff
    forget_scope(user)
    with CaptureQueriesContext(connection) as captured:
        scope = get_scope(user)
    assert len(captured) == 1
    assert "org_membership" in captured[0]["sql"]
    assert scope.department_ids == frozenset(
        Membership.objects.filter(user=user).values_list("department_id", flat=True)
    )
    assert [m.department.jurisdiction.path for m in scope.memberships] == [
        m.department.jurisdiction.path for m in user.memberships.select_related(*RELATED)
    ]


def test_a_database_chosen_per_run_is_named_with_using(users):
    """A builder naming its database (``.using()``, as ``replica_reads`` does) is refused unless the statement
    says how the database is chosen at each run (``using=``): then it runs where that says."""
    fixed = Statement(lambda user_id: Membership.objects.using("default").filter(user_id=user_id), user_id=int)
    with pytest.raises(ImproperlyConfigured, match="using="):
        fixed.instances(user_id=users.staff.pk)
    chosen = []

    def alias() -> str:
        chosen.append("default")
        return "default"

    named = Statement(
        lambda user_id: Membership.objects.using(alias()).filter(user_id=user_id), using=alias, user_id=int
    )
    assert [m.user_id for m in named.instances(user_id=users.staff.pk)] == [users.staff.pk]
    assert [m.user_id for m in named.instances(user_id=users.head.pk)] == [users.head.pk]
    # asked at each of the two runs; built (choosing it) twice, for the two compilations of the first run only
    assert len(chosen) == 1 + 2 + 1


def test_the_sql_of_a_run_for_a_statement_written_around_it(city):
    from django.core.exceptions import EmptyResultSet

    statement = Statement(
        lambda codes: Jurisdiction.objects.filter(code__in=codes).order_by().values_list("code"), codes=(str,)
    )
    sql, params = statement.sql(codes=(city.wenfeng.code, city.street.code))
    assert sorted(params) == sorted([city.wenfeng.code, city.street.code])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS part", params)
        assert cursor.fetchone() == (2,)
    with pytest.raises(EmptyResultSet):
        statement.sql(codes=())
