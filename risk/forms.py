"""Forms of the risk pages. They only parse input; the services validate and decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crowdsafe.common.files import UploadsField
from crowdsafe.org.models import Department
from risk.choices import (
    CampaignAssignment,
    CampaignPurpose,
    HazardLevel,
    HazardSource,
    VerificationOutcome,
)
from risk.scoring import CONTROLS, FACTORS

RATING_CHOICES = [("", _("as suggested"))] + [(str(n), str(n)) for n in range(1, 6)]


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# --- assessments ------------------------------------------------------------------------------------------------


class AssessmentForm(PlainForm):
    """Factors (0–3 each), controls in place, and optionally the assessor's own ratings."""

    scenario = forms.CharField(label=_("What is assessed"), max_length=255, required=False)
    assessed_for = forms.DateTimeField(
        label=_("When the crowd is expected"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    assessed_on = forms.DateField(label=_("Assessment date"), widget=DateInput())
    expected_attendance = forms.IntegerField(label=_("Expected attendance (peak)"), required=False, min_value=1)
    controls = forms.MultipleChoiceField(
        label=_("Controls in place"),
        required=False,
        choices=[(c.key, c.label) for c in CONTROLS],
        widget=forms.CheckboxSelectMultiple,
    )
    controls_other = forms.CharField(
        label=_("Other controls"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    likelihood = forms.ChoiceField(label=_("Likelihood before controls"), choices=RATING_CHOICES, required=False)
    severity = forms.ChoiceField(label=_("Severity before controls"), choices=RATING_CHOICES, required=False)
    residual_likelihood = forms.ChoiceField(
        label=_("Likelihood after controls"), choices=RATING_CHOICES, required=False
    )
    residual_severity = forms.ChoiceField(label=_("Severity after controls"), choices=RATING_CHOICES, required=False)
    judgement = forms.CharField(
        label=_("Your judgement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when your ratings differ from the suggested ones."),
    )

    def __init__(self, *args, hints=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints = hints or {}
        factor_fields = {}
        for factor in FACTORS:
            hint = self.hints.get(factor.key)
            name = f"factor_{factor.key}"
            factor_fields[name] = forms.TypedChoiceField(
                label=factor.label,
                choices=[(str(i), f"{i} · {text}") for i, text in enumerate(factor.scale)],
                coerce=int,
                help_text=hint.reason if hint is not None else "",
            )
            if hint is not None and hint.score is not None and name not in self.initial:
                self.initial[name] = str(hint.score)
        # Factors first, after the scenario fields.
        fields = dict(self.fields)
        order = ["scenario", "assessed_for", "assessed_on", "expected_attendance"]
        self.fields = {k: fields[k] for k in order}
        self.fields.update(factor_fields)
        self.fields.update({k: v for k, v in fields.items() if k not in order})

    @property
    def factor_fields(self):
        return [self[f"factor_{f.key}"] for f in FACTORS]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "scenario": data["scenario"],
            "assessed_for": data["assessed_for"],
            "assessed_on": data["assessed_on"],
            "expected_attendance": data["expected_attendance"],
            "factors": {f.key: data[f"factor_{f.key}"] for f in FACTORS},
            "controls": data["controls"],
            "controls_other": data["controls_other"],
            "findings": data["findings"],
            "likelihood": data["likelihood"] or None,
            "severity": data["severity"] or None,
            "residual_likelihood": data["residual_likelihood"] or None,
            "residual_severity": data["residual_severity"] or None,
            "judgement": data["judgement"],
        }

    @staticmethod
    def initial_for(assessment) -> dict:
        initial = {
            name: getattr(assessment, name)
            for name in ("scenario", "assessed_on", "expected_attendance", "controls", "controls_other", "findings")
        }
        initial["assessed_for"] = assessment.assessed_for
        for factor in FACTORS:
            initial[f"factor_{factor.key}"] = str(assessment.factors.get(factor.key, 0))
        for name in ("likelihood", "severity", "residual_likelihood", "residual_severity"):
            value = getattr(assessment, name)
            if value != getattr(assessment, f"suggested_{name}"):
                initial[name] = str(value)
        initial["judgement"] = assessment.judgement
        return initial


class ReasonForm(PlainForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class NoteForm(PlainForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


# --- hazards --------------------------------------------------------------------------------------------------


class HazardForm(PlainForm):
    title = forms.CharField(label=_("Hazard"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.ChoiceField(
        label=pgettext_lazy("hazard", "Level"), choices=HazardLevel.choices, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(label=_("Found on"), choices=HazardSource.choices)
    found_on = forms.DateField(label=_("Date found"), widget=DateInput())
    location = forms.CharField(label=_("Location"), max_length=255)
    latitude = forms.DecimalField(label=_("Latitude (WGS-84)"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude (WGS-84)"), required=False, max_digits=9, decimal_places=6)
    responsible_unit_name = forms.CharField(
        label=_("Responsible unit (when not registered)"), required=False, max_length=128
    )
    rectification_deadline = forms.DateField(label=_("Rectification deadline"), widget=DateInput())
    photos = UploadsField(
        kind="photo", label=_("Photos"), help_text=_("JPEG, PNG or WebP, at most 5 MB each, up to 6 at a time.")
    )
    fixed_on_spot = forms.BooleanField(label=_("Fixed on the spot (ordinary hazards)"), required=False)
    fix_note = forms.CharField(label=_("How it was fixed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    fix_photos = UploadsField(kind="photo", label=_("Photos of the fix"))

    def __init__(self, *args, needs_place: bool = False, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_place:
            self.fields["jurisdiction"] = forms.CharField(
                label=_("Grid or community (division code)"),
                max_length=20,
                widget=forms.TextInput(attrs={"list": "risk-grids", "inputmode": "numeric"}),
            )

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "title",
                "description",
                "level",
                "source",
                "found_on",
                "location",
                "latitude",
                "longitude",
                "responsible_unit_name",
                "rectification_deadline",
            )
        }


class PhotosForm(PlainForm):
    photos = UploadsField(kind="photo", label=_("Photos"))


class FixForm(PlainForm):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))
    photos = UploadsField(kind="photo", label=_("Photos of the fix"))


class PlanForm(PlainForm):
    goal = forms.CharField(label=_("Goal and tasks"), widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 3}))
    funds_yuan = forms.DecimalField(label=_("Funds (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    people = forms.CharField(label=_("People responsible"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("To be finished by"), widget=DateInput())
    interim_measures = forms.CharField(
        label=_("Safety measures in the meantime"), widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyForm(PlainForm):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VerificationOutcome.choices, widget=forms.RadioSelect)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 2}))
    photos = UploadsField(kind="photo", label=_("Photos"))


class ExtensionForm(PlainForm):
    requested_deadline = forms.DateField(label=_("New deadline asked for"), widget=DateInput())
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(PlainForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", pgettext_lazy("extension", "Approve")), ("refuse", pgettext_lazy("extension", "Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmClosureForm(PlainForm):
    """The finding department's answer to a unit that reports an ordinary hazard fixed."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("confirm", _("Fixed: confirm the closure")),
            ("refuse", _("Not fixed: send it back to the unit")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when refusing: say what is still wrong."),
    )


class OrderForm(PlainForm):
    measures_required = forms.CharField(
        label=_("Rectification measures required (one per line)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=255)

    def measures(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["measures_required"].splitlines() if line.strip()]


# --- campaigns -------------------------------------------------------------------------------------------------


class CampaignForm(PlainForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=CampaignPurpose.choices)
    territory = forms.CharField(
        label=_("Territory (division code)"),
        max_length=20,
        widget=forms.TextInput(attrs={"list": "risk-territories", "inputmode": "numeric"}),
    )
    venue_kinds = forms.MultipleChoiceField(
        label=_("Kinds of venue"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every crowded place (the baseline refresh)."),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    assignment = forms.ChoiceField(label=_("Assessed by"), choices=CampaignAssignment.choices, widget=forms.RadioSelect)
    assigned_department = forms.ModelChoiceField(
        label=_("Assessing department"), queryset=Department.objects.none(), required=False
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments=None, **kwargs):
        from venues.choices import VenueKind

        super().__init__(*args, **kwargs)
        self.fields["venue_kinds"].choices = VenueKind.choices
        if departments is not None:
            self.fields["assigned_department"].queryset = departments
