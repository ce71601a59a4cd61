"""Drill compliance for reporting upward (演练工作开展情况): per department, per township/street and per venue kind —
how many plans in force were drilled within their interval, how many drills are overdue, how many after-action
items are still open — and the same as an .xlsx workbook.

Everything is read in a few flat queries (the drill rules' ids, plans, the overdue drill tasks' places and
holders, the venues those tasks are about, open items, and the names of the departments and townships) and grouped
in Python, whatever the size of the territory. The overdue drill tasks themselves (``Compliance.overdue``, for the
page's list and the workbook's sheet) are read only when asked for: the dashboard's risk now needs only the counts,
and making 1,700 task objects was most of its time at a million tasks (bench/bench_dashboard.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crowdsafe.common.aggregates import one_row
from crowdsafe.org.models import PATH_SEPARATOR, Department, Jurisdiction
from drills.choices import ItemStatus
from drills.models import AfterActionItem, EmergencyPlan
from drills.selectors import drill_rules, overdue_drills
from duties.models import Task
from duties.services.tasks import add_months
from venues.choices import VenueKind
from venues.models import Venue

TOWNSHIP_DEPTH = 3  # city/district/township: a township's path has three codes
ABOVE_TOWNSHIP = "-"


@dataclass
class ComplianceRow:
    key: str
    label: str
    plans: int = 0
    drilled: int = 0
    overdue_drills: int = 0
    open_items: int = 0
    overdue_items: int = 0

    @property
    def share(self) -> float | None:
        """Percentage of plans drilled within their interval (None without plans)."""
        return round(self.drilled * 100 / self.plans, 1) if self.plans else None


@dataclass
class Compliance:
    today: dt.date
    territory: Jurisdiction | None
    by_department: list[ComplianceRow] = field(default_factory=list)
    by_township: list[ComplianceRow] = field(default_factory=list)
    by_venue_kind: list[ComplianceRow] = field(default_factory=list)
    totals: ComplianceRow = field(default_factory=lambda: ComplianceRow(key="total", label=""))
    # The overdue drill tasks, oldest first: read from this query the first time ``overdue`` is asked for.
    overdue_query: QuerySet | None = field(default=None, repr=False, compare=False)
    _overdue: list | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def overdue(self) -> list[Any]:
        """The overdue drill tasks counted in the tables, oldest first (with their holders)."""
        if self._overdue is None:
            self._overdue = list(self.overdue_query) if self.overdue_query is not None else []
        return self._overdue


def _township_path(path: str) -> str:
    codes = [c for c in path.split(PATH_SEPARATOR) if c]
    if len(codes) < TOWNSHIP_DEPTH:
        return ABOVE_TOWNSHIP
    return PATH_SEPARATOR.join(codes[:TOWNSHIP_DEPTH]) + PATH_SEPARATOR


def _in_time(last: dt.date | None, months: int | None, today: dt.date) -> bool:
    if last is None:
        return False
    return months is None or add_months(last, months) >= today


def _sources(
    *, user, today: dt.date, territory: Jurisdiction | None, rules: Any = None
) -> tuple[QuerySet[EmergencyPlan], QuerySet[Task], QuerySet[AfterActionItem]]:
    """What the figures count, for the tables and the totals alike: the plans in force, the overdue drill tasks and
    the open after-action items the user may see (in ``territory`` when given). ``rules``: see ``drill_tasks``."""
    plans = EmergencyPlan.objects.visible_to(user).filter(is_active=True)
    items = AfterActionItem.objects.visible_to(user, holders=False).filter(status=ItemStatus.OPEN)
    tasks = overdue_drills(user=user, today=today, rules=rules)
    if territory is not None:
        plans = plans.filter(jurisdiction_path__startswith=territory.path)
        items = items.filter(jurisdiction_path__startswith=territory.path)
        tasks = tasks.filter(jurisdiction_path__startswith=territory.path)
    return plans, tasks, items


@dataclass
class TotalsReads:
    """What ``compliance_totals`` reads, left unread so that a caller may read the two counts in a statement of its
    own (the dashboard's risk now reads them with its other counts): the plans' interval and last drill, and two
    one-row aggregates (``counts``: ``overdue_drills`` → ``n``; ``items`` → ``open``, ``overdue``)."""

    today: dt.date
    plans: QuerySet[Any]
    counts: dict[str, QuerySet[Any]]

    def totals(self, counts: dict[str, Any], plans: list[tuple[Any, ...]] | None = None) -> ComplianceRow:
        """The totals row from the plans (read here, or ``plans``: the rows of ``self.plans`` already read, e.g. with
        the counts through ``crowdsafe.common.aggregates.rows_of``) and the two counts as read."""
        totals = ComplianceRow(key="total", label=_("Total"))
        for months, last in self.plans if plans is None else plans:
            totals.plans += 1
            totals.drilled += int(_in_time(last, months, self.today))  # the tables' rule
        totals.overdue_drills = counts["overdue_drills"]["n"]
        totals.open_items, totals.overdue_items = counts["items"]["open"], counts["items"]["overdue"]
        return totals


def totals_reads(*, user, today: dt.date | None = None, territory: Jurisdiction | None = None) -> TotalsReads:
    """The reads of ``drill_compliance(...).totals`` alone (see ``TotalsReads``): the overdue drill tasks counted by
    the database instead of read one by one with their places, holders and venue kinds for the breakdowns."""
    today = today or timezone.localdate()
    # The drill rules as a subquery, not their ids read first: the counts are then one statement with no round trip
    # before it (the dashboard's risk now reads them with all its figures).
    plans, tasks, items = _sources(user=user, today=today, territory=territory, rules=drill_rules())
    return TotalsReads(
        today=today,
        plans=plans.order_by().values_list("drill_interval_months", "last_drilled_on"),
        counts={
            "overdue_drills": one_row(tasks, n=Count("pk")),
            "items": one_row(items, open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))),
        },
    )


def compliance_totals(*, user, today: dt.date | None = None, territory: Jurisdiction | None = None) -> ComplianceRow:
    """``drill_compliance(...).totals`` alone, counted by the database (``totals_reads``): the drill rules' ids, the
    plans' two columns, the count of overdue drill tasks, the open items' two counts."""
    reads = totals_reads(user=user, today=today, territory=territory)
    return reads.totals({name: qs.get() for name, qs in reads.counts.items()})


def drill_compliance(*, user, today: dt.date | None = None, territory: Jurisdiction | None = None) -> Compliance:
    """The compliance tables of the plans, drills and items the user may see (in ``territory`` when given)."""
    today = today or timezone.localdate()
    plans, tasks, items = _sources(user=user, today=today, territory=territory)

    result = Compliance(today=today, territory=territory)
    departments: dict[str, ComplianceRow] = {}
    townships: dict[str, ComplianceRow] = {}
    kinds: dict[str, ComplianceRow] = {}

    def row(table: dict, key) -> ComplianceRow:
        key = str(key)
        if key not in table:
            table[key] = ComplianceRow(key=key, label="")
        return table[key]

    plan_kind: dict[int, str] = {}
    for pk, department_id, path, venue_kind, months, last in plans.values_list(
        "pk", "owner_department_id", "jurisdiction_path", "venue__kind", "drill_interval_months", "last_drilled_on"
    ):
        drilled = _in_time(last, months, today)
        targets = [result.totals, row(townships, _township_path(path))]
        if department_id:
            targets.append(row(departments, department_id))
        if venue_kind:
            plan_kind[pk] = venue_kind
            targets.append(row(kinds, venue_kind))
        for target in targets:
            target.plans += 1
            target.drilled += int(drilled)

    # Counted from four columns (no task objects, no holders joined, no order); the tasks themselves are read
    # only if ``result.overdue`` is asked for.
    overdue = list(
        tasks.order_by().values_list("subject_type", "subject_id", "jurisdiction_path", "responsible_department_id")
    )
    venue_ids = [subject_id for subject_type, subject_id, _path, _dept in overdue if subject_type == "venue"]
    venue_kind = dict(Venue.objects.filter(pk__in=venue_ids).values_list("pk", "kind")) if venue_ids else {}
    for subject_type, subject_id, path, department_id in overdue:
        targets = [result.totals, row(townships, _township_path(path))]
        if department_id:
            targets.append(row(departments, department_id))
        kind = venue_kind.get(subject_id) if subject_type == "venue" else None
        if subject_type == "emergency_plan":
            kind = plan_kind.get(subject_id)
        if kind:
            targets.append(row(kinds, kind))
        for target in targets:
            target.overdue_drills += 1
    result.overdue_query = tasks

    for department_id, path, kind, due in items.values_list(
        "owner_department_id", "jurisdiction_path", "plan__venue__kind", "due_date"
    ):
        targets = [result.totals, row(townships, _township_path(path))]
        if department_id:
            targets.append(row(departments, department_id))
        if kind:
            targets.append(row(kinds, kind))
        for target in targets:
            target.open_items += 1
            target.overdue_items += int(due < today)

    names = dict(Department.objects.filter(pk__in=[int(k) for k in departments]).values_list("pk", "name"))
    for key, value in departments.items():
        value.label = names.get(int(key), key)
    paths = [k for k in townships if k != ABOVE_TOWNSHIP]
    township_names = dict(Jurisdiction.objects.filter(path__in=paths).values_list("path", "name"))
    for key, value in townships.items():
        value.label = _("District and city level") if key == ABOVE_TOWNSHIP else township_names.get(key, key)
    kind_labels = dict(VenueKind.choices)
    for key, value in kinds.items():
        value.label = str(kind_labels.get(key, key))
    result.totals.label = _("Total")
    result.by_department = sorted(departments.values(), key=lambda r: r.label)
    result.by_township = sorted(townships.values(), key=lambda r: (r.key == ABOVE_TOWNSHIP, r.label))
    order = {value: i for i, value in enumerate(VenueKind.values)}
    result.by_venue_kind = sorted(kinds.values(), key=lambda r: order.get(r.key, len(order)))
    return result


def territory_for(code: str) -> Jurisdiction | bool | None:
    """The territory of a division code: a Jurisdiction, None for no code, False for an unknown code."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return Jurisdiction.objects.filter(code=code).first() or False


def write_compliance(compliance: Compliance, output: IO[bytes]) -> None:
    """The workbook for reporting upward: one sheet per breakdown and the list of overdue drills."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    headers = [
        _("Name"),
        _("Plans in force"),
        _("Drilled within their interval"),
        _("Share drilled (%)"),
        _("Overdue drills"),
        _("Open after-action items"),
        _("Overdue after-action items"),
    ]
    title = _("Drill compliance as of %(date)s") % {"date": compliance.today.isoformat()}
    if compliance.territory is not None:
        title = f"{compliance.territory.name} · {title}"
    sheets = [
        (_("By department"), compliance.by_department),
        (_("By township or street"), compliance.by_township),
        (_("By venue kind"), compliance.by_venue_kind),
    ]
    for index, (name, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = name[:31]
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for item in [*rows, compliance.totals]:
            sheet.append(
                [
                    item.label,
                    item.plans,
                    item.drilled,
                    item.share if item.share is not None else "",
                    item.overdue_drills,
                    item.open_items,
                    item.overdue_items,
                ]
            )
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.column_dimensions["A"].width = 36
        for column in "BCDEFG":
            sheet.column_dimensions[column].width = 16
        sheet.freeze_panes = "B3"
    overdue = workbook.create_sheet(_("Overdue drills")[:31])
    overdue.append([title])
    overdue["A1"].font = Font(bold=True, size=13)
    overdue.append([_("Due date"), _("Duty"), pgettext("duty subject", "About"), _("Held by"), _("Days overdue")])
    for cell in overdue[2]:
        cell.font = Font(bold=True)
    for task in compliance.overdue:
        overdue.append(
            [
                task.due_date,
                task.duty_name,
                task.subject_label,
                task.holder_label,
                (compliance.today - task.due_date).days,
            ]
        )
    for column, width in zip("ABCDE", (12, 36, 36, 30, 12), strict=True):
        overdue.column_dimensions[column].width = width
    workbook.save(output)
