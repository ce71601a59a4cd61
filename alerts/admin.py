"""Admin: the city administrator edits alert rules and who they alert (saved and logged through the services, a
refusal shown on the form by the kernel's ``ServiceErrorsAdmin``); alerts, the people alerted and coverage gaps
are read-only (the kernel's ``ReadOnlyAdmin``) — they change only through the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from alerts import coverage
from alerts.models import Alert, AlertRule, AlertRuleParty, AlertTarget, CoverageIssue
from alerts.services import alert_rule_parties_logged, alert_rule_save
from crowdsafe.common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceErrorsAdmin

if TYPE_CHECKING:
    _PartyInline = admin.TabularInline[AlertRuleParty, AlertRule]
else:
    _PartyInline = admin.TabularInline


class AlertRulePartyInline(_PartyInline):
    model = AlertRuleParty
    extra = 0


@admin.register(AlertRule)
class AlertRuleAdmin(ServiceErrorsAdmin):
    list_display = ["name", "key", "trigger", "parties_text", "is_active"]
    list_filter = ["is_active", "trigger"]
    search_fields = ["name", "key", "reason"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AlertRulePartyInline]

    @admin.display(description=_("alerted parties"))
    def parties_text(self, obj: AlertRule) -> str:
        return "；".join(str(p) for p in obj.parties.all())

    def save_model(self, request: HttpRequest, obj: AlertRule, form: Any, change: bool) -> None:
        # A refusal (DomainError) is shown on the form by ServiceErrorsAdmin; nothing is saved.
        alert_rule_save(rule=obj, actor=request.user, changed=form.changed_data if change else ())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            alert_rule_parties_logged(rule=form.instance, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Alerts point at their rule (PROTECT): switch a rule off instead.
        return False


class AlertTargetInline(ReadOnlyInline):
    model = AlertTarget
    fields = (
        "user",
        "party",
        "department",
        "hop",
        "notified_at",
        "acknowledged_at",
        "acknowledged_via",
        "escalated_at",
    )
    readonly_fields = fields


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

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # The action runs without selected rows (there may be no issue yet).
        posted = request.POST
        if (
            request.method == "POST"
            and posted.get("action") == "check_now"
            and not posted.getlist(ACTION_CHECKBOX_NAME)
        ):
            post = posted.copy()
            post.setlist(ACTION_CHECKBOX_NAME, ["0"])
            request.POST = post  # type: ignore[assignment]
        return super().changelist_view(request, extra_context)
