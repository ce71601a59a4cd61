"""Forms of the gathering pages. They parse input; the services check the domain rules and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common import imports
from crowdsafe.common.files import UploadsField
from crowdsafe.common.validators import PhoneFormField
from events.choices import (
    DecisionKind,
    GatheringKind,
    GatheringSource,
    MeasureKind,
    Recurrence,
    RiskLevel,
)
from events.models import MAX_ATTENDANCE

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def datetime_field(label, *, required=True, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, input_formats=DATETIME_FORMATS, widget=DateTimeInput(), **kwargs
    )


class GatheringForm(forms.Form):
    """The logging form. On a phone only the first fields are needed (kind, place, start, how many): the rest
    is folded away. ``grids`` and ``venues`` are the places the user may choose from."""

    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("What kind of gathering?"), choices=GatheringKind.choices, widget=forms.RadioSelect
    )
    grid = forms.TypedChoiceField(label=_("Grid or community"), coerce=int, required=False, empty_value=None)
    venue = forms.TypedChoiceField(label=_("Registered venue"), coerce=int, required=False, empty_value=None)
    location_name = forms.CharField(
        label=_("Place"),
        max_length=128,
        required=False,
        help_text=_("Where exactly, e.g. the crossing of 解放路 and 东大街, the east gate of the park."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "next"}),
    )
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    location_accuracy_m = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    starts_at = datetime_field(_("Starts (or started) at"))
    estimated_attendance_min = forms.IntegerField(
        label=_("People, from"),
        min_value=0,
        max_value=MAX_ATTENDANCE,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"}),
    )
    estimated_attendance_max = forms.IntegerField(
        label=_("People, up to"),
        min_value=1,
        max_value=MAX_ATTENDANCE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"}),
    )
    source = forms.ChoiceField(label=_("How did you learn of it?"), choices=GatheringSource.choices[:5])
    online_hype = forms.BooleanField(label=_("Hyped online (线上转线下)"), required=False)
    photos = UploadsField(kind="photo", attrs={"capture": "environment"}, label=_("Photos"))
    # Folded away on a phone.
    title = forms.CharField(
        label=_("Name"), max_length=128, required=False, help_text=_("Left empty: the place and the kind.")
    )
    ends_at = datetime_field(_("Ends at"), required=False)
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices, required=False)
    organizer_name = forms.CharField(label=_("Organizer, if known"), max_length=128, required=False)
    organizer_phone = PhoneFormField(label=_("Organizer's phone"), required=False)
    source_reference = forms.CharField(label=_("Reference (e.g. hotline ticket)"), max_length=64, required=False)
    description = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, grids=(), venues=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid_objects = {g.pk: g for g in grids}
        self.venue_objects = {v.pk: v for v in venues}
        self.fields["grid"].choices = [("", _("Choose…")), *((g.pk, f"{g.name}（{g.code}）") for g in grids)]
        self.fields["venue"].choices = [
            ("", _("Not a registered venue")),
            *((v.pk, f"{v.name} · {v.grid.name}") for v in venues),
        ]
        if len(grids) == 1 and not editing:
            self.fields["grid"].initial = grids[0].pk
        if editing:
            del self.fields["idempotency_key"]
            del self.fields["photos"]
            self.fields["source"].choices = GatheringSource.choices

    def clean_grid(self):
        pk = self.cleaned_data.get("grid")
        if pk is not None and pk not in self.grid_objects:
            raise forms.ValidationError(_("Choose one of your grids."))
        return self.grid_objects.get(pk)

    def clean_venue(self):
        pk = self.cleaned_data.get("venue")
        if pk is not None and pk not in self.venue_objects:
            raise forms.ValidationError(_("Choose one of the venues listed."))
        return self.venue_objects.get(pk)

    def clean(self):
        data = super().clean()
        if not data.get("grid") and not data.get("venue") and "grid" not in self.errors:
            self.add_error("grid", _("Choose the grid or community."))
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("idempotency_key", None)
        data.pop("photos", None)
        data["recurrence"] = data.get("recurrence") or Recurrence.ONCE
        if data.get("estimated_attendance_min") is None:
            data["estimated_attendance_min"] = data.get("estimated_attendance_max")
        return data

    @staticmethod
    def initial_for(gathering) -> dict:
        fields = (
            "kind",
            "location_name",
            "latitude",
            "longitude",
            "location_accuracy_m",
            "estimated_attendance_min",
            "estimated_attendance_max",
            "source",
            "online_hype",
            "title",
            "recurrence",
            "organizer_name",
            "organizer_phone",
            "source_reference",
            "description",
        )
        initial = {f: getattr(gathering, f) for f in fields}
        initial["grid"] = gathering.grid_id
        initial["venue"] = gathering.venue_id
        initial["starts_at"] = timezone.localtime(gathering.starts_at)
        initial["ends_at"] = timezone.localtime(gathering.ends_at) if gathering.ends_at else None
        return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RiskOverrideForm(forms.Form):
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    decided_at = datetime_field(_("Decided at"), required=False, help_text=_("Left empty: now."))
    new_starts_at = datetime_field(_("New start (postpone, reschedule)"), required=False)
    new_ends_at = datetime_field(_("New end"), required=False)


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Number of the gathering it duplicates"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=MeasureKind.choices)
    applied_at = datetime_field(_("Applied at"), required=False, help_text=_("Left empty: now."))
    applied_by_unit = forms.CharField(label=_("Applied by (unit or people)"), max_length=128, required=False)
    description = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effect = forms.CharField(label=_("Effect"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MeasureUpdateForm(forms.Form):
    effect = forms.CharField(label=_("Effect"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lift = forms.BooleanField(label=_("The measure is lifted now"), required=False)


class HeadcountForm(forms.Form):
    count = forms.IntegerField(
        label=_("People now"),
        min_value=0,
        max_value=MAX_ATTENDANCE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"}),
    )
    observed_at = datetime_field(_("Counted at"), required=False, help_text=_("Left empty: now."))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class PhotoForm(forms.Form):
    photos = UploadsField(kind="photo", attrs={"capture": "environment"}, label=_("Photos"), required=True)


class ImportForm(imports.ImportForm):
    """The kernel's upload form, worded for the gathering list."""

    file_label = _("Excel workbook (.xlsx)")
    valid_rows_only_label = _("If some rows are invalid, import the valid ones anyway")
    valid_rows_only_help = ""
