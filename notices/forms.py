"""Forms of the official-documents pages: the list filter, revocation, the task assignment sheet and the code
field of the verification page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notices.choices import NoticeKind, NoticeStatus
from notices.services import MAX_REASON_LENGTH


class NoticeFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("Number, title or addressee"), "type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Document kind"), required=False, choices=[("", _("All kinds")), *NoticeKind.choices]
    )
    issuer = forms.TypedChoiceField(label=_("Issued by"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Issued until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *NoticeStatus.choices]
    )

    def __init__(self, *args, issuers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [("", _("Any department"))] + [(d.pk, d.name) for d in issuers]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned

    def selector_filters(self) -> dict:
        """The valid filters (an invalid field is left out, with its error shown on the form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


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
