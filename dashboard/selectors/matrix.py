"""The responsibility matrix (责任落实矩阵, issue 17 point 1): the children of a jurisdiction as rows × the
holders of tasks (departments by kind, then the townships themselves, the organisations, the unassigned) as
columns, for a period.

Figures of a cell, outstanding ones as of ``today``, done ones over the period:

- open: outstanding (open, in progress, overdue);
- due soon: outstanding, due from today up to the third working day after today (the working-day calendar);
- overdue: outstanding, due before today;
- done: completed in the period (the day of completion in the city's time zone);
- on-time rate: done by the due date ÷ done;
- median days overdue: the median of (today − due date) over the overdue tasks (``percentile_cont(0.5)``);
- the oldest overdue task (earliest due date, then lowest id).

Every figure is counted in ONE grouped statement (a hash aggregate by row, column and overdue due date; the
totals, the medians and the oldest tasks are rolled up from it in Python), and every figure
links to the task list with exactly the filters that give its rows (``duties.filters.TaskFilterSet``: territory,
at_jurisdiction, department_kind, party, due, status, completed_from/to, on_time). The statement starts from
``Task.objects.visible_to(user)``, the task list's own starting point, so a figure and its list cannot differ."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from crowdsafe.org.choices import DepartmentKind
from crowdsafe.org.models import Jurisdiction
from crowdsafe.workdays.selectors import add_working_days
from duties.choices import OUTSTANDING_VALUES, TaskStatus
from duties.filters import DUE_SOON_WORKING_DAYS, DueFilter, PartyFilter
from duties.models import Task

# Columns that are not departments: the township holding a territorial task itself, the organisations (organizers
# and venue operators), and the tasks whose rule found no one. Their keys cannot collide with a department kind.
TERRITORIAL = "~territorial"
ORGANISATION = "~organisation"
UNASSIGNED = "~unassigned"
PARTY_OF = {
    TERRITORIAL: PartyFilter.JURISDICTION,
    ORGANISATION: PartyFilter.ORGANISATION,
    UNASSIGNED: PartyFilter.UNASSIGNED,
}
OWN_LEVEL = 0  # the row key of tasks about the chosen jurisdiction itself (not in any child)

# Lateness of a cell (its colour): none outstanding, on track, behind (something overdue), late (a fifth or more of
# the outstanding tasks overdue, or the median overdue task a working week late or more).
LATE_SHARE = 0.2
LATE_MEDIAN_DAYS = 7


@dataclass
class Cell:
    """The figures of one cell (or of a row's, a column's or the whole matrix's total) and their links."""

    filters: dict[str, Any]
    period: tuple[dt.date, dt.date]
    open: int = 0
    due_soon: int = 0
    overdue: int = 0
    done: int = 0
    on_time: int = 0
    median_days_overdue: float | None = None
    oldest: Task | None = None
    oldest_id: int | None = None
    label: str = ""  # the holder's name (a column's label), for the phone's cards

    @property
    def on_time_rate(self) -> float | None:
        """Done by the due date ÷ done; None when nothing was done in the period."""
        return self.on_time / self.done if self.done else None

    @property
    def on_time_percent(self) -> int | None:
        rate = self.on_time_rate
        return None if rate is None else round(rate * 100)

    @property
    def lateness(self) -> str:
        if not self.open:
            return "none"
        if not self.overdue:
            return "ok"
        if self.overdue >= LATE_SHARE * self.open or (self.median_days_overdue or 0) >= LATE_MEDIAN_DAYS:
            return "late"
        return "behind"

    def _url(self, **extra: Any) -> str:
        return reverse("duties:queue") + "?" + urlencode({**self.filters, **extra})

    def _done(self) -> dict[str, Any]:
        start, end = self.period
        return {"status": TaskStatus.DONE.value, "completed_from": start.isoformat(), "completed_to": end.isoformat()}

    @property
    def open_url(self) -> str:
        return self._url()

    @property
    def due_soon_url(self) -> str:
        return self._url(due=DueFilter.SOON_WORKING)

    @property
    def overdue_url(self) -> str:
        return self._url(due=DueFilter.OVERDUE)

    @property
    def done_url(self) -> str:
        return self._url(**self._done())

    @property
    def on_time_url(self) -> str:
        return self._url(**self._done(), on_time="on")

    @property
    def oldest_url(self) -> str:
        return reverse("duties:detail", args=[self.oldest_id]) if self.oldest_id else ""


@dataclass
class Column:
    key: str
    label: str
    filters: dict[str, Any]


@dataclass
class Row:
    key: int
    label: str
    jurisdiction: Jurisdiction
    filters: dict[str, Any]
    own_level: bool = False
    cells: list[Cell] = field(default_factory=list)
    total: Cell | None = None


@dataclass
class Matrix:
    root: Jurisdiction
    today: dt.date
    period: tuple[dt.date, dt.date]
    due_soon_until: dt.date
    columns: list[Column]
    rows: list[Row]
    column_totals: list[Cell]
    total: Cell


def _column_label(key: str) -> str:
    if key == TERRITORIAL:
        return _("Township / street itself")
    if key == ORGANISATION:
        return _("Organizers and venue operators")
    if key == UNASSIGNED:
        return _("Unassigned")
    return str(DepartmentKind(key).label)


def _column_filters(key: str) -> dict[str, Any]:
    if key in PARTY_OF:
        return {"party": PARTY_OF[key]}
    return {"department_kind": key}


def _column_order(key: str) -> tuple[int, int]:
    kinds = [k.value for k in DepartmentKind]
    if key in kinds:
        return (0, kinds.index(key))
    return (1, [TERRITORIAL, ORGANISATION, UNASSIGNED].index(key))


def _counts(
    base: QuerySet[Task],
    *,
    root: Jurisdiction,
    children: list[Jurisdiction],
    today: dt.date,
    until: dt.date,
    period: tuple[dt.date, dt.date],
) -> list[tuple]:
    """The one grouped statement, then the roll-ups in Python. The inner query (built by the ORM from the scoped
    queryset, so scoping stays the model's rule) keeps the outstanding tasks and the ones done in the period under
    ``root``, each with its row (the child whose subtree holds it, or ``OWN_LEVEL``) and column; the outer one
    counts them by (row, column, due date of the overdue ones) with a hash aggregate — no sort of the tasks, the
    cost at a million tasks (bench/bench_dashboard.py). Counts add up into the rows', columns' and the whole
    matrix's totals; the median days overdue and the oldest overdue task come from the overdue due dates' histogram
    (the same value as ``percentile_cont(0.5)`` over the tasks). Rows as GROUPING SETS would give them:
    (r, c, grouping, open, soon, overdue, done, on time, median, oldest id), grouping 0 a cell, 1 a row's total,
    2 a column's total, 3 the whole matrix."""
    row = Case(
        *[When(jurisdiction_path__startswith=child.path, then=Value(child.pk)) for child in children],
        default=Value(OWN_LEVEL),
    )
    column = Case(
        When(responsible_department__isnull=False, then=F("responsible_department__kind")),
        When(responsible_jurisdiction__isnull=False, then=Value(TERRITORIAL)),
        When(responsible_organisation__isnull=False, then=Value(ORGANISATION)),
        default=Value(UNASSIGNED),
        output_field=CharField(),
    )
    is_open = Case(
        When(status__in=OUTSTANDING_VALUES, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    start, end = period
    # Done in the period: completed from the start of its first day to the end of its last in the current (the
    # city's) time zone — the same tasks as the list's completed_at__date range, as a range the indexes can use.
    zone = timezone.get_current_timezone()
    done_in_period = Q(
        status=TaskStatus.DONE,
        completed_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        completed_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )
    under = base.filter(jurisdiction_path__startswith=root.path).order_by()
    columns = ("r", "c", "o", "due_date", "done_on", "id")

    def part(condition: Q) -> QuerySet:
        return (
            under.filter(condition)
            .annotate(r=row, c=column, o=is_open, done_on=TruncDate("completed_at"))
            .values_list(*columns)
        )

    # The outstanding tasks and the ones done in the period, each read through its own partial index (an OR of the
    # two reads the whole table).
    inner = part(Q(status__in=OUTSTANDING_VALUES)).union(part(done_in_period), all=True)
    inner_sql, inner_params = inner.query.sql_with_params()
    sql = f"""
        SELECT t.r, t.c, CASE WHEN t.o AND t.due_date < %s THEN t.due_date END AS late_due,
               COUNT(*) FILTER (WHERE t.o) AS n_open,
               COUNT(*) FILTER (WHERE t.o AND t.due_date >= %s AND t.due_date <= %s) AS n_soon,
               COUNT(*) FILTER (WHERE t.o AND t.due_date < %s) AS n_overdue,
               COUNT(*) FILTER (WHERE NOT t.o) AS n_done,
               COUNT(*) FILTER (WHERE NOT t.o AND t.done_on <= t.due_date) AS n_on_time,
               MIN(t.id) FILTER (WHERE t.o AND t.due_date < %s) AS first_id
        FROM ({inner_sql}) AS t
        GROUP BY 1, 2, 3
    """
    params = [today, today, until, today, today, *inner_params]
    # No savepoint: SET LOCAL lasts to the end of the transaction — this statement's own, or the caller's.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The statement's estimated cost passes jit_above_cost at a million tasks, and compiling it took longer
            # than running it (bench/README.md: 620 ms of JIT for 300 ms of work).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        found = cursor.fetchall()
    groups: dict[tuple[Any, Any, int], _Group] = {}
    for r, c, late_due, n_open, n_soon, n_overdue, n_done, n_on_time, first_id in found:
        if isinstance(late_due, str):  # the embedded SQLite database returns dates as text
            late_due = dt.date.fromisoformat(late_due)
        for key in ((r, c, 0), (r, None, 1), (None, c, 2), (None, None, 3)):
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group()
            group.add(today, late_due, (n_open, n_soon, n_overdue, n_done, n_on_time), first_id)
    return [(r, c, g, *group.counts, group.median(), group.oldest_id) for (r, c, g), group in groups.items()]


class _Group:
    """One cell's (or total's) counts, its overdue tasks' histogram of days overdue, and its oldest overdue task."""

    __slots__ = ("counts", "days", "oldest")

    def __init__(self) -> None:
        self.counts = [0, 0, 0, 0, 0]
        self.days: dict[int, int] = {}
        self.oldest: tuple[dt.date, int] | None = None

    def add(self, today: dt.date, late_due: dt.date | None, counts: tuple[int, ...], first_id: int | None) -> None:
        for i, n in enumerate(counts):
            self.counts[i] += n
        if late_due is not None:
            days = (today - late_due).days
            self.days[days] = self.days.get(days, 0) + counts[2]
            if first_id is not None and (self.oldest is None or (late_due, first_id) < self.oldest):
                self.oldest = (late_due, first_id)

    @property
    def oldest_id(self) -> int | None:
        return self.oldest[1] if self.oldest else None

    def median(self) -> float | None:
        """percentile_cont(0.5) of the days overdue: the middle value, or the mean of the two middle ones."""
        total = sum(self.days.values())
        if not total:
            return None
        wanted = [(total - 1) // 2, total // 2]  # the 0-based positions of the middle value(s)
        values: list[int] = []
        seen = 0
        for days in sorted(self.days):
            seen += self.days[days]
            while wanted and wanted[0] < seen:
                values.append(days)
                wanted.pop(0)
        return (values[0] + values[1]) / 2


def matrix_build(
    base: QuerySet[Task], *, root: Jurisdiction, today: dt.date, period: tuple[dt.date, dt.date]
) -> Matrix:
    """The matrix of ``root`` over ``base`` (tasks already scoped): three queries whatever the size — the
    children, the grouped counts, the oldest overdue tasks."""
    children = list(Jurisdiction.objects.filter(parent=root).order_by("code"))
    until = add_working_days(today, DUE_SOON_WORKING_DAYS).due
    result = _counts(base, root=root, children=children, today=today, until=until, period=period)
    cells: dict[tuple[Any, Any], Cell] = {}
    row_keys: set[int] = set()
    column_keys: set[str] = set()
    for r, c, grouping, n_open, n_soon, n_overdue, n_done, n_on_time, median, oldest in result:
        # GROUPING(r, c): 0 a cell, 1 a row's total (c rolled up), 2 a column's total, 3 the whole matrix.
        key = (r if grouping in (0, 1) else None, c if grouping in (0, 2) else None)
        if key[0] is not None:
            row_keys.add(key[0])
        if key[1] is not None:
            column_keys.add(key[1])
        cells[key] = Cell(
            filters={},
            period=period,
            open=n_open,
            due_soon=n_soon,
            overdue=n_overdue,
            done=n_done,
            on_time=n_on_time,
            median_days_overdue=median,
            oldest_id=oldest,
        )
    oldest_tasks = Task.objects.in_bulk([c.oldest_id for c in cells.values() if c.oldest_id])
    columns = [
        Column(key=k, label=_column_label(k), filters=_column_filters(k))
        for k in sorted(column_keys, key=_column_order)
    ]
    rows = [
        Row(key=child.pk, label=child.name, jurisdiction=child, filters={"territory": child.code}) for child in children
    ]
    if OWN_LEVEL in row_keys:
        rows.append(
            Row(
                key=OWN_LEVEL,
                label=_("%(name)s itself") % {"name": root.name},
                jurisdiction=root,
                filters={"at_jurisdiction": root.pk},
                own_level=True,
            )
        )

    def cell(key: tuple[Any, Any], filters: dict[str, Any], label: str = "") -> Cell:
        found = cells.get(key) or Cell(filters={}, period=period)
        found.filters, found.label = filters, label
        found.oldest = oldest_tasks.get(found.oldest_id) if found.oldest_id else None
        return found

    root_filters = {"territory": root.code}
    for row in rows:
        row.cells = [cell((row.key, column.key), {**row.filters, **column.filters}, column.label) for column in columns]
        row.total = cell((row.key, None), row.filters)
    column_totals = [cell((None, column.key), {**root_filters, **column.filters}, column.label) for column in columns]
    total = cell((None, None), root_filters)
    return Matrix(
        root=root,
        today=today,
        period=period,
        due_soon_until=until,
        columns=columns,
        rows=rows,
        column_totals=column_totals,
        total=total,
    )


def responsibility_matrix(*, user: Any, root: Jurisdiction, today: dt.date, period: tuple[dt.date, dt.date]) -> Matrix:
    """The matrix as ``user`` sees it: their visible tasks (``Task.objects.visible_to``) under ``root``, which the
    caller has checked lies in their territory (``dashboard.access.dashboard_root``)."""
    return matrix_build(Task.objects.visible_to(user), root=root, today=today, period=period)
