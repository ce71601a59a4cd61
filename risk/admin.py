"""Admin of the risk app.

The risk matrix's bands are edited here by the city's administrators, through ``bands_update`` (which checks that
the four bands still cover 1–25 in order, and logs the change). Assessments, campaigns and hazards are kept in the
app's pages and API, where every write goes through a service: here they are read-only, for looking things up.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from crowdsafe.common.admin import ReadOnlyAdmin, ServiceErrorsAdmin, add_domain_error
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from risk import access
from risk.models import AssessmentCampaign, Hazard, RiskAssessment, RiskBand, SubjectRiskLevel
from risk.scoring import Band
from risk.services import bands_update, check_bands


class RiskBandForm(forms.ModelForm):
    class Meta:
        model = RiskBand
        fields = ["min_score", "max_score"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        bands = [
            Band(row.level, row.min_score, row.max_score)
            for row in RiskBand.objects.exclude(pk=self.instance.pk).order_by("min_score")
        ]
        bands.append(Band(self.instance.level, cleaned["min_score"], cleaned["max_score"]))
        try:
            check_bands(bands)
        except DomainError as exc:
            add_domain_error(self, exc)
        return cleaned


class BandsFormSet(forms.BaseModelFormSet):
    """The four bands edited together on the list page: a shared boundary moves in one go (blue 1–4 and yellow
    5–8), and the whole set is checked as one."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        proposed = {row.level: (row.min_score, row.max_score) for row in RiskBand.objects.all()}
        for form in self.forms:
            if form.instance.pk and form.cleaned_data:
                proposed[form.instance.level] = (form.cleaned_data["min_score"], form.cleaned_data["max_score"])
        try:
            check_bands([Band(level, lo, hi) for level, (lo, hi) in proposed.items()])
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        self.proposed = proposed


@admin.register(RiskBand)
class RiskBandAdmin(ServiceErrorsAdmin):
    """The four bands of the risk matrix, seeded by migration; an administrator moves their boundaries on the list
    page, all four at once (a change that leaves a score without a level, or two levels on one score, is
    refused)."""

    form = RiskBandForm
    list_display = ["level", "min_score", "max_score", "updated_at"]
    list_display_links = None
    list_editable = ["min_score", "max_score"]
    readonly_fields = ["level"]
    fields = ["level", "min_score", "max_score"]

    def get_changelist_formset(self, request, **kwargs):
        kwargs["formset"] = BandsFormSet
        formset_class = super().get_changelist_formset(request, **kwargs)

        class Bound(formset_class):
            def clean(self):
                super().clean()
                request._risk_bands = self.proposed  # saved once, by save_model, through the service

        return Bound

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and access.can_edit_bands(get_scope(request.user))

    def save_model(self, request, obj, form, change) -> None:
        bands = getattr(request, "_risk_bands", None)
        if bands is None:  # the change page of one band
            bands = {row.level: (row.min_score, row.max_score) for row in RiskBand.objects.all()}
            bands[obj.level] = (obj.min_score, obj.max_score)
        elif getattr(request, "_risk_bands_saved", False):
            return  # the list page's other rows: all four were saved with the first
        bands_update(bands=bands, actor=request.user)
        request._risk_bands_saved = True


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["subject_label", "subject_type", "assessed_on", "level", "score", "state", "assessor"]
    list_filter = ["state", "level", "subject_type", "assessor_kind"]
    search_fields = ["subject_label", "scenario"]
    list_select_related = ["assessor"]
    date_hierarchy = "assessed_on"


@admin.register(SubjectRiskLevel)
class SubjectRiskLevelAdmin(ReadOnlyAdmin):
    list_display = ["subject_label", "subject_type", "level", "score", "assessed_on", "since"]
    list_filter = ["level", "subject_type"]
    search_fields = ["subject_label"]


@admin.register(AssessmentCampaign)
class AssessmentCampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "territory", "purpose", "deadline", "target_count", "state"]
    list_filter = ["state", "purpose"]
    search_fields = ["name"]
    list_select_related = ["territory"]


@admin.register(Hazard)
class HazardAdmin(ReadOnlyAdmin):
    list_display = ["title", "level", "state", "found_on", "rectification_deadline", "subject_label", "location"]
    list_filter = ["state", "level", "source"]
    search_fields = ["title", "location", "subject_label"]
    date_hierarchy = "found_on"
