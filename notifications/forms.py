"""Forms of the notification pages: a person's settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
