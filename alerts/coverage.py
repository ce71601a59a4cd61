"""The daily coverage check (never silent): each holder of outstanding tasks whom no reminder can reach, and each
department whose deliveries failed in the last day, becomes an open ``CoverageIssue`` and, through the duties
engine (rule ``alerts.coverage_gap``), a task for the city's administrator. An issue the next check no longer
finds is resolved and its task closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import CoverageIssue
from crowdsafe.audit.services import log_action
from crowdsafe.org.models import Department, Jurisdiction, Organisation
from duties.coverage import RecipientGap, recipient_gaps
from duties.models import Task
from duties.services import tasks_evaluate, tasks_settle
from duties.subjects import register_subject
from notifications.choices import DeliveryStatus
from notifications.models import Delivery

RULE_KEY = "alerts.coverage_gap"


def _city(jurisdiction: Jurisdiction) -> Jurisdiction:
    if jurisdiction.parent_id is None:
        return jurisdiction
    return Jurisdiction.objects.get(code=jurisdiction.city_code)


def connect() -> None:
    """Register coverage issues as subjects of tasks: held by the city (its administrators are reminded)."""
    register_subject(
        CoverageIssue,
        subject_type="coverage_issue",
        jurisdiction=lambda issue: issue.place,
        organisation=lambda issue: None,
        attributes=lambda issue: {"kind": issue.kind, "is_active": issue.resolved_at is None},
        label=str,
        assignee=lambda issue: issue.city,
    )


def _holder_fields(holder: Any) -> tuple[str, dict[str, Any], Jurisdiction]:
    if isinstance(holder, Department):
        return f"department:{holder.pk}", {"department": holder}, holder.jurisdiction
    if isinstance(holder, Organisation):
        return f"organisation:{holder.pk}", {"organisation": holder}, holder.jurisdiction
    return f"township:{holder.pk}", {"township": holder}, holder


def _open_issue(kind: str, holder: Any, detail: str, *, now: dt.datetime) -> tuple[CoverageIssue, bool]:
    key, fields, place = _holder_fields(holder)
    existing = CoverageIssue.objects.filter(kind=kind, holder_key=key, resolved_at__isnull=True).first()
    if existing is not None:
        return existing, False
    issue = CoverageIssue(
        kind=kind,
        holder_key=key,
        place=place,
        city=_city(place),
        label=str(holder)[:255],
        detail=detail[:255],
        found_at=now,
        **fields,
    )
    try:
        # The race: two checks at once (a manual run beside the beat). The partial unique constraint on open
        # issues makes the second INSERT fail; that run then takes the first one's issue.
        with transaction.atomic():
            issue.save(force_insert=True)
    except IntegrityError:
        return CoverageIssue.objects.get(kind=kind, holder_key=key, resolved_at__isnull=True), False
    log_action(actor=None, subject=issue, verb="created", to_state="open", reason=issue.detail)
    return issue, True


def failing_departments(*, now: dt.datetime) -> dict[int, int]:
    """Departments with failed deliveries in the last day, and how many."""
    since = now - dt.timedelta(days=1)
    return dict(
        Delivery.objects.filter(status=DeliveryStatus.FAILED, created_at__gte=since, department__isnull=False)
        .order_by()
        .values_list("department")
        .annotate(n=Count("pk"))
        .values_list("department", "n")
    )


def coverage_check(*, now: dt.datetime | None = None) -> list[Task]:
    """Open an issue and a task for each gap and failing department; resolve those no longer found. Idempotent.
    Returns the tasks it opened."""
    now = now or timezone.now()
    opened: list[Task] = []
    current: set[tuple[str, str]] = set()
    gaps: list[RecipientGap] = recipient_gaps()
    failing = failing_departments(now=now)
    with transaction.atomic():
        for gap in gaps:
            issue, created = _open_issue(
                CoverageIssue.Kind.NO_RECIPIENT,
                gap.holder,
                _("%(n)d open tasks; %(reason)s") % {"n": gap.open_tasks, "reason": gap.reason},
                now=now,
            )
            current.add((issue.kind, issue.holder_key))
            if created:
                opened += tasks_evaluate(subject=issue, event="created", actor=None, moment=now)
        for department in Department.objects.filter(pk__in=list(failing)).select_related("jurisdiction"):
            issue, created = _open_issue(
                CoverageIssue.Kind.FAILED_DELIVERIES,
                department,
                _("%(n)d deliveries failed in the last day.") % {"n": failing[department.pk]},
                now=now,
            )
            current.add((issue.kind, issue.holder_key))
            if created:
                opened += tasks_evaluate(subject=issue, event="created", actor=None, moment=now)
        for issue in CoverageIssue.objects.select_for_update().filter(resolved_at__isnull=True):
            if (issue.kind, issue.holder_key) in current:
                continue
            issue.resolved_at = now
            issue.save(update_fields=["resolved_at"])
            log_action(actor=None, subject=issue, verb="resolved", reason=_("The daily check no longer finds it."))
            tasks_settle(subject=issue, keys=[RULE_KEY], actor=None, note=_("The daily check no longer finds it."))
    return opened
