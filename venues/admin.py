"""Admin for the venues app.

The capacity settings are edited here by the city's administrators, through ``capacity_setting_update`` (so
each change is logged and every venue's capacity recomputed). The venue register itself is kept in the app's
pages and API, where every write goes through a service that checks the territory and writes the action log:
here it is read-only, for looking things up.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceErrorsAdmin
from venues import services
from venues.models import (
    CapacitySetting,
    Exit,
    ImportJob,
    RiskPoint,
    SpecialEquipment,
    TemporaryStructure,
    Venue,
    VenueGroupObjectPermission,
    VenueUserObjectPermission,
    Zone,
)


class ZoneInline(ReadOnlyInline):
    model = Zone
    fields = ["name", "kind", "usable_area_m2", "seats"]


class ExitInline(ReadOnlyInline):
    model = Exit
    fields = ["name", "kind", "clear_width_m"]


class RiskPointInline(ReadOnlyInline):
    model = RiskPoint
    fields = ["kind", "notes", "photo"]


class TemporaryStructureInline(ReadOnlyInline):
    model = TemporaryStructure
    fields = ["name", "erected_on", "accepted_on", "accepted_by"]


class SpecialEquipmentInline(ReadOnlyInline):
    model = SpecialEquipment
    fields = ["kind", "name", "registration_no", "last_inspected_on", "next_inspection_due"]


@admin.register(Venue)
class VenueAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "kind",
        "grid",
        "operator",
        "declared_capacity",
        "computed_capacity",
        "capacity_warning",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "capacity_warning", "fire_inspection_status"]
    search_fields = ["name", "address", "grid__code", "grid__name", "operator__name", "operator__credit_code"]
    list_select_related = ["grid", "operator"]
    readonly_fields = ["jurisdiction_path", "computed_capacity", "capacity_warning", "created_at", "updated_at"]
    inlines = [ZoneInline, ExitInline, RiskPointInline, TemporaryStructureInline, SpecialEquipmentInline]
    show_full_result_count = False


@admin.register(Zone)
class ZoneAdmin(ReadOnlyAdmin):
    list_display = ["name", "venue", "kind", "usable_area_m2", "seats"]
    list_filter = ["kind"]
    search_fields = ["name", "venue__name"]
    list_select_related = ["venue"]


@admin.register(Exit)
class ExitAdmin(ReadOnlyAdmin):
    list_display = ["name", "venue", "kind", "clear_width_m"]
    list_filter = ["kind"]
    search_fields = ["name", "venue__name"]
    list_select_related = ["venue"]


@admin.register(RiskPoint)
class RiskPointAdmin(ReadOnlyAdmin):
    list_display = ["venue", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["venue__name", "notes"]
    list_select_related = ["venue"]


@admin.register(TemporaryStructure)
class TemporaryStructureAdmin(ReadOnlyAdmin):
    list_display = ["name", "venue", "erected_on", "accepted_on", "accepted_by"]
    search_fields = ["name", "venue__name"]
    list_select_related = ["venue"]


@admin.register(SpecialEquipment)
class SpecialEquipmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "venue", "kind", "registration_no", "next_inspection_due"]
    list_filter = ["kind"]
    search_fields = ["name", "registration_no", "venue__name"]
    list_select_related = ["venue"]
    date_hierarchy = "next_inspection_due"


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
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
    search_fields = ["original_name", "created_by__username"]
    list_select_related = ["created_by"]


@admin.register(VenueGroupObjectPermission)
class VenueGroupObjectPermissionAdmin(ReadOnlyAdmin):
    """Grants are made through ``crowdsafe.org.services.grant_to_department`` (logged on the venue)."""

    list_display = ["content_object", "group", "permission"]
    list_select_related = ["content_object", "group", "permission"]


@admin.register(VenueUserObjectPermission)
class VenueUserObjectPermissionAdmin(ReadOnlyAdmin):
    list_display = ["content_object", "user", "permission"]
    list_select_related = ["content_object", "user", "permission"]


@admin.register(CapacitySetting)
class CapacitySettingAdmin(ServiceErrorsAdmin):
    """One row per zone kind, seeded by migration; the city's administrators change the figures."""

    list_display = [
        "zone_kind",
        "space_per_person_m2",
        "flow_rate_level",
        "flow_rate_stairs",
        "flow_rate_ramp",
        "egress_minutes",
    ]
    fields = [
        "zone_kind",
        "space_per_person_m2",
        "flow_rate_level",
        "flow_rate_stairs",
        "flow_rate_ramp",
        "egress_minutes",
        "source",
    ]
    readonly_fields = ["zone_kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and services.can_edit_capacity_settings(actor=request.user)

    def save_model(self, request, obj, form, change) -> None:
        data = {field: form.cleaned_data[field] for field in form.changed_data if field in form.cleaned_data}
        services.capacity_setting_update(setting=obj, actor=request.user, data=data)
        if set(data) - {"source"}:
            messages.info(request, _("Every venue's computed capacity is being recalculated with the new settings."))
