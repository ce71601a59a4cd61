"""The administrator's pages of the inspections app (through the kernel's admin base classes).

Checklist templates: the administrator edits a template's name and description, and each item (its text, answer,
threshold, photo, basis, severity) on the item's own page; every save goes through ``services.template_edit``,
which makes a new version when an inspection has used the template (the inspection keeps the version it was filled
from). Old versions are read-only. Inspections are read-only here: they are filled on the inspection pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crowdsafe.common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceErrorsAdmin
from inspections import services
from inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate, Inspection, InspectionPart


class SectionInline(ReadOnlyInline):
    model = ChecklistSection
    fields = ("order", "title", "department_kind")


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ServiceErrorsAdmin):
    list_display = ("name", "code", "version", "is_current", "scope", "venue_kind", "event_kind")
    list_filter = ("is_current", "scope", "venue_kind")
    search_fields = ("name", "code")
    fields = ("name", "description", "code", "version", "is_current", "scope", "venue_kind", "event_kind")
    readonly_fields = ("code", "version", "is_current", "scope", "venue_kind", "event_kind")
    inlines = [SectionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # templates come from the seed or from revising one

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_current)

    def save_model(self, request: HttpRequest, obj: ChecklistTemplate, form: Any, change: bool) -> None:
        original = ChecklistTemplate.objects.get(pk=obj.pk)
        values = {name: getattr(obj, name) for name in form.changed_data if name in services.templates.TEMPLATE_FIELDS}
        target = services.template_edit(template=original, actor=request.user, values=values)
        obj.pk = target.pk
        obj.refresh_from_db()


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ServiceErrorsAdmin):
    list_display = ("text", "template", "section", "answer_kind", "severity", "photo_required")
    list_filter = ("template__is_current", "severity", "answer_kind", "template__code")
    search_fields = ("text", "basis", "key")
    fields = (
        "template",
        "section",
        "key",
        "order",
        "text",
        "answer_kind",
        "threshold",
        "threshold_kind",
        "unit",
        "photo_required",
        "basis",
        "severity",
        "deadline_days",
    )
    readonly_fields = ("template", "section", "key")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.template.is_current)

    def save_model(self, request: HttpRequest, obj: ChecklistItem, form: Any, change: bool) -> None:
        target = services.item_save(item=obj, actor=request.user, changed=form.changed_data)
        obj.pk = target.pk
        obj.refresh_from_db()


class PartInline(ReadOnlyInline):
    model = InspectionPart
    fields = ("department", "signed_by", "signed_at", "note")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("subject_label", "template", "state", "origin", "failed_count", "started_at")
    list_filter = ("state", "origin", "subject_type", "venue_kind")
    search_fields = ("subject_label",)
    inlines = [PartInline]
