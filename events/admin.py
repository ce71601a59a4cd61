"""Admin of the events app.

The key-date calendar (with the dates of local temple fairs, entered each year) and the thresholds of the
automatic risk pre-level are edited here by the city's administrators, through the services (checked and
logged). Gatherings are kept in the app's pages and API, where every write goes through a service: here they are
read-only, for looking things up.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceErrorsAdmin
from crowdsafe.org.access import get_scope
from events import services
from events.models import (
    Gathering,
    GatheringDecision,
    GatheringImportJob,
    HeadcountUpdate,
    KeyDate,
    KeyDateOccurrence,
    Measure,
    TriageSettings,
)


def _is_city_admin(user) -> bool:
    scope = get_scope(user)
    return scope.is_superuser or bool(scope.admin_paths)


class KeyDateOccurrenceInline(admin.TabularInline):
    model = KeyDateOccurrence
    extra = 1
    fields = ["starts_on", "ends_on"]
    verbose_name = _("dates of one year")


@admin.register(KeyDate)
class KeyDateAdmin(ServiceErrorsAdmin):
    list_display = ["name", "rule", "festival", "month", "day", "offset_days", "span_days", "lead_days", "is_active"]
    list_filter = ["rule", "is_active"]
    search_fields = ["name", "notes"]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]
    inlines = [KeyDateOccurrenceInline]
    fieldsets = [
        (None, {"fields": ["name", "rule", "is_active", "notes"]}),
        (_("When"), {"fields": ["month", "day", "festival", "offset_days", "span_days", "lead_days"]}),
        (_("Which gatherings"), {"fields": ["gathering_kinds", "venue_kinds", "jurisdiction"]}),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and _is_city_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and _is_city_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate a key date instead: its expected gatherings point at it

    def save_model(self, request, obj, form, change) -> None:
        services.key_date_save(key_date=obj, actor=request.user, changed=form.changed_data)

    def save_formset(self, request, form, formset, change) -> None:
        instances = formset.save(commit=False)
        for occurrence in formset.deleted_objects:
            services.key_date_occurrence_delete(occurrence=occurrence, actor=request.user)
        for occurrence in instances:
            occurrence.key_date = form.instance
            services.key_date_occurrence_save(occurrence=occurrence, actor=request.user)


@admin.register(TriageSettings)
class TriageSettingsAdmin(ServiceErrorsAdmin):
    """One row, seeded by migration; the city's administrators change the thresholds."""

    list_display = [
        "__str__",
        "ratio_yellow",
        "ratio_orange",
        "ratio_red",
        "band_yellow",
        "band_orange",
        "band_red",
        "max_raise",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and _is_city_admin(request.user)

    def save_model(self, request, obj, form, change) -> None:
        services.triage_settings_save(settings_row=obj, actor=request.user, changed=form.changed_data)


class MeasureInline(ReadOnlyInline):
    model = Measure
    fields = ["kind", "applied_at", "applied_by_unit", "ended_at", "effect"]


@admin.register(Gathering)
class GatheringAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "risk_level", "starts_at", "grid", "venue", "source"]
    list_filter = ["status", "risk_level", "kind", "source"]
    search_fields = ["title", "location_name", "grid__code", "grid__name", "venue__name"]
    list_select_related = ["grid", "venue"]
    date_hierarchy = "starts_at"
    inlines = [MeasureInline]
    show_full_result_count = False


@admin.register(GatheringDecision)
class GatheringDecisionAdmin(ReadOnlyAdmin):
    list_display = ["gathering", "kind", "decided_by_label", "decided_at"]
    list_filter = ["kind"]
    list_select_related = ["gathering"]


@admin.register(HeadcountUpdate)
class HeadcountUpdateAdmin(ReadOnlyAdmin):
    list_display = ["gathering", "count", "observed_at", "reported_by"]
    list_select_related = ["gathering", "reported_by"]


@admin.register(GatheringImportJob)
class GatheringImportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "created_by",
        "created_at",
        "status",
        "total_rows",
        "invalid_rows",
        "imported_rows",
    ]
    list_filter = ["status"]
    list_select_related = ["created_by"]
