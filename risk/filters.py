"""The filters of the risk lists (assessments, the register, hazards, campaigns and their venues): one FilterSet
each for the page's form, the API and the selector (the shape is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crowdsafe.common.filters import CheckboxFilter, IntegerFilter, ListFilterSet, TerritoryFilter
from risk.choices import (
    OPEN_HAZARD_STATES,
    AssessedSubject,
    AssessmentState,
    CampaignState,
    HazardLevel,
    HazardState,
    RiskLevel,
    TargetStatus,
)
from risk.forms import PlainForm
from risk.models import AssessmentCampaign, CampaignTarget, Hazard, RiskAssessment, SubjectRiskLevel


class AssessmentFilterSet(ListFilterSet):
    """``q``: part of the subject's name; ``state``; ``level``; ``subject_type`` (with ``subject_id``, API);
    ``jurisdiction``: a division code (API); ``to_review``: submitted and awaiting sign-off by someone other than
    the user (the selector passes ``user``)."""

    q = django_filters.CharFilter(
        label=_("Subject"), field_name="subject_label", lookup_expr="icontains", max_length=64
    )
    state = django_filters.ChoiceFilter(label=_("Status"), choices=AssessmentState.choices, empty_label=_("Any"))
    level = django_filters.ChoiceFilter(
        label=pgettext_lazy("risk", "Level"), choices=RiskLevel.choices, empty_label=_("Any")
    )
    subject_type = django_filters.ChoiceFilter(
        label=_("About"), choices=AssessedSubject.choices, empty_label=_("Any"), method="filter_subject"
    )
    to_review = CheckboxFilter(label=_("Awaiting sign-off"), method="filter_to_review")
    subject_id = IntegerFilter(min_value=1, method="filter_subject", help_text="With subject_type: one subject.")
    jurisdiction = TerritoryFilter(help_text="Division code.")

    class Meta:
        model = RiskAssessment
        fields: list[str] = []
        form = PlainForm

    def filter_subject(self, qs: QuerySet[RiskAssessment], name: str, value: object) -> QuerySet[RiskAssessment]:
        # The subject id counts only with its type; both are applied when the type is seen.
        if name != "subject_type":
            return qs
        qs = qs.filter(subject_type=value)
        subject_id = self.valid("subject_id")
        return qs.filter(subject_id=subject_id) if subject_id else qs

    def filter_to_review(self, qs: QuerySet[RiskAssessment], name: str, value: bool) -> QuerySet[RiskAssessment]:
        if not value:
            return qs
        user = self.context.get("user")
        return qs.filter(state=AssessmentState.SUBMITTED).exclude(assessor_id=getattr(user, "pk", None))


class RegisterFilterSet(ListFilterSet):
    """``q``: part of the name; ``level``; ``subject_type``; ``jurisdiction``: a division code."""

    q = django_filters.CharFilter(label=_("Name"), field_name="subject_label", lookup_expr="icontains", max_length=64)
    level = django_filters.ChoiceFilter(
        label=pgettext_lazy("risk", "Level"), choices=RiskLevel.choices, empty_label=_("Any")
    )
    subject_type = django_filters.ChoiceFilter(label=_("About"), choices=AssessedSubject.choices, empty_label=_("Any"))
    jurisdiction = TerritoryFilter(
        label=_("Territory (division code)"),
        widget=forms.TextInput(attrs={"list": "risk-territories", "inputmode": "numeric"}),
    )

    class Meta:
        model = SubjectRiskLevel
        fields: list[str] = []
        form = PlainForm


class HazardStatus:
    """The hazard list's status filter beyond the states themselves."""

    OPEN = "open"
    OVERDUE = "overdue"
    ALL = "all"


class HazardFilterSet(ListFilterSet):
    """``q``: title, location or place; ``status``: ``open`` (the default, also when the value is not valid),
    ``overdue``, ``all`` or a hazard state; ``level``; ``venue`` (id), ``subject_type`` + ``subject_id``,
    ``jurisdiction`` (a division code) from the API. Overdue counts from the selector's ``today``."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=64)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (HazardStatus.OPEN, _("Open")),
            (HazardStatus.OVERDUE, _("Overdue")),
            (HazardStatus.ALL, _("All")),
            *HazardState.choices,
        ],
        empty_label=None,
        method="filter_status",
        help_text="open (default), overdue, all, or a hazard state.",
    )
    level = django_filters.ChoiceFilter(
        label=pgettext_lazy("hazard", "Level"), choices=HazardLevel.choices, empty_label=_("Any")
    )
    venue = IntegerFilter(field_name="venue_id", min_value=1)
    subject_type = django_filters.ChoiceFilter(
        choices=AssessedSubject.choices, method="filter_subject", help_text="With subject_id: one subject."
    )
    subject_id = IntegerFilter(min_value=1, method="filter_subject", help_text="With subject_type: one subject.")
    jurisdiction = TerritoryFilter(help_text="Division code.")

    class Meta:
        model = Hazard
        fields: list[str] = []
        form = PlainForm

    def status_value(self) -> str:
        return self.valid("status") or HazardStatus.OPEN

    def filter_queryset(self, queryset: QuerySet[Hazard]) -> QuerySet[Hazard]:
        queryset = super().filter_queryset(queryset)
        if not self.valid("status"):
            # Open hazards unless another status is asked for (a status with an error counts as not given).
            queryset = self.filter_status(queryset, "status", HazardStatus.OPEN)
        return queryset

    def filter_status(self, qs: QuerySet[Hazard], name: str, value: str) -> QuerySet[Hazard]:
        if value == HazardStatus.OPEN:
            return qs.filter(state__in=OPEN_HAZARD_STATES)
        if value == HazardStatus.OVERDUE:
            today = self.context.get("today") or timezone.localdate()
            return qs.filter(state__in=OPEN_HAZARD_STATES, rectification_deadline__lt=today)
        if value == HazardStatus.ALL:
            return qs
        return qs.filter(state=value)

    def filter_subject(self, qs: QuerySet[Hazard], name: str, value: object) -> QuerySet[Hazard]:
        # Type and id together, or neither.
        if name != "subject_type" or not self.valid("subject_id"):
            return qs
        return qs.filter(subject_type=value, subject_id=self.valid("subject_id"))

    def filter_search(self, qs: QuerySet[Hazard], name: str, value: str) -> QuerySet[Hazard]:
        return qs.filter(Q(title__icontains=value) | Q(location__icontains=value) | Q(subject_label__icontains=value))


class CampaignFilterSet(ListFilterSet):
    """``state``: open or closed campaigns."""

    state = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignState.choices, empty_label=_("Any"))

    class Meta:
        model = AssessmentCampaign
        fields: list[str] = []
        form = PlainForm


class CampaignTargetFilterSet(ListFilterSet):
    """A campaign's venues: ``status`` (the page's tabs: pending, assessed, cancelled); ``township`` (id)."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=TargetStatus.choices, empty_label=_("All"))
    township = IntegerFilter(field_name="township_id", min_value=1)

    class Meta:
        model = CampaignTarget
        fields: list[str] = []
        form = PlainForm
