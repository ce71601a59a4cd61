"""Admin: departments' group robots (configured, validated and logged through ``webhook_save``, with a "send a test
message" action); reminders, messages and deliveries read-only, for support."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceErrorsAdmin
from notifications.channels.webhooks import check_url
from notifications.choices import WebhookProvider
from notifications.models import (
    Delivery,
    DeliveryAttempt,
    DepartmentWebhook,
    Message,
    Notification,
    NotificationPreference,
    Reminder,
)
from notifications.services import webhook_save, webhook_send_test


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label=_("webhook address"),
        max_length=500,
        assume_scheme="https",
        help_text=DepartmentWebhook._meta.get_field("url").help_text,
    )
    # The secret is never shown again; leaving the field empty keeps the one on record.
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("DingTalk only, when the robot uses signing (加签). Leave empty to keep the current secret."),
    )

    class Meta:
        model = DepartmentWebhook
        fields = ["department", "name", "provider", "url", "secret", "keyword", "scope", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = check_url(url)
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean(self):
        data = super().clean()
        secret = data.get("secret") or (self.instance.secret if self.instance.pk else "")
        data["secret"] = secret
        if data.get("provider") == WebhookProvider.WECOM:
            if self.cleaned_data.get("keyword"):
                self.add_error("keyword", _("Only DingTalk robots use a keyword."))
            data["secret"] = ""
        return data


@admin.register(DepartmentWebhook)
class DepartmentWebhookAdmin(ServiceErrorsAdmin):
    form = WebhookForm
    list_display = ["name", "department", "provider", "scope", "is_active", "has_secret", "updated_at"]
    list_filter = ["provider", "scope", "is_active"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]
    actions = ["send_test"]

    @admin.display(boolean=True, description=_("signed"))
    def has_secret(self, obj: DepartmentWebhook) -> bool:
        return bool(obj.secret)

    def save_model(self, request, obj, form, change):
        obj.secret = form.cleaned_data.get("secret", obj.secret)
        webhook_save(webhook=obj, actor=request.user, changed=form.changed_data if change else ())

    @admin.action(description=_("Send a test message"))
    def send_test(self, request, queryset):
        hooks = queryset.select_related("department")
        if self.for_each(request, hooks, lambda hook: webhook_send_test(webhook=hook, actor=request.user)):
            self.message_user(request, _("Test messages queued; the delivery log shows whether they arrived."))


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["id", "task", "kind", "due_at", "status", "claims", "sent_at", "recipient_count", "note"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["task"]
    date_hierarchy = "due_at"


class NotificationInline(ReadOnlyInline):
    model = Notification
    fk_name = "message"
    fields = ["recipient", "created_at", "read_at", "digest_state"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "urgent", "department", "created_at"]
    list_filter = ["kind", "urgent"]
    search_fields = ["title", "subject_label"]
    raw_id_fields = ["reminder", "department", "actor"]
    inlines = [NotificationInline]


class AttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "outcome", "response", "error"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "channel", "recipient_label", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["channel", "status", "urgent"]
    search_fields = ["recipient_label", "address", "message__title"]
    raw_id_fields = ["message", "recipient", "webhook", "department"]
    inlines = [AttemptInline]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "email_enabled", "sms_enabled", "quiet_start", "quiet_end", "digest", "digest_time"]
    raw_id_fields = ["user"]
