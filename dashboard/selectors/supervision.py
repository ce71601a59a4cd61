"""Per department (the matrix's columns, issue 17 point 1): the 督办 (escalations) sent over the period and how many
were acknowledged, and the gaps where no one can receive a reminder.

- A 督办 is a message of an escalation reminder (``notifications``: an overdue task passed to the holding
  department's head, then to the territory's leader), about a task under the chosen jurisdiction that the user may
  see (``Task.objects.visible_to``, the matrix's own starting point), sent in the period (the day in the city's
  time zone). Its column is its task's holder, as in the matrix.
- Acknowledged: at least one of its recipients has opened it (their inbox row is read).
- A gap is a holder of outstanding tasks under the chosen jurisdiction whom no reminder can reach
  (``duties.coverage.recipient_gaps``: no active person, or the department switched off).

Every figure links to the list behind it (``dashboard:supervision`` with ``column`` and ``show``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.http import urlencode

from crowdsafe.org.models import Department, Jurisdiction, Organisation
from dashboard.selectors.matrix import ORGANISATION, TERRITORIAL, UNASSIGNED, _column_label, _column_order
from duties.coverage import RecipientGap, recipient_gaps
from duties.models import Task
from notifications.choices import MessageKind
from notifications.models import Message, Notification

ESCALATION_KINDS = (MessageKind.ESCALATION_HEAD.value, MessageKind.ESCALATION_LEADER.value)


class Show:
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    UNACKNOWLEDGED = "unacknowledged"
    GAPS = "gaps"


SHOW_VALUES = (Show.SENT, Show.ACKNOWLEDGED, Show.UNACKNOWLEDGED, Show.GAPS)
ALL_COLUMNS = ""  # the ``column`` of a total: every holder


@dataclass
class SupervisionRow:
    key: str  # a department kind, or TERRITORIAL / ORGANISATION / UNASSIGNED; ALL_COLUMNS for the total
    label: str
    root: Jurisdiction
    period: tuple[dt.date, dt.date]
    sent: int = 0
    acknowledged: int = 0
    gaps: int = 0
    gap_tasks: int = 0  # outstanding tasks held by the gaps

    @property
    def unacknowledged(self) -> int:
        return self.sent - self.acknowledged

    @property
    def acknowledged_percent(self) -> int | None:
        return round(self.acknowledged * 100 / self.sent) if self.sent else None

    def url(self, show: str) -> str:
        query: dict[str, Any] = {"root": self.root.code, "show": show}
        if self.key:
            query["column"] = self.key
        if show != Show.GAPS:
            query["date_from"], query["date_to"] = self.period[0].isoformat(), self.period[1].isoformat()
        return reverse("dashboard:supervision") + "?" + urlencode(query)

    @property
    def sent_url(self) -> str:
        return self.url(Show.SENT)

    @property
    def acknowledged_url(self) -> str:
        return self.url(Show.ACKNOWLEDGED)

    @property
    def unacknowledged_url(self) -> str:
        return self.url(Show.UNACKNOWLEDGED)

    @property
    def gaps_url(self) -> str:
        return self.url(Show.GAPS)


@dataclass
class Supervision:
    root: Jurisdiction
    period: tuple[dt.date, dt.date]
    rows: list[SupervisionRow] = field(default_factory=list)
    total: SupervisionRow | None = None


def _holder_column(prefix: str) -> Case:
    return Case(
        When(**{f"{prefix}responsible_department__isnull": False}, then=F(f"{prefix}responsible_department__kind")),
        When(**{f"{prefix}responsible_jurisdiction__isnull": False}, then=Value(TERRITORIAL)),
        When(**{f"{prefix}responsible_organisation__isnull": False}, then=Value(ORGANISATION)),
        default=Value(UNASSIGNED),
        output_field=CharField(),
    )


def escalations(*, user: Any, root: Jurisdiction, period: tuple[dt.date, dt.date]) -> QuerySet[Message]:
    """The 督办 messages of the period about the tasks under ``root`` the user may see, each annotated with its
    column (``c``) and whether a recipient has opened it (``acknowledged``)."""
    tasks = Task.objects.visible_to(user).filter(jurisdiction_path__startswith=root.path).values("pk")
    start, end = period
    read = Notification.objects.filter(message=OuterRef("pk"), read_at__isnull=False)
    return (
        Message.objects.filter(
            kind__in=ESCALATION_KINDS,
            reminder__task__in=tasks,
            created_at__date__gte=start,
            created_at__date__lte=end,
        )
        .annotate(c=_holder_column("reminder__task__"), acknowledged=Exists(read))
        .order_by("-created_at", "-id")
    )


def gap_column(gap: RecipientGap) -> str:
    if isinstance(gap.holder, Department):
        return gap.holder.kind
    if isinstance(gap.holder, Organisation):
        return ORGANISATION
    return TERRITORIAL


def gaps_under(root: Jurisdiction) -> list[RecipientGap]:
    """The holders of outstanding tasks under ``root`` whom no reminder can reach."""
    return recipient_gaps(within=[root.path])


def supervision(*, user: Any, root: Jurisdiction, period: tuple[dt.date, dt.date]) -> Supervision:
    """Per holder column: 督办 sent and acknowledged in the period, gaps now. Two queries and the coverage check's
    four."""
    messages = escalations(user=user, root=root, period=period).order_by()
    # ``c`` and ``acknowledged`` are annotations (the stubs cannot see them).
    counts = messages.values("c").annotate(  # type: ignore[misc]
        sent=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged=True))
    )
    rows: dict[str, SupervisionRow] = {}

    def row(key: str) -> SupervisionRow:
        if key not in rows:
            rows[key] = SupervisionRow(key=key, label=str(_column_label(key)), root=root, period=period)
        return rows[key]

    for item in counts:
        found = row(item["c"])
        found.sent, found.acknowledged = item["sent"], item["acknowledged"]
    for gap in gaps_under(root):
        found = row(gap_column(gap))
        found.gaps += 1
        found.gap_tasks += gap.open_tasks
    ordered = sorted(rows.values(), key=lambda r: _column_order(r.key))
    total = SupervisionRow(
        key=ALL_COLUMNS,
        label="",
        root=root,
        period=period,
        sent=sum(r.sent for r in ordered),
        acknowledged=sum(r.acknowledged for r in ordered),
        gaps=sum(r.gaps for r in ordered),
        gap_tasks=sum(r.gap_tasks for r in ordered),
    )
    return Supervision(root=root, period=period, rows=ordered, total=total)


def supervision_list(
    *, user: Any, root: Jurisdiction, period: tuple[dt.date, dt.date], column: str, show: str
) -> list[Any]:
    """The rows behind one figure: the messages (sent, acknowledged or not) or the gaps, of ``column`` (every
    column when empty)."""
    if show == Show.GAPS:
        return [g for g in gaps_under(root) if not column or gap_column(g) == column]
    qs = escalations(user=user, root=root, period=period).select_related("reminder__task")
    if column:
        qs = qs.filter(c=column)  # type: ignore[misc]  # an annotation the stubs cannot see
    if show == Show.ACKNOWLEDGED:
        qs = qs.filter(acknowledged=True)  # type: ignore[misc]
    elif show == Show.UNACKNOWLEDGED:
        qs = qs.filter(acknowledged=False)  # type: ignore[misc]
    return list(qs.annotate(recipients=Count("notifications", distinct=True)))


def gap_tasks_url(gap: RecipientGap, root: Jurisdiction) -> str:
    """The task list of a gap's outstanding tasks under ``root`` (departments and townships; the task list has no
    organisation filter, so an organisation's gap links to nothing)."""
    query: dict[str, Any] = {"territory": root.code}
    if gap.holder_kind == "department":
        query["department"] = gap.holder.pk
    elif gap.holder_kind == "township":
        query["responsible_jurisdiction"] = gap.holder.pk
    else:
        return ""
    return reverse("duties:queue") + "?" + urlencode(query)
