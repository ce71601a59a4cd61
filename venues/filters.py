"""The filters of the venue list: one FilterSet for the page's form, the API and ``selectors.venue_list`` (the shape
is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import CheckboxFilter, IntegerFilter, ListFilterSet, TerritoryFilter
from crowdsafe.org.models import Organisation
from venues.choices import VenueKind
from venues.models import Venue


class VenueFilterSet(ListFilterSet):
    """``q`` (the API's ``search``): part of the name or the address; ``kind``; ``jurisdiction``: a division code,
    the venues in its subtree; ``operator``: an organisation id; ``capacity_warning``: declared capacity above the
    computed one; ``include_inactive``: deactivated venues too (they are left out otherwise)."""

    q = django_filters.CharFilter(
        label=_("Name or address"),
        method="filter_search",
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=VenueKind.choices, empty_label=_("All kinds"))
    jurisdiction = TerritoryFilter(
        label=_("Territory (division code)"),
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off", "list": "venue-territories"}),
    )
    operator = IntegerFilter(field_name="operator_id", label=_("Operator"), min_value=1, widget=forms.Select)
    capacity_warning = CheckboxFilter(label=_("Declared capacity above the computed one"))
    include_inactive = CheckboxFilter(label=_("Include deactivated venues"), method="filter_include_inactive")
    search = django_filters.CharFilter(
        method="filter_search", max_length=64, help_text="Part of the name or the address (the page's `q`)."
    )

    class Meta:
        model = Venue
        fields: list[str] = []

    def __init__(self, *args, operators: Iterable[Organisation] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.operators = [("", _("All operators")), *((o.pk, o.name) for o in operators)]

    @property
    def form(self) -> forms.Form:
        form = super().form
        form.fields["operator"].widget.choices = self.operators
        return form

    def filter_search(self, qs: QuerySet[Venue], name: str, value: str) -> QuerySet[Venue]:
        return qs.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def filter_include_inactive(self, qs: QuerySet[Venue], name: str, value: bool) -> QuerySet[Venue]:
        return qs if value else qs.filter(is_active=True)
