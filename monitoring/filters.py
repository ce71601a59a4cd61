"""One FilterSet per list (crowdsafe/common/filters.py)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import IntegerFilter, ListFilterSet, TerritoryFilter
from monitoring.choices import AlertKind, AlertState, Level, ZoneKind
from monitoring.models import MonitoringAlert, Zone


class ZoneFilterSet(ListFilterSet):
    jurisdiction = TerritoryFilter(label=_("Territory (division code)"))
    level = django_filters.ChoiceFilter(field_name="state__level", choices=Level.choices, label=_("Level"))
    kind = django_filters.ChoiceFilter(choices=ZoneKind.choices, label=_("Kind"))

    class Meta:
        model = Zone
        fields: list[str] = []


class AlertFilterSet(ListFilterSet):
    zone = IntegerFilter(field_name="zone_id", label=_("Zone"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    state = django_filters.ChoiceFilter(choices=AlertState.choices, label=_("State"))
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label=_("Kind"))

    class Meta:
        model = MonitoringAlert
        fields: list[str] = []
