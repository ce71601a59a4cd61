"""The filters of the gathering list (清单): one FilterSet for the page's form, the API and
``selectors.gathering_list`` (the shape is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crowdsafe.common.filters import ListFilterSet, TerritoryFilter
from events.choices import TERMINAL_STATUSES, GatheringKind, GatheringSource, GatheringStatus, RiskLevel
from events.forms import DateInput
from events.models import Gathering

NO_PATH = TerritoryFilter.NO_PATH


def _aware_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class GatheringFilterSet(ListFilterSet):
    """``jurisdiction``: a division code, the gatherings in that territory's subtree; ``date_from`` / ``date_to``:
    starting on or after / on or before those days; ``status``: a status, or ``open`` for every status not closed;
    ``risk_level``, ``source``, ``kind``: a value; ``q`` (the API's ``search``): part of the name or the place."""

    q = django_filters.CharFilter(
        label=_("Name or place"),
        method="filter_search",
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Part of the name or the place.",
    )
    jurisdiction = TerritoryFilter(
        label=_("Territory (division code)"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "gathering-territories"}),
        help_text="Division code: that territory's subtree.",
    )
    date_from = django_filters.DateFilter(
        label=_("Starting from"), method="filter_date_from", widget=DateInput(), help_text="Starting on or after."
    )
    date_to = django_filters.DateFilter(
        label=_("Starting until"), method="filter_date_to", widget=DateInput(), help_text="Starting on or before."
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[("open", _("Not closed")), *GatheringStatus.choices],
        empty_label=_("All statuses"),
        help_text="A status, or `open` (not closed).",
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("Risk level"), choices=RiskLevel.choices, empty_label=pgettext_lazy("risk level", "All levels")
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=GatheringSource.choices, empty_label=_("All sources")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=GatheringKind.choices, empty_label=_("All kinds"))
    search = django_filters.CharFilter(
        method="filter_search", max_length=64, help_text="Part of the name or the place (the page's `q`)."
    )

    class Meta:
        model = Gathering
        fields: list[str] = []

    def territory_path(self) -> str | None:
        """The path of the ``jurisdiction`` filter's division code (``NO_PATH``: no jurisdiction has it; None: not
        given), looked up once: the scope (``selectors._within``), the list and the map all use it."""
        territory: TerritoryFilter = self.filters["jurisdiction"]
        return territory.path_of(self.valid("jurisdiction"))

    def narrow(self) -> bool:
        """One territory and a date range pick few enough gatherings to check the scope one by one."""
        return bool(self.territory_path()) and bool(self.valid("date_from") or self.valid("date_to"))

    def filter_date_from(self, qs: QuerySet[Gathering], name: str, value: dt.date) -> QuerySet[Gathering]:
        return qs.filter(starts_at__gte=_aware_day_start(value))

    def filter_date_to(self, qs: QuerySet[Gathering], name: str, value: dt.date) -> QuerySet[Gathering]:
        return qs.filter(starts_at__lt=_aware_day_start(value + dt.timedelta(days=1)))

    def filter_status(self, qs: QuerySet[Gathering], name: str, value: str) -> QuerySet[Gathering]:
        if value == "open":
            return qs.exclude(status__in=[s.value for s in TERMINAL_STATUSES])
        return qs.filter(status=value)

    def filter_search(self, qs: QuerySet[Gathering], name: str, value: str) -> QuerySet[Gathering]:
        search = value.strip()
        if not search:
            return qs
        return qs.filter(
            Q(title__icontains=search) | Q(location_name__icontains=search) | Q(venue__name__icontains=search)
        )

    # --- the page's form, rendered without widget templates ---------------------------------------------------

    SELECTS = ("status", "risk_level", "source", "kind")
    INPUTS = (("q", "search"), ("jurisdiction", "text"), ("date_from", "date"), ("date_to", "date"))

    def plain_fields(self) -> dict[str, Any]:
        """The form's fields as plain values for a hand-written template: Django's widget templates render each
        select option through a template of its own, which made this small form the slowest part of the list page
        (bench/bench_events.py)."""
        form = self.form
        form.is_valid()
        raw = form.data if form.is_bound else {}
        inputs = [
            {"name": name, "type": kind, "label": str(form.fields[name].label), "value": (raw.get(name) or "")}
            for name, kind in self.INPUTS
        ]
        selects = []
        for name in self.SELECTS:
            current = raw.get(name) or ""
            options = [(str(value), str(label), str(value) == current) for value, label in form.fields[name].choices]
            selects.append({"name": name, "label": str(form.fields[name].label), "options": options})
        return {"inputs": inputs, "selects": selects}
