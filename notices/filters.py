"""The filters of the document list: one FilterSet for the page's form, the API and ``selectors.notice_list`` (the
shape is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import IntegerFilter, ListFilterSet, PeriodForm
from crowdsafe.org.models import Department
from notices.choices import NoticeKind, NoticeStatus
from notices.models import Notice


class NoticeFilterSet(ListFilterSet):
    """``q``: part of the number, title, addressee or subject; ``kind``; ``issuer``: the issuing department's id;
    ``date_from`` / ``date_to``: issued on or after / on or before (inclusive; the end before the start is an error
    on ``date_to``); ``status``."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("Number, title or addressee"), "type": "search"}),
        help_text="Part of the number, title or addressee.",
    )
    kind = django_filters.ChoiceFilter(label=_("Document kind"), choices=NoticeKind.choices, empty_label=_("All kinds"))
    issuer = IntegerFilter(
        field_name="issuer_id",
        label=_("Issued by"),
        min_value=1,
        widget=forms.Select,
        help_text="Id of the issuing department.",
    )
    date_from = django_filters.DateFilter(
        field_name="issued_on",
        lookup_expr="gte",
        label=_("Issued from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Issued on or after this date.",
    )
    date_to = django_filters.DateFilter(
        field_name="issued_on",
        lookup_expr="lte",
        label=_("Issued until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Issued on or before this date.",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NoticeStatus.choices, empty_label=_("Any status"))

    class Meta:
        model = Notice
        fields: list[str] = []
        form = PeriodForm

    def __init__(self, *args, issuers: Iterable[Department] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.issuers = [("", _("Any department")), *((d.pk, d.name) for d in issuers)]

    @property
    def form(self) -> forms.Form:
        form = super().form
        form.fields["issuer"].widget.choices = self.issuers
        return form

    def filter_search(self, qs: QuerySet[Notice], name: str, value: str) -> QuerySet[Notice]:
        return qs.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(recipient__icontains=value)
            | Q(subject_label__icontains=value)
        )
