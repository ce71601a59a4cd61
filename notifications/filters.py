"""The filters of the inbox and of the delivery log: one FilterSet each for the page, the API and the selector (the
shape is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import CheckboxFilter, IntegerFilter, ListFilterSet
from crowdsafe.org.models import Department
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Delivery, Notification


class InboxShow:
    """The inbox page's tabs."""

    ALL = "all"
    UNREAD = "unread"
    URGENT = "urgent"


class InboxFilterSet(ListFilterSet):
    """``show``: the page's tab (all, unread or urgent); ``unread`` and ``urgent``: the same as yes/no (API)."""

    show = django_filters.ChoiceFilter(
        choices=[(InboxShow.ALL, _("All")), (InboxShow.UNREAD, _("Unread")), (InboxShow.URGENT, _("Urgent"))],
        method="filter_show",
        help_text="all, unread or urgent (the page's tabs).",
    )
    unread = CheckboxFilter(field_name="read_at", method="filter_unread", help_text="Only unread notifications.")
    urgent = CheckboxFilter(field_name="message__urgent", help_text="Only urgent notifications.")

    class Meta:
        model = Notification
        fields: list[str] = []

    def show_value(self) -> str:
        """The tab shown: ``all`` when none (or an unknown one) is asked for."""
        return self.valid("show") or InboxShow.ALL

    def filter_show(self, qs: QuerySet[Notification], name: str, value: str) -> QuerySet[Notification]:
        if value == InboxShow.UNREAD:
            return self.filter_unread(qs, "unread", True)
        if value == InboxShow.URGENT:
            return qs.filter(message__urgent=True)
        return qs

    def filter_unread(self, qs: QuerySet[Notification], name: str, value: bool) -> QuerySet[Notification]:
        return qs.filter(read_at__isnull=True) if value else qs


class DeliveryFilterSet(ListFilterSet):
    """``q``: the message's title or the recipient contains; ``channel``; ``status``; ``department``: the id of the
    department whose message it is."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", max_length=100, help_text="Title or recipient contains."
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DeliveryStatus.choices, empty_label=_("All"))
    department = IntegerFilter(field_name="department_id", label=_("Department"), min_value=1, widget=forms.Select)

    class Meta:
        model = Delivery
        fields: list[str] = []

    def __init__(self, *args, departments: Iterable[Department] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.departments = [("", _("All")), *((d.pk, str(d)) for d in departments)]

    @property
    def form(self) -> forms.Form:
        form = super().form
        form.fields["department"].widget.choices = self.departments
        return form

    def filter_search(self, qs: QuerySet[Delivery], name: str, value: str) -> QuerySet[Delivery]:
        return qs.filter(Q(message__title__icontains=value) | Q(recipient_label__icontains=value))
