"""Filter forms of the organisation pages. Invalid input is shown next to its field and ignored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel


class FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class JurisdictionFilterForm(FilterForm):
    q = forms.CharField(
        label=_("Name or code"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *JurisdictionLevel.choices]
    )
    parent = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()


class DepartmentFilterForm(FilterForm):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *DepartmentKind.choices])

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()


def cleaned_filters(form: forms.Form) -> dict:
    """The valid filters of a bound form; a field with an error counts as not given."""
    form.is_valid()
    return {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
