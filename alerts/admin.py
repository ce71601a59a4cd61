"""Admin: the city administrator edits alert rules and who they alert (saved and logged through the services);
alerts, the people alerted and coverage gaps are read-only — they change only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alerts import coverage
from alerts.models import Alert, AlertRule, AlertRuleParty, AlertTarget, CoverageIssue
from alerts.services import alert_rule_parties_logged, alert_rule_save
from crowdsafe.errors import DomainError


class AlertRulePartyInline(admin.TabularInline):
    model = AlertRuleParty
    extra = 0


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "trigger", "parties_text", "is_active"]
    list_filter = ["is_active", "trigger"]
    search_fields = ["name", "key", "reason"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AlertRulePartyInline]

    @admin.display(description=_("alerted parties"))
    def parties_text(self, obj: AlertRule) -> str:
        return "；".join(str(p) for p in obj.parties.all())

    def save_model(self, request: HttpRequest, obj: AlertRule, form: Any, change: bool) -> None:
        try:
            alert_rule_save(rule=obj, actor=request.user, changed=form.changed_data if change else ())
        except DomainError as exc:
            raise ValidationError(str(exc.message)) from exc

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            alert_rule_parties_logged(rule=form.instance, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: AlertRule | None = None) -> bool:
        # Alerts point at their rule (PROTECT): switch a rule off instead.
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AlertTargetInline(admin.TabularInline):
    model = AlertTarget
    extra = 0
    can_delete = False
    fields = [
        "user",
        "party",
        "department",
        "hop",
        "notified_at",
        "acknowledged_at",
        "acknowledged_via",
        "escalated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["title", "level", "rule", "jurisdiction", "exercise", "created_at"]
    list_filter = ["level", "exercise", "rule"]
    search_fields = ["title", "subject_label"]
    inlines = [AlertTargetInline]


@admin.register(CoverageIssue)
class CoverageIssueAdmin(ReadOnlyAdmin):
    """Recipient coverage gaps (接收人缺口), as the daily check found them; "check now" runs it at once."""

    list_display = ["label", "kind", "detail", "place", "found_at", "resolved_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["label"]
    actions = ["check_now"]

    @admin.action(description=_("Check recipient coverage now"))
    def check_now(self, request: HttpRequest, queryset: QuerySet[CoverageIssue]) -> None:
        opened = coverage.coverage_check()
        self.message_user(
            request, _("Coverage checked: %(n)d new tasks for the administrator.") % {"n": len(opened)}, messages.INFO
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # The action runs without selected rows (there may be no issue yet).
        if (
            request.method == "POST"
            and request.POST.get("action") == "check_now"
            and not request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        ):
            post = request.POST.copy()
            post.setlist(admin.helpers.ACTION_CHECKBOX_NAME, ["0"])
            request.POST = post
        return super().changelist_view(request, extra_context)
