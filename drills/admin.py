"""Admin for the drills app: read-only, for looking things up. Plans, drills and items are kept in the app's pages
and API, where every write goes through a service that checks who may act and writes the action log. The drill
rules themselves are responsibility rules, edited in the duties admin."""

from __future__ import annotations

from django.contrib import admin

from crowdsafe.common.admin import ReadOnlyAdmin, ReadOnlyInline
from drills.models import AfterActionItem, Drill, EmergencyPlan, PlanContact, PlanMeasure, PlanVersion


class MeasureInline(ReadOnlyInline):
    model = PlanMeasure
    fields = ["alert_level", "kind", "trigger", "action", "responsible"]


class ContactInline(ReadOnlyInline):
    model = PlanContact
    fields = ["name", "role", "phone", "duty_phone"]


class VersionInline(ReadOnlyInline):
    model = PlanVersion
    fields = ["number", "original_name", "size", "summary_of_changes", "source", "uploaded_at"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "owner_kind", "scope_kind", "jurisdiction", "last_drilled_on", "is_active"]
    list_filter = ["kind", "owner_kind", "scope_kind", "is_active"]
    search_fields = ["title", "jurisdiction_path"]
    list_select_related = ["jurisdiction"]
    inlines = [MeasureInline, ContactInline, VersionInline]


@admin.register(Drill)
class DrillAdmin(ReadOnlyAdmin):
    list_display = ["plan", "on_date", "status", "form", "evacuation_minutes", "evacuation_target_minutes"]
    list_filter = ["status", "form"]
    search_fields = ["plan__title", "scenario"]
    list_select_related = ["plan"]
    date_hierarchy = "on_date"


@admin.register(AfterActionItem)
class AfterActionItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "plan", "due_date", "requires_plan_revision", "status"]
    list_filter = ["status", "requires_plan_revision"]
    search_fields = ["description", "plan__title"]
    list_select_related = ["plan"]
