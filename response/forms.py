"""Forms of the response pages: they only collect input; the services check it (a ``DomainError`` becomes a form
error beside its field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.files import UploadsField
from response.choices import ForceKind, ForceState
from response.models import IncidentLevel

TEXT = {"rows": 3}


class LevelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class IncidentOpenForm(forms.Form):
    """Open an incident by hand, or from a monitoring alert, a gathering or a permitted event (then prefilled)."""

    title = forms.CharField(label=_("What is happening (title)"), max_length=200)
    level = LevelChoiceField(label=_("Response level"), queryset=IncidentLevel.objects.order_by("rank"))
    jurisdiction: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Where (jurisdiction)"),
        queryset=None,  # type: ignore[arg-type]
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs=TEXT), required=False)
    exercise = forms.BooleanField(label=_("This is an exercise"), required=False)

    def __init__(self, *args: Any, jurisdictions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions  # type: ignore[attr-defined]


class ConfirmOpenForm(forms.Form):
    """Opening from a monitoring alert, a gathering or an event: only the confirmation (the service fills in)."""

    confirm = forms.BooleanField(label=_("Open the incident and take command"), required=True)


class LevelForm(forms.Form):
    level = LevelChoiceField(label=_("New response level"), queryset=IncidentLevel.objects.order_by("rank"))
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs=TEXT))


class PlanActivateForm(forms.Form):
    plan = forms.TypedChoiceField(label=_("Plan"), coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Note (optional)"), widget=forms.Textarea(attrs=TEXT), required=False)

    def __init__(self, *args: Any, plans: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plans  # type: ignore[attr-defined]


class ForceRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Force"), choices=ForceKind.choices)
    requested_count = forms.IntegerField(label=_("How many"), min_value=1, max_value=100_000)
    department: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("From department"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
    )
    unit = forms.CharField(label=_("Unit"), max_length=100, required=False)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ForceAdvanceForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=ForceState.choices[1:])
    arrived_count = forms.IntegerField(label=_("Arrived"), min_value=0, max_value=100_000, required=False)


class SituationReportForm(forms.Form):
    """The template of a situation report (态势研判)."""

    situation = forms.CharField(label=_("Situation"), widget=forms.Textarea(attrs=TEXT))
    measures = forms.CharField(label=_("Measures taken"), widget=forms.Textarea(attrs=TEXT))
    forces = forms.CharField(label=_("Forces"), widget=forms.Textarea(attrs=TEXT))
    needs = forms.CharField(label=_("Needs"), widget=forms.Textarea(attrs=TEXT), required=False)
    next_steps = forms.CharField(label=_("Next steps"), widget=forms.Textarea(attrs=TEXT))


class CadenceForm(forms.Form):
    minutes = forms.IntegerField(label=_("A situation report every (minutes)"), min_value=5, max_value=720)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs=TEXT))


class EscalationForm(forms.Form):
    reason = forms.CharField(label=_("Why the forces on site are not enough"), widget=forms.Textarea(attrs=TEXT))


class AcceptForm(forms.Form):
    confirm = forms.BooleanField(label=_("We take over command"), required=True)


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "display_name", "") or obj)


class HandoverForm(forms.Form):
    to_user = UserChoiceField(label=_("New commander"), queryset=None)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs=TEXT))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = people  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}))
    lessons = forms.CharField(
        label=_("What the plans must change (one item a line)"),
        help_text=_("Each line becomes an after-action item for the revision of the activated plans."),
        widget=forms.Textarea(attrs=TEXT),
        required=False,
    )


class LogForm(forms.Form):
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs=TEXT))
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    significant = forms.BooleanField(label=_("Significant event"), required=False)
    photos = UploadsField(label=_("Photos"), kind="photo", attrs={"capture": "environment"})


class MeasureDoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PublicReportForm(forms.Form):
    """The public page: "this place is too crowded", with the phone's location."""

    place_text = forms.CharField(label=_("Where is it"), max_length=200)
    description = forms.CharField(
        label=_("What do you see"), widget=forms.Textarea(attrs=TEXT), max_length=2000, required=False
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), min_value=-90, max_value=90, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), min_value=-180, max_value=180, required=False, widget=forms.HiddenInput
    )
    caller_phone = forms.CharField(
        label=_("Your phone number (optional, for our answer by SMS)"), max_length=20, required=False
    )


class TicketForm(forms.Form):
    ticket = forms.CharField(label=_("Ticket number"), max_length=40)
