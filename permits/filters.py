"""The filters of the permit lists (the applications, the review queue): one FilterSet each for the page's form, the
API and the selector (the shape is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import CheckboxFilter, ListFilterSet
from permits.choices import ApplicationState, EventKind, LicensingLevel
from permits.models import PermitApplication

QUEUE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.ACCEPTED,
    ApplicationState.UNDER_REVIEW,
    ApplicationState.INSPECTION,
)


class PermitApplicationFilterSet(ListFilterSet):
    """``search``: part of the event name or the number; ``state``; ``event_kind``; ``licensing_level`` (API)."""

    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=64)
    state = django_filters.ChoiceFilter(label=_("State"), choices=ApplicationState.choices, empty_label=_("Any"))
    event_kind = django_filters.ChoiceFilter(label=_("Kind of event"), choices=EventKind.choices, empty_label=_("Any"))
    licensing_level = django_filters.ChoiceFilter(choices=LicensingLevel.choices, empty_label=_("Any"))

    class Meta:
        model = PermitApplication
        fields: list[str] = []

    def filter_search(self, qs: QuerySet[PermitApplication], name: str, value: str) -> QuerySet[PermitApplication]:
        return qs.filter(Q(event_name__icontains=value) | Q(number__icontains=value))


class ReviewQueueFilterSet(ListFilterSet):
    """``state``: one step of the review; ``overdue``: past the due date of the step owed now."""

    state = django_filters.ChoiceFilter(
        label=_("Step"), choices=[(s.value, s.label) for s in QUEUE_STATES], empty_label=_("Any")
    )
    overdue = CheckboxFilter(label=_("Overdue only"), method="filter_overdue")

    class Meta:
        model = PermitApplication
        fields: list[str] = []

    def filter_overdue(self, qs: QuerySet[PermitApplication], name: str, value: bool) -> QuerySet[PermitApplication]:
        return qs.filter(review_due__lt=timezone.localdate()) if value else qs
