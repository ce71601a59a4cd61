"""The filters of the organisation lists (jurisdictions, the department directory): one FilterSet each for the page's
form, the API and the selector (the shape is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import ListFilterSet
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel
from crowdsafe.org.models import Department, Jurisdiction

SEARCH_WIDGET = {"type": "search", "autocomplete": "off"}


class LabelForm(forms.Form):
    """The organisation pages' filter form: labels without a colon (they sit above their fields)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class JurisdictionFilterSet(ListFilterSet):
    """``q`` (the API's ``search``): part of the name, or the start of the division code; ``level``; ``parent``:
    the division code of the parent (its children only; set by links, hidden on the page)."""

    q = django_filters.CharFilter(
        label=_("Name or code"),
        method="filter_search",
        max_length=64,
        widget=forms.TextInput(attrs=SEARCH_WIDGET),
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=JurisdictionLevel.choices, empty_label=_("All levels")
    )
    parent = django_filters.CharFilter(
        field_name="parent__code", max_length=20, widget=forms.HiddenInput, help_text="Division code of the parent."
    )
    search = django_filters.CharFilter(
        method="filter_search", max_length=64, help_text="Part of the name, or the start of the code (the page's `q`)."
    )

    class Meta:
        model = Jurisdiction
        fields: list[str] = []
        form = LabelForm

    def filter_search(self, qs: QuerySet[Jurisdiction], name: str, value: str) -> QuerySet[Jurisdiction]:
        return qs.filter(Q(name__icontains=value) | Q(code__startswith=value))


class DepartmentFilterSet(ListFilterSet):
    """``q``: part of the name; ``kind``; ``jurisdiction``: the division code of the jurisdiction the departments
    belong to (that jurisdiction's own, not its subtree's; none when no jurisdiction has the code)."""

    q = django_filters.CharFilter(
        label=_("Name"),
        field_name="name",
        lookup_expr="icontains",
        max_length=64,
        widget=forms.TextInput(attrs=SEARCH_WIDGET),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DepartmentKind.choices, empty_label=_("All kinds"))
    jurisdiction = django_filters.CharFilter(
        field_name="jurisdiction__code", max_length=20, widget=forms.HiddenInput, help_text="Division code."
    )

    class Meta:
        model = Department
        fields: list[str] = []
        form = LabelForm
