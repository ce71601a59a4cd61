"""Admin: the city administrator edits responsibility rules (validated, logged through ``rule_save``); tasks
are read-only here — they change only through the services (pages, API)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceErrorsAdmin
from duties.conditions import describe_conditions
from duties.models import ResponsibilityRule, Task, TaskAttachment, TaskReassignment
from duties.services import rule_save


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(ServiceErrorsAdmin):
    list_display = [
        "name",
        "subject_type",
        "event",
        "conditions_text",
        "party_kind",
        "department_kind",
        "basis",
        "deadline_days",
        "deadline_unit",
        "recurrence_months",
        "is_active",
    ]
    list_filter = ["is_active", "subject_type", "party_kind", "basis", "department_kind"]
    search_fields = ["name", "duty_name", "source"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "source"]}),
        (_("Trigger"), {"fields": ["subject_type", "event", "conditions"]}),
        (_("Duty"), {"fields": ["duty_name", "duty_description"]}),
        (_("Responsible party"), {"fields": ["party_kind", "department_kind", "department_level", "basis"]}),
        (
            _("Deadline"),
            {"fields": ["deadline_days", "deadline_unit", "deadline_from", "deadline_attribute", "recurrence_months"]},
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("conditions"))
    def conditions_text(self, obj: ResponsibilityRule) -> str:
        return describe_conditions(obj.conditions, obj.subject_type)

    def save_model(self, request, obj, form, change):
        rule_save(rule=obj, actor=request.user, changed=form.changed_data if change else ())

    def has_delete_permission(self, request, obj=None):
        # Tasks point at their rule (PROTECT): deactivate a rule instead of deleting it.
        if obj is not None and obj.tasks.exists():
            return False
        return super().has_delete_permission(request, obj)


class AttachmentInline(ReadOnlyInline):
    model = TaskAttachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


class ReassignmentInline(ReadOnlyInline):
    model = TaskReassignment
    fk_name = "task"
    fields = ["created_at", "from_label", "to_label", "reason", "actor"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    """Read-only: a task changes through its services (start, complete, reassign, cancel), which check the
    actor's right and write the action log."""

    list_display = ["duty_name", "subject_label", "holder_label", "basis", "due_date", "status", "rule"]
    list_filter = ["status", "basis", "party_kind", "subject_type"]
    search_fields = ["duty_name", "subject_label", "responsible_department__name", "jurisdiction_path"]
    date_hierarchy = "due_date"
    list_select_related = ["responsible_department", "responsible_organisation", "responsible_jurisdiction", "rule"]
    raw_id_fields = [
        "jurisdiction",
        "rule",
        "previous",
        "responsible_department",
        "responsible_organisation",
        "responsible_jurisdiction",
        "responsible_person",
        "completed_by",
    ]
    inlines = [AttachmentInline, ReassignmentInline]

    @admin.display(description=_("held by"))
    def holder_label(self, obj: Task) -> str:
        return obj.holder_label
