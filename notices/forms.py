"""Forms of the official-documents pages: revocation, the task assignment sheet and the code
field of the verification page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notices.services import MAX_REASON_LENGTH


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It is shown on the public verification page of the document."),
    )


class TaskSheetForm(forms.Form):
    recipient = forms.CharField(
        label=_("Assigned to (unit or person)"),
        max_length=255,
        help_text=_("The 承办单位 named on the sheet, e.g. the squad or the officer who will do the work."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(label=_("Contact person and phone"), required=False, max_length=100)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"placeholder": "XXXX-XXXX-XXXX", "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )
