"""Reads of the notifications app, scoped to who asks.

- A person's own notifications (inbox) and unread count (the bell): only their own, ever.
- The delivery log: heads see the deliveries of their departments' messages (what was sent to whom about their
  department's tasks, and whether it arrived); leaders and administrators those of the departments in their
  territory; superusers all; everyone their own deliveries. Nothing else — an outsider's list is empty and any
  other delivery is a 404.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from crowdsafe.common.filters import FilterData
from crowdsafe.org.access import OVERSIGHT_ROLES, get_scope, in_q, path_q
from crowdsafe.org.models import Department
from notifications.filters import DeliveryFilterSet, InboxFilterSet
from notifications.models import Delivery, DeliveryAttempt, Notification


def inbox(*, user, filters: FilterData = None) -> QuerySet[Notification]:
    """The user's notifications, newest first, filtered by ``notifications.filters.InboxFilterSet`` (unread, urgent)."""
    qs = Notification.objects.filter(recipient_id=user.pk).select_related("message")
    return InboxFilterSet.of(filters).apply(qs).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_get(*, user, pk: int) -> Notification:
    from crowdsafe.org.access import get_scoped_or_404

    return get_scoped_or_404(inbox(user=user), pk=pk)


def delivery_log(*, user, filters: FilterData = None) -> QuerySet[Delivery]:
    """Deliveries the user may read, newest first, joined for the list, filtered by
    ``notifications.filters.DeliveryFilterSet`` (channel, status, department, title or recipient contains)."""
    qs = DeliveryFilterSet.of(filters).apply(Delivery.objects.visible_to(user))
    return qs.select_related("message", "department", "webhook").order_by("-created_at", "-id")


def delivery_get(*, user, pk: int) -> Delivery:
    from crowdsafe.org.access import get_scoped_or_404

    qs = delivery_log(user=user).prefetch_related(
        Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
    )
    return get_scoped_or_404(qs, pk=pk)


def log_departments(*, user) -> QuerySet[Department]:
    """The departments the log can be filtered by."""
    scope = get_scope(user)
    qs = Department.objects.filter(is_active=True).select_related("jurisdiction")
    if scope.is_superuser:
        return qs.order_by("jurisdiction__path", "name")
    q = in_q(scope.head_of_department_ids, field="pk")
    oversight = scope.paths_for(OVERSIGHT_ROLES)
    if oversight:
        q |= path_q(oversight)
    return qs.filter(q).order_by("jurisdiction__path", "name")
