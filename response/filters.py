"""FilterSets of the response lists (one per list: the page form, the API and the selector)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import ListFilterSet
from response.choices import IncidentStatus, ReportChannel, ReportStatus
from response.models import Incident, PublicReport


class IncidentFilterSet(ListFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=IncidentStatus.choices)

    class Meta:
        model = Incident
        fields = ["status"]


class ReportFilterSet(ListFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=ReportStatus.choices)
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=ReportChannel.choices)

    class Meta:
        model = PublicReport
        fields = ["status", "channel"]
