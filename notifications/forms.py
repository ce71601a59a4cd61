"""Forms of the notification pages: a person's settings, and the delivery log's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.choices import Channel, DeliveryStatus


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("Email me reminders and notices"), required=False)
    sms_enabled = forms.BooleanField(label=_("Send me text messages (SMS)"), required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=TimeInput(),
        help_text=_("No email or SMS in these hours, except urgent items (red-level alerts, escalations to leaders)."),
    )
    quiet_end = forms.TimeField(label=_("Quiet hours until"), required=False, widget=TimeInput())
    digest = forms.BooleanField(
        label=_("One daily digest of non-urgent reminders instead of one email or SMS each"), required=False
    )
    digest_time = forms.TimeField(label=_("Digest time"), required=False, widget=TimeInput())


class DeliveryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *DeliveryStatus.choices])
    department = forms.ModelChoiceField(label=_("Department"), required=False, queryset=None, empty_label=_("All"))

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def selector_filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
