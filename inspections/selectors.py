"""Reads of the inspections app, scoped to the user: lists, one inspection with its form, the inspections due
(the tasks of this app's rules), the record's context, and the failed-item analytics (issue 21 point 6)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crowdsafe.common.filters import FilterData
from duties.choices import OUTSTANDING
from duties.models import Task
from duties.selectors import task_list
from inspections.choices import Answer, Severity
from inspections.duties import ALL_KEYS
from inspections.filters import InspectionFilterSet
from inspections.models import ChecklistItem, ChecklistTemplate, Inspection, InspectionAnswer
from venues.choices import VenueKind


def inspection_visible(*, user: Any) -> QuerySet[Inspection]:
    return Inspection.objects.visible_to(user).select_related(
        "template", "jurisdiction", "township", "organisation", "lead_department", "venue", "application"
    )


def inspection_list(*, user: Any, filters: FilterData = None) -> QuerySet[Inspection]:
    return InspectionFilterSet.of(filters).apply(inspection_visible(user=user)).order_by("-started_at", "-id")


def inspection_get(*, user: Any, pk: Any) -> Inspection:
    """One inspection the user may see; 404 otherwise (a missing id and another city's look the same)."""
    return get_object_or_404(inspection_visible(user=user), pk=pk)


def tasks_due(*, user: Any) -> QuerySet[Task]:
    """The outstanding inspection duties the user may see (this app's rules), soonest first."""
    return task_list(user=user).filter(rule__key__in=ALL_KEYS, status__in=OUTSTANDING).order_by("due_date", "id")


@dataclass
class FormItem:
    item: ChecklistItem
    answer: InspectionAnswer | None

    @property
    def value(self) -> str:
        if self.answer is None:
            return ""
        if self.answer.number is not None:
            return format(self.answer.number.normalize(), "f")
        return self.answer.answer


@dataclass
class FormSection:
    pk: int
    title: str
    department_kind: str
    items: list[FormItem] = field(default_factory=list)


def form_sections(inspection: Inspection) -> list[FormSection]:
    """The checklist of the inspection's own template version, with the answers received so far."""
    answers = {
        a.item_id: a
        for a in InspectionAnswer.objects.filter(inspection=inspection)
        .select_related("hazard")
        .prefetch_related("photos")
    }
    sections: list[FormSection] = []
    for section in inspection.template.sections.prefetch_related("items").order_by("order", "id"):
        entry = FormSection(section.pk, section.title, section.department_kind)
        for item in sorted(section.items.all(), key=lambda i: (i.order, i.pk)):
            entry.items.append(FormItem(item, answers.get(item.pk)))
        sections.append(entry)
    return sections


def failed_answers(inspection: Inspection) -> QuerySet[InspectionAnswer]:
    return (
        InspectionAnswer.objects.filter(inspection=inspection, passed=False)
        .select_related("item__section", "hazard")
        .order_by("item__section__order", "item__order")
    )


def record_context(inspection: Inspection) -> dict[str, Any]:
    """The context of the record (安全检查记录) issued through notices (``notices.kinds``, kind
    ``inspection_record``)."""
    failed = failed_answers(inspection)
    parts = inspection.parts.select_related("department", "signed_by")
    when = timezone.localtime(inspection.completed_at or timezone.now()).date()
    return {
        "inspected": inspection.subject_label,
        "checklist": f"{inspection.template.name}（{inspection.template.version_label}）",
        "inspected_on": when,
        "departments": [p.department.name for p in parts],
        "signatures": [
            f"{p.department.name}：{p.signed_by.display_name if p.signed_by else ''}"
            + (f"（{p.note}）" if p.note else "")
            for p in parts
        ]
        or ["—"],
        "answered": inspection.answered_count,
        "failed_items": [
            f"{a.item.section.title}：{a.item.text}（{a.item.get_severity_display()}；依据：{a.item.basis}）"
            + (f"——{a.note}" if a.note else "")
            for a in failed
        ]
        or ["未发现不合格项"],
        "conclusion": "合格" if not inspection.failed_count else f"发现不合格项{inspection.failed_count}项，须按期整改",
    }


def templates_current() -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.filter(is_current=True).annotate(n_items=Count("items")).order_by("scope", "code")


# --- analytics (issue 21 point 6) -------------------------------------------------------------------------------


@dataclass
class Analytics:
    since: dt.date
    inspections: int
    failed: int
    by_venue_kind: list[dict[str, Any]]
    by_item: list[dict[str, Any]]
    by_township: list[dict[str, Any]]
    months: list[str]
    township_months: list[dict[str, Any]]


def analytics(*, user: Any, since: dt.date | None = None, limit: int = 10, root: Any = None) -> Analytics:
    """Failed items of the inspections the user may see (within ``root``'s subtree when given: the dashboard's
    chosen territory), completed or in progress, since ``since`` (default a year ago): by kind of venue, by item
    (the same item across template versions, by its key), by township, and each township's by month. A fixed
    number of queries."""
    since = since or (timezone.localdate() - dt.timedelta(days=365))
    inspections = Inspection.objects.visible_to(user).filter(started_at__date__gte=since)
    if root is not None:
        inspections = inspections.filter(jurisdiction_path__startswith=root.path)
    failed = InspectionAnswer.objects.filter(inspection__in=inspections.values("pk"), passed=False)
    kinds = dict(VenueKind.choices)
    by_kind = [
        {"kind": row["inspection__venue_kind"], "label": kinds.get(row["inspection__venue_kind"], "—"), "n": row["n"]}
        for row in failed.values("inspection__venue_kind").annotate(n=Count("pk")).order_by("-n")[:limit]
    ]
    severities = dict(Severity.choices)
    by_item = [
        {"text": row["item__text"], "severity": severities.get(row["item__severity"], ""), "n": row["n"]}
        for row in failed.values("item__key", "item__text", "item__severity")
        .annotate(n=Count("pk"))
        .order_by("-n", "item__key")[:limit]
    ]
    by_township = [
        {"name": row["inspection__township__name"] or "—", "pk": row["inspection__township_id"], "n": row["n"]}
        for row in failed.values("inspection__township_id", "inspection__township__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    ]
    monthly: dict[Any, dict[str, int]] = defaultdict(dict)
    months: set[str] = set()
    for row in (
        failed.annotate(month=TruncMonth("inspection__started_at"))
        .values("inspection__township_id", "month")
        .annotate(n=Count("pk"))
    ):
        label = (
            timezone.localtime(row["month"]).strftime("%Y-%m")
            if timezone.is_aware(row["month"])
            else row["month"].strftime("%Y-%m")
        )
        months.add(label)
        monthly[row["inspection__township_id"]][label] = row["n"]
    ordered = sorted(months)
    township_months = [
        {"name": t["name"], "counts": [{"month": m, "n": monthly[t["pk"]].get(m, 0)} for m in ordered]}
        for t in by_township
    ]
    return Analytics(
        since=since,
        inspections=inspections.count(),
        failed=failed.count(),
        by_venue_kind=by_kind,
        by_item=by_item,
        by_township=by_township,
        months=ordered,
        township_months=township_months,
    )


def answer_label(value: str) -> str:
    return str(dict(Answer.choices).get(value, ""))


def open_inspections_q() -> Q:
    return Q(state="in_progress")
