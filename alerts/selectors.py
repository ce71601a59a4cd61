"""Reads of the alerts app, scoped to who is asking: an alert's page, "what reached me" for a person and for a
head's department, and the acknowledgment figures of the leaders' overview."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.access import can_read_reached
from alerts.filters import AlertFilterSet
from alerts.models import Alert, AlertTarget
from crowdsafe.common.filters import FilterData
from crowdsafe.org.access import OVERSIGHT_ROLES, get_scope, path_q
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Department
from duties.coverage import RecipientGap, recipient_gaps
from notifications.choices import MessageKind
from notifications.models import Delivery, Message

REACHED_LIMIT = 50
MEDIAN_WINDOW_DAYS = 90


def alert_visible(*, user: Any) -> QuerySet[Alert]:
    """Alerts the user may open (``alerts.access.alert_visible_q``)."""
    return Alert.objects.visible_to(user)


def alerts_of(*, user: Any, filters: FilterData = None) -> QuerySet[Alert]:
    """The alerts ``user`` was alerted of (newest first), each with only their own row in ``targets`` (prefetched:
    the list's "mine" costs no query per alert); filtered by ``alerts.filters.AlertFilterSet`` (unacknowledged)."""
    own = AlertTarget.objects.filter(user_id=user.pk)
    mine = Alert.objects.visible_to(user).filter(pk__in=own.values("alert_id"))
    return (
        AlertFilterSet.of(filters)
        .apply(mine, user=user)
        .select_related("rule", "jurisdiction")
        .prefetch_related(
            Prefetch(
                "targets", queryset=AlertTarget.objects.filter(user_id=user.pk).select_related("user", "department")
            )
        )
        .order_by("-created_at", "-id")
    )


def alert_detail(*, user: Any) -> QuerySet[Alert]:
    """The alerts ``user`` may open, joined for their page or API detail (every target prefetched with its person
    and department)."""
    return (
        alert_visible(user=user)
        .select_related("rule", "jurisdiction", "raised_by")
        .prefetch_related(
            Prefetch(
                "targets",
                queryset=AlertTarget.objects.select_related("user", "department", "escalated_from__user").order_by(
                    "hop", "notified_at", "id"
                ),
            )
        )
    )


def target_of(alert: Alert, user: Any) -> AlertTarget | None:
    """``user``'s own row of ``alert`` (None when they were not alerted of it), from the prefetched targets."""
    return next((t for t in alert.targets.all() if t.user_id == getattr(user, "pk", None)), None)


def alert_targets(alert: Alert) -> list[AlertTarget]:
    return list(
        alert.targets.select_related("user", "department", "escalated_from__user").order_by("hop", "notified_at", "id")
    )


# --- what reached me ------------------------------------------------------------------------------------------


@dataclass
class Channel:
    label: str
    status: str
    to: str
    error: str = ""
    ok: bool = False


@dataclass
class Reached:
    """One message that reached a person (or a department): what it said, over which channels, in which state,
    and — for an alert — whether and when it was acknowledged."""

    message: Message
    kind_label: str
    is_alert: bool
    channels: list[Channel] = field(default_factory=list)
    targets: list[AlertTarget] = field(default_factory=list)


def _token(url: str) -> str:
    parts = [p for p in (url or "").split("/") if p]
    return parts[-1] if len(parts) >= 3 and parts[-3] == "alerts" and parts[-2] == "a" else ""


def _build(messages: list[Message], deliveries: list[Delivery], targets: list[AlertTarget]) -> list[Reached]:
    by_message: dict[int, list[Delivery]] = defaultdict(list)
    for d in deliveries:
        by_message[d.message_id].append(d)
    by_token = {t.token: t for t in targets}
    by_message_target: dict[int, list[AlertTarget]] = defaultdict(list)
    for t in targets:
        if t.message_id:
            by_message_target[t.message_id].append(t)
    items = []
    for message in messages:
        found = list(by_message_target.get(message.pk, []))
        token_target = by_token.get(_token(message.url))
        if token_target is not None and token_target not in found:
            found.append(token_target)
        items.append(
            Reached(
                message=message,
                kind_label=message.get_kind_display(),
                is_alert=message.kind == MessageKind.ALERT,
                channels=[
                    Channel(
                        label=d.get_channel_display(),
                        status=d.get_status_display(),
                        to=d.recipient_label,
                        error=d.last_error,
                        ok=d.status in ("delivered", "logged"),
                    )
                    for d in sorted(by_message.get(message.pk, []), key=lambda d: (d.recipient_label, d.channel))
                ],
                targets=found,
            )
        )
    return items


def reached_person(*, user: Any, limit: int = REACHED_LIMIT) -> list[Reached]:
    """The latest messages (alerts, reminders, notices) that reached ``user``, with their own deliveries."""
    messages = list(
        Message.objects.filter(notifications__recipient=user).order_by("-created_at", "-id").distinct()[:limit]
    )
    deliveries = list(Delivery.objects.filter(message__in=messages, recipient=user))
    targets = list(AlertTarget.objects.filter(user=user).select_related("user").order_by("-notified_at")[:500])
    return _build(messages, deliveries, targets)


def departments_headed(user: Any) -> list[Department]:
    scope = get_scope(user)
    return [d for d in scope.departments_for(Role.HEAD)]


def department_for_reached(user: Any, department_id: int) -> Department | None:
    """The department whose "what reached us" page the user may open: one they head, or one in the territory of a
    leader or administrator (None otherwise: a 404), decided by ``alerts.access.can_read_reached``."""
    department = Department.objects.select_related("jurisdiction").filter(pk=department_id).first()
    if department is None or not can_read_reached(get_scope(user), department):
        return None
    return department


def reached_department(*, department: Department, limit: int = REACHED_LIMIT) -> list[Reached]:
    """The latest messages about ``department`` (its reminders and alerts), with every delivery to its people
    and robots and every acknowledgment."""
    messages = list(Message.objects.filter(department=department).order_by("-created_at", "-id")[:limit])
    deliveries = list(Delivery.objects.filter(message__in=messages))
    targets = list(
        AlertTarget.objects.filter(message__in=messages).select_related("user").order_by("hop", "notified_at")
    )
    return _build(messages, deliveries, targets)


# --- the leaders' overview ------------------------------------------------------------------------------------


@dataclass
class DepartmentAck:
    department: Department
    alerted: int
    acknowledged: int
    median_seconds: float | None

    @property
    def median_label(self) -> str:
        if self.median_seconds is None:
            return "—"
        minutes, seconds = divmod(round(self.median_seconds), 60)
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": seconds} if minutes else _("%(s)d s") % {"s": seconds}


def acknowledgment_by_department(
    *, user: Any, now: dt.datetime | None = None, days: int = MEDIAN_WINDOW_DAYS
) -> list[DepartmentAck]:
    """Per department in the user's territory: people alerted through it in the last ``days`` days, how many
    acknowledged, and the median time to acknowledge."""
    now = now or timezone.now()
    scope = get_scope(user)
    qs = AlertTarget.objects.filter(department__isnull=False, notified_at__gte=now - dt.timedelta(days=days))
    if not scope.is_superuser:
        qs = qs.filter(path_q(scope.paths_for(OVERSIGHT_ROLES), field="alert__jurisdiction_path"))
    rows: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for department_id, notified, acknowledged in qs.values_list("department_id", "notified_at", "acknowledged_at"):
        rows[department_id].append((notified, acknowledged))
    departments = {d.pk: d for d in Department.objects.filter(pk__in=list(rows)).select_related("jurisdiction")}
    result = []
    for pk, pairs in rows.items():
        times = [(ack - sent).total_seconds() for sent, ack in pairs if ack is not None]
        result.append(
            DepartmentAck(
                department=departments[pk],
                alerted=len(pairs),
                acknowledged=len(times),
                median_seconds=statistics.median(times) if times else None,
            )
        )
    result.sort(key=lambda r: (r.median_seconds is None, -(r.median_seconds or 0), r.department.name))
    return result


def gaps_for(user: Any) -> list[RecipientGap]:
    """The recipient gaps in the user's territory (everywhere for a superuser)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return recipient_gaps()
    paths = scope.paths_for(OVERSIGHT_ROLES)
    return recipient_gaps(within=paths) if paths else []
