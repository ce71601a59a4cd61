"""The filters of "my alerts": one FilterSet for the API and ``selectors.alerts_of`` (the shape is in
``crowdsafe.common.filters``)."""

from __future__ import annotations

from django.db.models import QuerySet

from alerts.models import Alert, AlertTarget
from crowdsafe.common.filters import CheckboxFilter, ListFilterSet


class AlertFilterSet(ListFilterSet):
    """``unacknowledged``: only the alerts the user (the selector passes ``user``) has not acknowledged yet."""

    unacknowledged = CheckboxFilter(
        method="filter_unacknowledged", help_text="Only the alerts the caller has not acknowledged yet."
    )

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_unacknowledged(self, qs: QuerySet[Alert], name: str, value: bool) -> QuerySet[Alert]:
        if not value:
            return qs
        user = self.context["user"]
        pending = AlertTarget.objects.filter(user_id=user.pk, acknowledged_at__isnull=True)
        return qs.filter(pk__in=pending.values("alert_id"))
