"""The inspection list's filters: the page's form, the API's query parameters and the selector's filtering."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import ListFilterSet
from inspections.choices import InspectionState, InspectionSubject, Origin
from inspections.models import Inspection
from venues.choices import VenueKind


class InspectionFilterSet(ListFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=InspectionState.choices)
    subject_type = django_filters.ChoiceFilter(label=_("Inspected"), choices=InspectionSubject.choices)
    origin = django_filters.ChoiceFilter(label=_("How it started"), choices=Origin.choices)
    venue_kind = django_filters.ChoiceFilter(label=_("Kind of venue"), choices=VenueKind.choices)
    failed = django_filters.BooleanFilter(label=_("With failed items"), method="filter_failed")

    class Meta:
        model = Inspection
        fields = ["state", "subject_type", "origin", "venue_kind"]

    def filter_failed(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return queryset
        return queryset.filter(failed_count__gt=0) if value else queryset.filter(failed_count=0)
