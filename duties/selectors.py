"""Reads of the responsibility engine, already scoped to the user and joined for the pages that show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from crowdsafe.common.filters import FilterData
from crowdsafe.common.statements import SHAPE, Statement
from crowdsafe.org.access import OVERSIGHT_ROLES, get_scope, minimal_prefixes, path_q
from crowdsafe.org.choices import LEVEL_DEPTH, DepartmentKind, JurisdictionLevel, Role
from crowdsafe.org.models import Department, Jurisdiction, Membership
from duties.access import task_queue_territory, task_queue_visibility, work_view_branches, work_view_q
from duties.choices import OUTSTANDING_VALUES, PartyKind, TaskStatus
from duties.counts import usable_for as counts_usable_for
from duties.filters import (
    DONE_WINDOW_DAYS,
    DUE_SOON_DAYS,
    UNASSIGNED_Q,
    DueFilter,
    HeldFilter,
    PartyFilter,
    RuleFilterSet,
    StatusFilter,
    TaskFilterSet,
)
from duties.models import ResponsibilityRule, Task, TaskCount


def overdue_expression(today: dt.date) -> Case:
    """``is_overdue``: outstanding and past due, true from midnight on, before the nightly scan has run."""
    return Case(
        When(Q(status__in=OUTSTANDING_VALUES, due_date__lt=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def task_list(*, user, **visibility: Any) -> QuerySet[Task]:
    """Every task the user may see (see ``duties.access``), joined for lists and details. ``visibility``: the
    rule's options (``task_visible_q``)."""
    return _joined(Task.objects.visible_to(user, **visibility))


def _joined(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related(
        "responsible_department",
        "responsible_organisation",
        "responsible_jurisdiction",
        "responsible_person",
        "jurisdiction",
    )


def task_queue(*, user, filters: FilterData = None, today: dt.date | None = None) -> QuerySet[Task]:
    """The user's work queue: their departments' tasks, their organisation's (organizers, operators), their
    own, and their territory's (township officers, leaders), filtered by ``duties.filters.TaskFilterSet``
    (outstanding by default), overdue first, then by due date. Every row carries ``is_overdue``.

    A page of it (a slice) is read branch by branch of the visibility rule (``TaskQuerySet.read_rows_by_branch``):
    the same filters and order on each holder alone — a department, the person, a territory — then combined. The
    queue as it opens (no filter but the status) is read with statements compiled once for every user
    (``_QUEUE_PAGE``, ``_QUEUE_COUNT``: the same SQL, built from the visibility rule's values)."""
    today = today or timezone.localdate()
    filterset = TaskFilterSet.of(filters)
    visibility = task_queue_visibility(user, held=filterset.valid("held") == HeldFilter.MINE)
    filterset.form.is_valid()
    given = {name for name, value in filterset.form.cleaned_data.items() if value}
    # The queue as it opens (no filter but the status), for anyone but a superuser: its pages and count are read by
    # the compiled statements (the queryset stays what it is for any other use, without its branch reads).
    rule = visibility.values if visibility is not None and given <= {"status"} else None
    compiled = rule is not None
    if visibility is None:
        qs = _queue(task_list(user=user), [], filterset=filterset, user=user, today=today)
        shared = None
    else:
        shared = visibility.shared
        branches = [] if compiled else visibility.branches
        qs = _queue(task_list(user=user, shared=shared), branches, filterset=filterset, user=user, today=today)
    counters = None
    if not given or (given == {"held"} and filterset.valid("held") == HeldFilter.AREA):
        # The unfiltered queue is every outstanding task the user sees: its count grows with the territory (a
        # township's 8,300 outstanding tasks at a million, 14 ms); the counters hold the territory's part. "In my
        # area" is that less what the user holds (read per holder).
        counters = _queue_counters(user=user, today=today, shared=shared)
        if counters is not None and not given:
            qs = qs.count_from(lambda: counters()["open"])
        elif counters is not None:
            mine = task_queue(user=user, filters={"held": HeldFilter.MINE}, today=today)
            qs = qs.count_from(lambda: counters()["open"] - mine.count())
    if rule is not None:
        status = filterset.status_value()
        values = {"status": status, "today": today, **rule}
        qs = qs.read_pages_from(lambda start, stop: _QUEUE_PAGE.instances(page=(start, stop), **values))
        if counters is None or given:
            qs = qs.count_from(lambda: _QUEUE_COUNT.count(status=status, **rule))
    return qs


def _queue(
    tasks: QuerySet[Task], branches: list[Q], *, filterset: TaskFilterSet, user: Any, today: dt.date
) -> QuerySet[Task]:
    """``tasks`` (the visible ones, joined) as the queue: filtered, ``is_overdue`` on every row, in the order the
    status asks for, its pages read by ``branches`` of the visibility rule when there are several."""
    status = filterset.status_value()
    if status == TaskStatus.DONE:
        order: tuple[Any, ...] = ("-completed_at", "-id")
    elif status == TaskStatus.CANCELLED:
        order = ("-cancelled_at", "-id")
    elif status in (StatusFilter.OUTSTANDING, *OUTSTANDING_VALUES):
        # For outstanding tasks "overdue first, then by due date" is simply "by due date" (overdue means due
        # before today), and that order can be read from the partial index on (due_date, id) directly.
        order = ("due_date", "id")
    else:
        order = ("-is_overdue", "due_date", "id")

    def queue(qs: QuerySet[Task]) -> QuerySet[Task]:
        annotated = qs.annotate(is_overdue=overdue_expression(today))
        return filterset.apply(annotated, user=user, today=today).order_by(*order)

    result = queue(tasks)
    if len(branches) >= 2:
        rows = _joined(Task.objects.all()).annotate(is_overdue=overdue_expression(today)).order_by(*order)
        result = result.read_rows_by_branch([queue(Task.objects.filter(branch)) for branch in branches], rows=rows)
    return result


def _default_queue(*, status: str, today: dt.date, **values: tuple) -> QuerySet[Task]:
    """The queue as it opens (no filter but ``status``) of anyone whose visibility rule is made of ``values``
    (``duties.access.work_view_values``): what ``task_queue`` builds for them, built from values alone."""
    filterset = TaskFilterSet({"status": status})
    visible = _joined(Task.objects.filter(work_view_q(**values)))
    return _queue(visible, work_view_branches(**values), filterset=filterset, user=None, today=today)


_WORK_VIEW = {"departments": (int,), "organisations": (int,), "person": (int,), "paths": (str,), "shared": (int,)}
# The task queue as it opens, for every user (``task_queue``): a page of it, and how many tasks it holds.
_QUEUE_PAGE = Statement(
    lambda page, **values: _default_queue(**values)[page[0] : page[1]],
    page=SHAPE,
    status=SHAPE,
    today=dt.date,
    **_WORK_VIEW,
)
# (The count is of rows whose conditions name no day: the day is only in ``is_overdue`` and the order.)
_QUEUE_COUNT = Statement(
    lambda **values: _default_queue(today=dt.date.min, **values).order_by().values_list("pk"),
    status=SHAPE,
    **_WORK_VIEW,
)


OUTSTANDING_COUNTS = ("open", "overdue", "due_soon")


def queue_counts(*, user, today: dt.date | None = None) -> dict[str, int]:
    """The outstanding tasks of the user's queue (every task they may see): ``open`` (all), ``overdue`` (due before
    ``today``), ``due_soon`` (due today or in the next three days). Read from the counters where they can say
    (``_queue_counters``), otherwise counted from the tasks."""
    today = today or timezone.localdate()
    counters = _queue_counters(user=user, today=today)
    if counters is not None:
        return counters()
    return outstanding_counts(task_list(user=user).filter(status__in=OUTSTANDING_VALUES), today=today)


def outstanding_counts(tasks: QuerySet[Task], *, today: dt.date) -> dict[str, int]:
    """``queue_counts``'s figures of some tasks, in one aggregated statement."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    outstanding = Q(status__in=OUTSTANDING_VALUES)
    return tasks.order_by().aggregate(
        open=Count("pk", filter=outstanding),
        overdue=Count("pk", filter=outstanding & Q(due_date__lt=today)),
        due_soon=Count("pk", filter=outstanding & Q(due_date__gte=today, due_date__lte=soon)),
    )


def _queue_counters(*, user, today: dt.date, shared: list[int] | None = None) -> Callable[[], dict[str, int]] | None:
    """``queue_counts`` from the counters (``duties.counts``), as a function reading them in ONE statement, or None
    when they cannot say: the user has no territory (a department's queue is counted from its own index), the
    territory lies below a township (the counters' area), another day than today, or no counters (SQLite).

    The visibility rule is the territory's subtrees OR the rest (``duties.access.task_queue_territory``): the tasks
    in the territory are the counter rows of its areas (outstanding totals; outstanding by due day up to today + 3,
    the past days folded into one), the rest are the tasks outside the territory that the rest of the rule shows
    (held by the user's departments, organisations or the user, shared with their departments: indexed, few)."""
    paths, values = task_queue_territory(user, shared=shared)
    if paths == () or not counts_usable_for(paths, today):
        return None

    def read() -> dict[str, int]:
        soon = today + dt.timedelta(days=DUE_SOON_DAYS)
        if values is None:
            parts = [_COUNTER_TOTALS.sql(), _COUNTER_DUE.sql(soon=soon)]
        else:
            areas = values["paths"]
            parts = [_COUNTER_TOTALS_IN.sql(areas=areas), _COUNTER_DUE_IN.sql(soon=soon, areas=areas)]
            if any(values[name] for name in values if name != "paths"):
                parts.append(_OUTSIDE_TERRITORY.sql(**values))
        union = " UNION ALL ".join(f"({sql})" for sql, _params in parts)
        sql = f"""
            SELECT coalesce(sum(c.n) FILTER (WHERE c.kind IN ('t', 'r')), 0),
                   coalesce(sum(c.n) FILTER (WHERE c.kind IN ('o', 'r') AND c.day < %s), 0),
                   coalesce(sum(c.n) FILTER (WHERE c.kind IN ('o', 'r') AND c.day >= %s AND c.day <= %s), 0)
            FROM ({union}) AS c (kind, day, n)
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [today, today, soon, *(p for _sql, params in parts for p in params)])
            figures = cursor.fetchone()
        return dict(zip(OUTSTANDING_COUNTS, (int(n) for n in figures), strict=True))

    cached: list[dict[str, int]] = []

    def once() -> dict[str, int]:
        if not cached:
            cached.append(read())
        return cached[0]

    return once


def _counter_rows(rows: Q) -> QuerySet:
    return TaskCount.objects.filter(rows).order_by().values_list("kind", "day", "n")


# The counter rows the queue's counts add up (``_queue_counters``): the outstanding totals, and the outstanding by due
# day up to a day; everywhere, or in some areas. On every task page of a territory: compiled once.
_COUNTER_TOTALS = Statement(lambda: _counter_rows(Q(kind="t")))
_COUNTER_DUE = Statement(lambda soon: _counter_rows(Q(kind="o", day__lte=soon)), soon=dt.date)
_COUNTER_TOTALS_IN = Statement(lambda areas: _counter_rows(Q(kind="t") & path_q(areas, field="area")), areas=(str,))
_COUNTER_DUE_IN = Statement(
    lambda soon, areas: _counter_rows(Q(kind="o", day__lte=soon) & path_q(areas, field="area")),
    soon=dt.date,
    areas=(str,),
)


def _outside_territory(*, paths: tuple[str, ...], **rest: tuple) -> QuerySet:
    """The outstanding tasks outside the territory ``paths`` that the rest of the visibility rule shows (``rest``:
    the work view's values but its paths), as counter rows of their own kind (``r``) for ``_queue_counters``."""
    return (
        Task.objects.filter(work_view_q(paths=(), **rest), status__in=OUTSTANDING_VALUES)
        .exclude(path_q(paths, field="jurisdiction_path"))
        .order_by()
        .annotate(
            kind=Value("r", output_field=CharField()), day=F("due_date"), n=Value(1, output_field=BigIntegerField())
        )
        .values_list("kind", "day", "n")
    )


_OUTSIDE_TERRITORY = Statement(_outside_territory, **_WORK_VIEW)


def queue_departments(*, user) -> QuerySet[Department]:
    """The departments a user's queue can be filtered by: their own, or — for those who oversee a territory —
    the departments in and above it."""
    scope = get_scope(user)
    qs = Department.objects.filter(is_active=True).select_related("jurisdiction")
    if scope.is_superuser:
        return qs.order_by("jurisdiction__path", "kind", "name")
    territory = scope.jurisdiction_paths
    q = Q(pk__in=sorted(scope.department_ids))
    if territory:
        from crowdsafe.org.access import ancestors_q

        q |= path_q(territory) | ancestors_q(territory)
    return qs.filter(q).order_by("jurisdiction__path", "kind", "name")


def reassign_targets(*, user) -> QuerySet[Department]:
    """Departments a task can be given to: every active department in the user's city (a task may belong to a
    department of another district, or of the city)."""
    scope = get_scope(user)
    qs = Department.objects.filter(is_active=True).select_related("jurisdiction")
    if not scope.is_superuser:
        cities = {path.split("/", 1)[0] + "/" for path in scope.territory_paths + scope.organisation_paths}
        qs = qs.filter(path_q(cities))
    return qs.order_by("jurisdiction__path", "kind", "name")


def department_people(*, department_ids: Iterable[int]) -> list[Membership]:
    """Staff and heads of these departments (their memberships, with the user and the department): whom a head can
    give a task to. On every page of a head's queue (compiled once)."""
    return _DEPARTMENT_PEOPLE.instances(department_ids=tuple(sorted(set(department_ids))))  # type: ignore[return-value]


_DEPARTMENT_PEOPLE = Statement(
    lambda department_ids: (
        Membership.objects.filter(department_id__in=department_ids, role__in=[Role.STAFF, Role.HEAD])
        .select_related("user", "department")
        .order_by("department_id", "user__full_name", "user__username")
    ),
    department_ids=(int,),
)


# --- overview -----------------------------------------------------------------------------------------


@dataclass
class OverviewRow:
    """One line of the responsibility overview: a department, a township holding territorial tasks itself,
    the organisations (organizers and operators) together, or the unassigned tasks."""

    party: str
    label: str
    detail: str
    filters: dict[str, Any]
    queue_url: str = ""  # reversed once per overview, not four times per row
    open: int = 0
    due_soon: int = 0
    overdue: int = 0
    done: int = 0

    def _url(self, extra: str = "") -> str:
        # The row's filters encoded once per row (a city has a few hundred rows, four links each); the figures'
        # own filters are fixed strings appended to them.
        query = self.__dict__.get("_query")
        if query is None:
            query = (self.queue_url or reverse("duties:queue")) + "?" + urlencode(self.filters)
            self.__dict__["_query"] = query
        return query + extra

    @property
    def open_url(self) -> str:
        return self._url()

    @property
    def due_soon_url(self) -> str:
        return self._url(_DUE_SOON_QUERY)

    @property
    def overdue_url(self) -> str:
        return self._url(_OVERDUE_QUERY)

    @property
    def done_url(self) -> str:
        return self._url(_DONE_QUERY)


_DUE_SOON_QUERY = "&" + urlencode({"due": DueFilter.SOON})
_OVERDUE_QUERY = "&" + urlencode({"due": DueFilter.OVERDUE})
_DONE_QUERY = "&" + urlencode({"status": TaskStatus.DONE, "completed_within": DONE_WINDOW_DAYS})


@dataclass
class Overview:
    rows: list[OverviewRow] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    today: dt.date | None = None

    @property
    def totals(self) -> dict[str, int]:
        return {key: sum(getattr(row, key) for row in self.rows) for key in ("open", "due_soon", "overdue", "done")}


def _overview_counts(scoped: QuerySet[Task], *, today: dt.date, since: dt.datetime) -> list[dict[str, Any]]:
    """The overview's counts by holder, in ONE aggregated statement: conditional counts
    (``COUNT(*) FILTER (WHERE …)``, what ``Count(filter=Q(...))`` compiles to) over the UNION ALL of the
    outstanding tasks and the recently done ones.

    Why a union and not one ``WHERE outstanding OR recently done``: each branch is then read by an index-only
    scan of its own partial covering index (``duties_task_path_open_idx``, ``duties_task_path_done_idx``),
    never touching the wide task rows. With the OR, PostgreSQL can only combine the two indexes in a bitmap and
    visit the rows, and for a city-wide leader it read the whole table instead (bench/README.md)."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    org_held = Case(
        When(responsible_organisation__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    columns = ("department", "township", "org_held", "bucket", "due")

    def branch(qs: QuerySet[Task], bucket: str, due) -> tuple[str, tuple]:
        qs = qs.order_by().annotate(
            department=F("responsible_department_id"),
            township=F("responsible_jurisdiction_id"),
            org_held=org_held,
            bucket=Value(bucket, output_field=CharField()),
            due=due,
        )
        return qs.values_list(*columns).query.sql_with_params()

    open_sql, open_params = branch(scoped.filter(status__in=OUTSTANDING_VALUES), "o", F("due_date"))
    done_sql, done_params = branch(
        scoped.filter(status=TaskStatus.DONE, completed_at__gte=since), "d", Value(None, output_field=DateField())
    )
    sql = f"""
        SELECT t.department, t.township, t.org_held,
               COUNT(*) FILTER (WHERE t.bucket = 'o') AS n_open,
               COUNT(*) FILTER (WHERE t.bucket = 'o' AND t.due >= %s AND t.due <= %s) AS n_due_soon,
               COUNT(*) FILTER (WHERE t.bucket = 'o' AND t.due < %s) AS n_overdue,
               COUNT(*) FILTER (WHERE t.bucket = 'd') AS n_done
        FROM ({open_sql} UNION ALL {done_sql}) AS t
        GROUP BY t.department, t.township, t.org_held
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [today, soon, today, *open_params, *done_params])
        return [
            {
                "responsible_department_id": department,
                "responsible_jurisdiction_id": township,
                "org_held": bool(held),
                "n_open": n_open,
                "n_due_soon": n_due_soon,
                "n_overdue": n_overdue,
                "n_done": n_done,
            }
            for department, township, held, n_open, n_due_soon, n_overdue, n_done in cursor.fetchall()
        ]


def _overview_counters(paths: tuple[str, ...] | None, *, today: dt.date, since: dt.datetime) -> list[dict[str, Any]]:
    """``_overview_counts`` read from the counters (``duties.counts``: the formulas are there), in ONE statement:
    the counter rows of the territory that the figures need (outstanding and done totals, due days up to today + 3
    with the folded past, done days up to the first day of the window), plus the tasks done on that first day at or
    after ``since``, read from ``duties_task`` by the index on ``completed_at``. A few rows per holder and township,
    whatever the number of tasks.

    Each range is an index-only scan of the counters' index (UNION ALL, not an OR) grouped by holder on its own,
    with one plain sum (two for the due days), and the branches' few hundred rows are added up: at a million tasks
    (26,000 counter rows for the city) the statement took 26 ms instead of 41 ms with every row going through the
    four filtered sums of one aggregate (bench/README.md). Written as SQL text, not built by the ORM each time."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    first_day = since.astimezone(dt.UTC).date()
    day_after = dt.datetime.combine(first_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    params: dict[str, Any] = {
        "today": today,
        "soon": soon,
        "first_day": first_day,
        "since": since,
        "day_after": day_after,
        "done": TaskStatus.DONE.value,
    }
    area = task_area = ""
    if paths is not None:
        prefixes = minimal_prefixes(paths)
        if not prefixes:
            return []
        params |= {f"p{i}": connection.ops.prep_for_like_query(p) + "%" for i, p in enumerate(prefixes)}
        area = " AND (" + " OR ".join(f'"area"::text LIKE %(p{i})s' for i in range(len(prefixes))) + ")"
        task_area = area.replace('"area"', '"jurisdiction_path"')
    holder = "department_id, township_id, org_held"
    sql = f"""
        SELECT {holder},
               coalesce(sum(n_open), 0), coalesce(sum(n_due_soon), 0), coalesce(sum(n_overdue), 0),
               coalesce(sum(n_done), 0)
        FROM (
            SELECT {holder}, sum(n) AS n_open, 0 AS n_due_soon, 0 AS n_overdue, 0 AS n_done
            FROM duties_taskcount WHERE kind = 't'{area} GROUP BY 1, 2, 3
            UNION ALL
            SELECT {holder}, 0, sum(n) FILTER (WHERE day >= %(today)s), sum(n) FILTER (WHERE day < %(today)s), 0
            FROM duties_taskcount WHERE kind = 'o' AND day <= %(soon)s{area} GROUP BY 1, 2, 3
            UNION ALL
            SELECT {holder}, 0, 0, 0, sum(n)
            FROM duties_taskcount WHERE kind = 'D'{area} GROUP BY 1, 2, 3
            UNION ALL
            SELECT {holder}, 0, 0, 0, -sum(n)
            FROM duties_taskcount WHERE kind = 'd' AND day <= %(first_day)s{area} GROUP BY 1, 2, 3
            UNION ALL
            SELECT coalesce(responsible_department_id, 0), coalesce(responsible_jurisdiction_id, 0),
                   responsible_organisation_id IS NOT NULL, 0, 0, 0, count(*)
            FROM duties_task
            WHERE status = %(done)s AND completed_at >= %(since)s AND completed_at < %(day_after)s{task_area}
            GROUP BY 1, 2, 3
        ) AS c
        GROUP BY 1, 2, 3
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {
                "responsible_department_id": department or None,
                "responsible_jurisdiction_id": township or None,
                "org_held": bool(held),
                "n_open": int(n_open),
                "n_due_soon": int(n_due_soon),
                "n_overdue": int(n_overdue),
                "n_done": int(n_done),
            }
            for department, township, held, n_open, n_due_soon, n_overdue, n_done in cursor.fetchall()
            if n_open or n_done
        ]


def _holder_labels(department_ids: list[int], township_ids: list[int]) -> dict[tuple[str, int], tuple[str, str]]:
    """The names of the overview's holders, in one query whatever their number: ("d", id) → a department's name
    and kind, ("j", id) → a township's name (and ""). SQL text (a few hundred ids): the ORM's union of two
    querysets took ~4 ms to build per page."""
    parts, params = [], []
    for table, model, kind, ids in (
        ("d", Department, "kind", department_ids),
        ("j", Jurisdiction, "''", township_ids),
    ):
        if ids:
            placeholders = ", ".join(["%s"] * len(ids))
            parts.append(f"SELECT '{table}', id, name, {kind} FROM {model._meta.db_table} WHERE id IN ({placeholders})")
            params += ids
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {(table, pk): (name, kind) for table, pk, name, kind in cursor.fetchall()}


def responsibility_overview(*, user, today: dt.date | None = None) -> Overview:
    """For leaders: who owes what in their territory. Tasks about subjects in the territory, by holder, with
    outstanding / due soon (≤ 3 days) / overdue / done (last 30 days) counts — all counted in ONE statement, plus
    one query for the holders' names (``_holder_labels``). The statement reads the counters (``duties.counts``,
    a few rows per holder and township) for today and a territory of townships or larger; otherwise (another day,
    a village's leader) it groups the tasks themselves (``_overview_counts``). Both give the same figures."""
    scope = get_scope(user)
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=DONE_WINDOW_DAYS)
    territories: list[str] = []
    paths: tuple[str, ...] | None = None
    if not scope.is_superuser:
        paths = scope.paths_for(OVERSIGHT_ROLES)
        territories = [m.jurisdiction.name for m in scope.memberships if m.role in OVERSIGHT_ROLES]
    if counts_usable_for(paths, today):
        counts = _overview_counters(paths, today=today, since=since)
    else:
        qs = Task.objects.all() if paths is None else Task.objects.filter(path_q(paths, field="jurisdiction_path"))
        counts = _overview_counts(qs, today=today, since=since)
    labels = _holder_labels(
        [c["responsible_department_id"] for c in counts if c["responsible_department_id"]],
        [c["responsible_jurisdiction_id"] for c in counts if c["responsible_jurisdiction_id"]],
    )
    kinds = dict(DepartmentKind.choices)
    details: dict[str, str] = {}  # each kind of department translated once, not once per department
    territorial = _("Township / street (no township-government department)")
    rows = []
    queue_url = reverse("duties:queue")
    for c in counts:
        if c["responsible_department_id"]:
            name, kind = labels["d", c["responsible_department_id"]]
            if kind not in details:
                details[kind] = str(kinds.get(kind, kind))  # what Department.get_kind_display() says
            row = OverviewRow(
                party=PartyKind.DEPARTMENT,
                label=name,
                detail=details[kind],
                filters={"department": c["responsible_department_id"]},
            )
        elif c["responsible_jurisdiction_id"]:
            name, _kind = labels["j", c["responsible_jurisdiction_id"]]
            row = OverviewRow(
                party=PartyKind.TERRITORIAL,
                label=name,
                detail=territorial,
                filters={"responsible_jurisdiction": c["responsible_jurisdiction_id"]},
            )
        elif c["org_held"]:
            row = OverviewRow(
                party=PartyFilter.ORGANISATION,
                label=_("Organizers and venue operators"),
                detail=_("Duties of the organisations themselves"),
                filters={"party": PartyFilter.ORGANISATION},
            )
        else:
            row = OverviewRow(
                party=PartyFilter.UNASSIGNED,
                label=_("Unassigned"),
                detail=_("No party found by the rule: see the rules health page"),
                filters={"party": PartyFilter.UNASSIGNED},
            )
        row.queue_url = queue_url
        row.open, row.due_soon, row.overdue, row.done = c["n_open"], c["n_due_soon"], c["n_overdue"], c["n_done"]
        rows.append(row)
    order = {PartyKind.DEPARTMENT: 0, PartyKind.TERRITORIAL: 1, PartyFilter.ORGANISATION: 2, PartyFilter.UNASSIGNED: 3}
    rows.sort(key=lambda r: (-r.overdue, order.get(r.party, 9), r.label))
    return Overview(rows=rows, territories=territories, today=today)


# --- rules ---------------------------------------------------------------------------------------------


def rule_list(*, user=None, filters: FilterData = None) -> QuerySet[ResponsibilityRule]:
    """The responsibility rules: city-wide policy, readable by every signed-in user (``duties.filters.RuleFilterSet``:
    a subject type, active rules only)."""
    return RuleFilterSet.of(filters).apply(ResponsibilityRule.objects.all()).order_by("subject_type", "name")


class RuleGap(NamedTuple):
    """A (rule, jurisdiction) pair: the rule would find no department for subjects in ``jurisdiction`` — no
    active department of its kind at or above it (from the rule's level)."""

    rule: ResponsibilityRule
    jurisdiction: Jurisdiction


def _rank(level: str) -> int:
    return LEVEL_DEPTH[JurisdictionLevel(level)]


def rules_health(*, within: Iterable[str] | None = None) -> list[RuleGap]:
    """Every (rule, jurisdiction) pair, for every district/county and township/street (in ``within``, a list of
    subtree paths, or everywhere), where an active department rule finds no active department of its kind at or
    above that jurisdiction. Three queries, whatever the number of rules and jurisdictions."""
    rules = list(
        ResponsibilityRule.objects.filter(is_active=True, party_kind=PartyKind.DEPARTMENT).order_by(
            "subject_type", "name"
        )
    )
    if not rules:
        return []
    levels = [JurisdictionLevel.CITY, JurisdictionLevel.DISTRICT, JurisdictionLevel.TOWNSHIP]
    nodes = list(Jurisdiction.objects.filter(level__in=levels).order_by("path"))
    by_path = {j.path: j for j in nodes}
    covered: set[tuple[int, str]] = set(
        Department.objects.filter(is_active=True).values_list("jurisdiction_id", "kind")
    )
    checked = [j for j in nodes if j.level in (JurisdictionLevel.DISTRICT, JurisdictionLevel.TOWNSHIP)]
    if within is not None:
        prefixes = tuple(within)
        checked = [j for j in checked if j.path.startswith(prefixes)]
    gaps: list[RuleGap] = []
    for rule in rules:
        start = _rank(rule.department_level) if rule.department_level else None
        for jurisdiction in checked:
            chain = [by_path[p] for p in _self_and_ancestors(jurisdiction.path) if p in by_path]
            if start is not None:
                chain = [j for j in chain if _rank(j.level) <= start]
            if not any((j.pk, rule.department_kind) in covered for j in chain):
                gaps.append(RuleGap(rule=rule, jurisdiction=jurisdiction))
    return gaps


def _self_and_ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def health_paths(user) -> tuple[str, ...] | None:
    """The subtrees a user's health page covers (None: everything, for superusers)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return None
    return scope.paths_for(OVERSIGHT_ROLES)


def unassigned_tasks(*, user) -> QuerySet[Task]:
    """Outstanding tasks whose rule found no party, in the user's territory."""
    return task_list(user=user).filter(UNASSIGNED_Q, status__in=OUTSTANDING_VALUES).order_by("due_date", "id")
