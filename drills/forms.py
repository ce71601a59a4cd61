"""Forms of the plan and drill pages. They parse input; the services check the domain rules and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crowdsafe.common.files import UploadField, UploadsField
from crowdsafe.common.validators import PhoneFormField
from crowdsafe.org.models import Department, Jurisdiction, Organisation
from drills.choices import (
    AlertLevel,
    DrillForm,
    GatheringKind,
    MeasureKind,
    OwnerKind,
    PlanKind,
    ScopeKind,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def party_value(party) -> str:
    if isinstance(party, Department):
        return f"department:{party.pk}"
    if isinstance(party, Organisation):
        return f"organisation:{party.pk}"
    if isinstance(party, Jurisdiction):
        return f"jurisdiction:{party.pk}"
    return ""


def parse_party(value: str):
    """ "department:3" → the Department (or None when unknown)."""
    kind, _sep, pk = (value or "").partition(":")
    model = {"department": Department, "organisation": Organisation, "jurisdiction": Jurisdiction}.get(kind)
    if model is None or not pk.isdigit():
        return None
    return model.objects.filter(pk=int(pk)).first()


def party_choices(groups) -> list:
    """[(group label, [(value, label)])] from [(group label, [parties])], each party once."""
    seen, choices = set(), []
    for label, parties in groups:
        options = []
        for party in parties:
            value = party_value(party)
            if value and value not in seen:
                seen.add(value)
                options.append((value, str(party)))
        if options:
            choices.append((label, options))
    return choices


# --- plans -----------------------------------------------------------------------------------------------


class PlanForm(forms.Form):
    """A plan's register entry. On creation also its owner, its scope and (optionally) the first version."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of plan"), choices=PlanKind.choices)
    owner = forms.ChoiceField(label=_("Owner"), help_text=_("Who keeps the plan and organises its drills."))
    scope_kind = forms.ChoiceField(label=_("The plan covers"), choices=ScopeKind.choices)
    venue = forms.TypedChoiceField(label=_("Venue"), required=False, coerce=int, empty_value=None)
    application = forms.IntegerField(
        label=_("Permit application number"), required=False, min_value=1, help_text=_("For an event's plan.")
    )
    gathering_kind = forms.ChoiceField(
        label=_("Kind of spontaneous gathering"), required=False, choices=[("", "—"), *GatheringKind.choices]
    )
    territory = forms.CharField(
        label=_("Territory (division code)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "drill-territories"}),
        help_text=_("For a plan of a kind of spontaneous gathering, or of a whole jurisdiction."),
    )
    summary = forms.CharField(label=_("Purpose and scope"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evacuation_target_minutes = forms.DecimalField(
        label=_("Evacuation-time target (minutes)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("1440"),
        decimal_places=1,
    )
    review_due = forms.DateField(label=_("Next review"), required=False, widget=DateInput())
    drill_interval_months = forms.IntegerField(
        label=_("Drill at least every (months)"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_("Leave empty for the default of the drill rules (6 months for venues and on-site plans)."),
    )
    file = UploadField(kind="plan", label=_("Plan document (PDF, Word or WPS)"), required=False)

    CREATE_ONLY = ("owner", "scope_kind", "venue", "application", "gathering_kind", "territory", "file")

    def __init__(self, *args, owners=(), venues=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            for name in self.CREATE_ONLY:
                del self.fields[name]
        else:
            self.fields["owner"].choices = [("", "—"), *party_choices(owners)]
            self.fields["venue"].choices = [("", "—"), *((v.pk, f"{v.name} · {v.grid.name}") for v in venues)]

    def clean(self):
        data = super().clean()
        if self.editing:
            return data
        scope = data.get("scope_kind")
        if scope == ScopeKind.VENUE and not data.get("venue"):
            self.add_error("venue", _("Choose the venue the plan covers."))
        if scope == ScopeKind.EVENT and not data.get("application"):
            self.add_error("application", _("Give the number of the permit application."))
        if scope == ScopeKind.GATHERING_KIND and not data.get("gathering_kind"):
            self.add_error("gathering_kind", _("Choose the kind of spontaneous gathering."))
        if scope in (ScopeKind.GATHERING_KIND, ScopeKind.JURISDICTION) and not (data.get("territory") or "").strip():
            self.add_error("territory", _("Give the territory's division code."))
        return data

    def owner_kind(self, owner) -> str:
        if isinstance(owner, Department):
            return OwnerKind.DEPARTMENT
        if isinstance(owner, Jurisdiction):
            return OwnerKind.TOWNSHIP
        return (
            OwnerKind.VENUE_OPERATOR if self.cleaned_data.get("scope_kind") == ScopeKind.VENUE else OwnerKind.ORGANIZER
        )

    @staticmethod
    def initial_for(plan) -> dict:
        return {
            "title": plan.title,
            "kind": plan.kind,
            "summary": plan.summary,
            "evacuation_target_minutes": plan.evacuation_target_minutes,
            "review_due": plan.review_due,
            "drill_interval_months": plan.drill_interval_months,
        }


class MeasureForm(forms.Form):
    alert_level = forms.ChoiceField(label=_("Alert level"), choices=[("", "—"), *AlertLevel.choices], required=False)
    kind = forms.ChoiceField(label=_("Measure"), choices=[("", "—"), *MeasureKind.choices], required=False)
    trigger = forms.CharField(label=_("Trigger"), required=False, max_length=255)
    action = forms.CharField(label=_("What is done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("Who does it"), required=False, max_length=200)

    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(name) or "") for name in self.fields)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=64)
    role = forms.CharField(label=_("Role in the plan"), required=False, max_length=100)
    phone = PhoneFormField(label=_("Phone"), required=False)
    duty_phone = PhoneFormField(label=_("On-duty phone"), required=False)

    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(name) or "") for name in self.fields)


MeasureFormSet = forms.formset_factory(MeasureForm, extra=2, max_num=60, validate_max=True)
ContactFormSet = forms.formset_factory(ContactForm, extra=2, max_num=30, validate_max=True)


def rows_of(formset) -> list[dict]:
    """The filled rows of a valid formset, in order (blank extra rows left out)."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and not form.is_blank()]


class VersionForm(forms.Form):
    file = UploadField(kind="plan", label=_("Plan document (PDF, Word or WPS)"))
    summary_of_changes = forms.CharField(
        label=_("Summary of changes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changed and why, e.g. the problems found in the last drill."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments


# --- drills ----------------------------------------------------------------------------------------------


class ParticipantsMixin(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("Participating departments"), required=False, queryset=Department.objects.none()
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Participating units"), required=False, queryset=Organisation.objects.none()
    )
    other_units = forms.CharField(label=_("Other participating units"), required=False, max_length=255)
    public_participation = forms.BooleanField(label=_("Members of the public take part"), required=False)
    public_participants = forms.IntegerField(label=_("Members of the public"), required=False, min_value=0)

    def set_participant_choices(self, departments, units) -> None:
        self.fields["departments"].queryset = departments
        self.fields["units"].queryset = units
        self.fields["departments"].widget.attrs["size"] = 6
        self.fields["units"].widget.attrs["size"] = 4


class DrillScheduleForm(ParticipantsMixin):
    scheduled_for = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    form = forms.ChoiceField(label=_("Form"), choices=DrillForm.choices, initial=DrillForm.FUNCTIONAL)
    scenario = forms.CharField(label=_("Scenario"), widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Place"), required=False, max_length=200)

    field_order = ["scheduled_for", "form", "scenario", "place", "departments", "units", "other_units"]

    @staticmethod
    def initial_for(drill) -> dict:
        return {
            "scheduled_for": timezone.localtime(drill.scheduled_for) if drill.scheduled_for else None,
            "form": drill.form,
            "scenario": drill.scenario,
            "place": drill.place,
            "departments": list(drill.departments.all()),
            "units": list(drill.units.all()),
            "other_units": drill.other_units,
            "public_participation": drill.public_participation,
            "public_participants": drill.public_participants,
        }


class DrillRecordForm(ParticipantsMixin):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    form = forms.ChoiceField(label=_("Form"), choices=DrillForm.choices, initial=DrillForm.FUNCTIONAL)
    scenario = forms.CharField(label=_("Scenario"), widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False, min_value=1, max_value=1440)
    narrative = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    participants_count = forms.IntegerField(label=_("Participants"), required=False, min_value=0)
    participants_note = forms.CharField(
        label=_("Who took part"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evacuation_minutes = forms.DecimalField(
        label=_("Measured evacuation time (minutes)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("1440"),
        decimal_places=1,
    )
    evacuated_people = forms.IntegerField(label=_("People evacuated"), required=False, min_value=0)
    problems = forms.CharField(label=_("Problems found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = UploadsField(kind="photo", label=_("Photos (JPEG, PNG or WebP, at most 5 MB each)"))

    field_order = [
        "held_on",
        "form",
        "scenario",
        "place",
        "duration_minutes",
        "narrative",
        "participants_count",
        "participants_note",
        "departments",
        "units",
        "other_units",
        "public_participation",
        "public_participants",
        "evacuation_minutes",
        "evacuated_people",
        "problems",
        "photos",
    ]

    @staticmethod
    def initial_for(drill) -> dict:
        initial = DrillScheduleForm.initial_for(drill)
        initial.pop("scheduled_for")
        initial["held_on"] = drill.on_date
        return initial


class ItemForm(forms.Form):
    description = forms.CharField(
        label=_("What must be done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ChoiceField(label=_("Who must do it"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    requires_plan_revision = forms.BooleanField(label=_("Requires a revision of the plan"), required=False)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *owners]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not ((data.get("description") or "").strip() or data.get("owner") or data.get("due_date"))

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if not (data.get("description") or "").strip():
            self.add_error("description", _("Say what must be done."))
        if not data.get("owner"):
            self.add_error("owner", _("Choose who must do it."))
        if not data.get("due_date"):
            self.add_error("due_date", _("Give the due date."))
        return data


ItemFormSet = forms.formset_factory(ItemForm, extra=3, max_num=30, validate_max=True)


class ItemCloseForm(forms.Form):
    note = forms.CharField(label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 3}))
    file = UploadField(kind="plan", label=_("Revised plan (a new version)"), required=False)
    summary_of_changes = forms.CharField(
        label=_("Summary of changes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DrillNoticeForm(forms.Form):
    issuer = forms.ModelChoiceField(label=_("Issued by"), queryset=Department.objects.none())
    recipient = forms.CharField(label=pgettext_lazy("notice addressee", "To"), max_length=200)
    requirements = forms.CharField(
        label=_("Requirements (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("e.g. arrive 30 minutes early; keep the emergency lanes clear."),
    )
    copy_to = forms.CharField(
        label=_("Copy to (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, issuers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issuers is not None:
            self.fields["issuer"].queryset = issuers

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]
