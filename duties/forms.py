"""Forms of the task pages. Filter forms ignore invalid input (shown next to the field); action forms are
validated here for shape and by the services for meaning."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.files import UploadsField
from duties.services import EVIDENCE_MAX_FILES, NOTE_MAX_LENGTH, REASON_MAX_LENGTH


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E.g. the inspection's findings, the record number, the rectification ordered."),
    )
    files = UploadsField(
        kind="evidence",
        label=_("Evidence files"),
        # format_lazy: the text is translated when shown, in the reader's language, not once at import.
        help_text=format_lazy(
            _("Up to {n} files: PDF, JPG, PNG, DOCX or XLSX, at most 10 MB each."), n=EVIDENCE_MAX_FILES
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(forms.Form):
    """Department and person are ids shown as selects; the view looks the department up among those the user
    may give tasks to, and the service checks that the person works for the new holder."""

    department = forms.IntegerField(label=_("To department"), required=False, min_value=1, widget=forms.Select)
    person = forms.IntegerField(label=_("To person"), required=False, min_value=1, widget=forms.Select)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.choices = [("", _("(keep the department)"))] + [
            (d.pk, f"{d.name}（{d.jurisdiction.name}）") for d in departments
        ]
        self.fields["person"].widget.choices = [("", _("(nobody in particular)"))] + [
            (m.user_id, f"{m.user.display_name} · {m.department.name}") for m in people
        ]

    def clean(self):
        data = super().clean()
        if not data.get("department") and not data.get("person"):
            raise forms.ValidationError(_("Choose the department or the person to reassign the task to."))
        return data


class BulkForm(forms.Form):
    ACTION_START = "start"
    ACTION_REASSIGN = "reassign"

    action = forms.ChoiceField(
        label=_("With the selected tasks"),
        choices=[(ACTION_START, _("Start")), (ACTION_REASSIGN, _("Reassign"))],
    )
    tasks = forms.TypedMultipleChoiceField(coerce=int, label=_("Tasks"))
    department = forms.TypedChoiceField(label=_("To department"), required=False, coerce=int, empty_value=None)
    person = forms.TypedChoiceField(label=_("To person"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)

    def __init__(self, *args, task_ids=(), departments=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].choices = [(pk, pk) for pk in task_ids]
        self.fields["department"].choices = [("", "—")] + [(d.pk, d.name) for d in departments]
        self.fields["person"].choices = [("", "—")] + [(m.user_id, m.user.display_name) for m in people]

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ACTION_REASSIGN:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Give the reason for the reassignment."))
            if not data.get("department") and not data.get("person"):
                self.add_error("department", _("Choose the department or the person to reassign the tasks to."))
        return data
