"""The filters of the drill lists (emergency plans, drills, after-action items): one FilterSet each for the page's
form, the API and the selector (the shape is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import CheckboxFilter, IntegerFilter, ListFilterSet, TerritoryFilter
from drills.choices import DrillStatus, ItemStatus, OwnerKind, PlanKind, ScopeKind
from drills.models import AfterActionItem, Drill, EmergencyPlan
from duties.services.tasks import add_months


class PlanDrillFilter:
    OVERDUE = "overdue"  # never drilled, or the last drill is older than the interval
    IN_TIME = "in_time"


def drilled_in_time_q(today: dt.date) -> Q:
    """Plans drilled within their interval as of ``today``: the last drill on or after today minus the interval
    (one condition per interval in use), or — for event plans — drilled at all."""
    intervals = (
        EmergencyPlan.objects.exclude(drill_interval_months=None)
        .values_list("drill_interval_months", flat=True)
        .distinct()
    )
    q = Q(drill_interval_months=None, last_drilled_on__isnull=False)
    for months in intervals:
        q |= Q(drill_interval_months=months, last_drilled_on__gte=add_months(today, -months))
    return q


def _territory(list_id: str) -> TerritoryFilter:
    return TerritoryFilter(
        label=_("Territory (division code)"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": list_id}),
    )


class EmergencyPlanFilterSet(ListFilterSet):
    """Plans in force (``include_withdrawn`` for all): ``q`` (the API's ``search``: part of the title), ``kind``,
    ``scope_kind``, ``owner_kind`` (API), ``jurisdiction`` (a division code: the subtree), ``venue`` (id, API),
    ``drill`` (``overdue``: never drilled or not within the interval; ``in_time``), as of the selector's
    ``today``."""

    q = django_filters.CharFilter(
        label=_("Title"),
        field_name="title",
        lookup_expr="icontains",
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind of plan"), choices=PlanKind.choices, empty_label=_("All kinds"))
    scope_kind = django_filters.ChoiceFilter(label=_("Scope"), choices=ScopeKind.choices, empty_label=_("All scopes"))
    jurisdiction = _territory("drill-territories")
    drill = django_filters.ChoiceFilter(
        label=_("Drills"),
        choices=[
            (PlanDrillFilter.OVERDUE, _("Not drilled within the interval")),
            (PlanDrillFilter.IN_TIME, _("Drilled within the interval")),
        ],
        empty_label=_("All"),
        method="filter_drill",
    )
    include_withdrawn = CheckboxFilter(label=_("Include withdrawn plans"), method="filter_include_withdrawn")
    owner_kind = django_filters.ChoiceFilter(choices=OwnerKind.choices)
    venue = IntegerFilter(field_name="venue_id", min_value=1)
    search = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", max_length=64, help_text="Part of the title (the page's `q`)."
    )

    class Meta:
        model = EmergencyPlan
        fields: list[str] = []

    def filter_drill(self, qs: QuerySet[EmergencyPlan], name: str, value: str) -> QuerySet[EmergencyPlan]:
        in_time = drilled_in_time_q(self.context.get("today") or timezone.localdate())
        return qs.filter(in_time) if value == PlanDrillFilter.IN_TIME else qs.exclude(in_time)

    def filter_include_withdrawn(self, qs: QuerySet[EmergencyPlan], name: str, value: bool) -> QuerySet[EmergencyPlan]:
        return qs if value else qs.filter(is_active=True)


class DrillFilterSet(ListFilterSet):
    """``status``, ``jurisdiction`` (a division code); ``plan`` (id), ``date_from`` and ``date_to`` (API, and the
    calendar's month)."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=DrillStatus.choices, empty_label=_("All"))
    jurisdiction = _territory("drill-territories")
    plan = IntegerFilter(field_name="plan_id", min_value=1)
    date_from = django_filters.DateFilter(field_name="on_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="on_date", lookup_expr="lte")

    class Meta:
        model = Drill
        fields: list[str] = []


class AfterActionItemFilterSet(ListFilterSet):
    """``status`` (open, the default, or closed); ``overdue``: open and past due as of the selector's ``today``;
    ``plan`` (id, API)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ItemStatus.choices, empty_label=None, method="filter_status"
    )
    overdue = CheckboxFilter(label=_("Overdue only"), method="filter_overdue")
    plan = IntegerFilter(field_name="plan_id", min_value=1)

    class Meta:
        model = AfterActionItem
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[AfterActionItem]) -> QuerySet[AfterActionItem]:
        queryset = super().filter_queryset(queryset)
        if not self.valid("status"):
            # Open items unless closed ones are asked for (a status with an error counts as not given).
            queryset = queryset.filter(status=ItemStatus.OPEN)
        return queryset

    def filter_status(self, qs: QuerySet[AfterActionItem], name: str, value: str) -> QuerySet[AfterActionItem]:
        return qs.filter(status=value)

    def filter_overdue(self, qs: QuerySet[AfterActionItem], name: str, value: bool) -> QuerySet[AfterActionItem]:
        if not value:
            return qs
        today = self.context.get("today") or timezone.localdate()
        return qs.filter(status=ItemStatus.OPEN, due_date__lt=today)
