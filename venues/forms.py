"""Forms of the venue pages. They parse input; the services validate the domain rules and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.files import UploadField, accept_attribute
from crowdsafe.common.identifiers import CreditCodeFormField
from crowdsafe.common.validators import PhoneFormField
from crowdsafe.org.models import Jurisdiction, Organisation
from venues.choices import (
    VENUE_LEVELS,
    EquipmentKind,
    ExitKind,
    FireInspectionStatus,
    RiskPointKind,
    VenueDocumentKind,
    VenueKind,
    ZoneKind,
)
from venues.models import Venue, Zone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class VenueForm(forms.Form):
    """A venue's register entry. ``operators`` limits the operator to the user's own organisations (a venue
    operator keeps only their own venues); otherwise the operator is given by its unified social credit code."""

    name = forms.CharField(label=_("Name"), max_length=128)
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    grid = forms.CharField(
        label=_("Grid or community (division code)"),
        max_length=20,
        help_text=_("The grid or village/community the venue lies in, e.g. 410502001001G01."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "venue-grids", "class": "mono"}),
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude (WGS-84)"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude (WGS-84)"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
    )
    operator_credit_code = CreditCodeFormField(
        label=_("Operator (unified social credit code)"),
        required=False,
        help_text=_("The organisation that runs the venue (谁的场地谁负责); it must be registered."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    operator = forms.TypedChoiceField(label=_("Operator"), coerce=int, required=False, empty_value=None)
    responsible_person_name = forms.CharField(label=_("Safety-responsible person"), max_length=64, required=False)
    responsible_person_phone = PhoneFormField(label=_("Phone of the safety-responsible person"), required=False)
    declared_capacity = forms.IntegerField(
        label=_("Declared or approved capacity"),
        min_value=1,
        required=False,
        help_text=_("The capacity the operator declared or the authority approved (核定容量)."),
    )
    fire_inspection_status = forms.ChoiceField(
        label=_("Fire-safety inspection"),
        choices=FireInspectionStatus.choices,
        initial=FireInspectionStatus.NOT_INSPECTED,
    )
    fire_inspection_date = forms.DateField(label=_("Fire-safety inspection date"), required=False, widget=DateInput)
    completion_acceptance_date = forms.DateField(
        label=_("Completion acceptance date"), required=False, widget=DateInput
    )
    completion_acceptance_ref = forms.CharField(
        label=_("Completion acceptance reference"), max_length=64, required=False
    )
    built_year = forms.IntegerField(label=_("Year built"), min_value=1000, max_value=2100, required=False)
    design_service_life_years = forms.IntegerField(
        label=_("Design service life (years)"), min_value=1, max_value=300, required=False
    )
    safety_appraisal_date = forms.DateField(label=_("Last building safety appraisal"), required=False, widget=DateInput)

    def __init__(self, *args, operators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_operators = list(operators) if operators else None
        if self.own_operators:
            del self.fields["operator_credit_code"]
            self.fields["operator"].required = True
            self.fields["operator"].choices = [(o.pk, o.name) for o in self.own_operators]
        else:
            del self.fields["operator"]

    @classmethod
    def initial_for(cls, venue: Venue) -> dict:
        initial = {field: getattr(venue, field) for field in cls.base_fields if hasattr(venue, field)}
        initial["grid"] = venue.grid.code
        initial["operator"] = venue.operator_id
        initial["operator_credit_code"] = venue.operator.credit_code if venue.operator_id else ""
        return initial

    def clean_grid(self) -> Jurisdiction:
        code = self.cleaned_data["grid"].strip().upper()
        grid = Jurisdiction.objects.filter(code=code).first()
        if grid is None:
            raise forms.ValidationError(_("No grid or community has this code."))
        if grid.level not in VENUE_LEVELS:
            raise forms.ValidationError(
                _("%(name)s is a %(level)s: a venue is placed in a grid or a village/community.")
                % {"name": grid.name, "level": grid.get_level_display()}
            )
        return grid

    def clean_operator_credit_code(self) -> Organisation | None:
        code = self.cleaned_data["operator_credit_code"]
        if not code:
            return None
        organisation = Organisation.objects.filter(credit_code=code).first()
        if organisation is None:
            raise forms.ValidationError(_("No organisation is registered with this unified social credit code."))
        return organisation

    def clean_operator(self) -> Organisation | None:
        pk = self.cleaned_data.get("operator")
        if pk is None:
            return None
        return next(o for o in self.own_operators if o.pk == pk)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if "operator_credit_code" in data:
            data["operator"] = data.pop("operator_credit_code")
        return data


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the venue being deactivated?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: closed for good, demolished, or entered twice."),
    )


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=ZoneKind.choices)
    usable_area_m2 = forms.DecimalField(
        label=_("Usable area (m²)"),
        max_digits=10,
        decimal_places=2,
        min_value=0.01,
        help_text=_("The area the crowd can stand or sit on: without stages, fenced-off ground or fixtures."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    seats = forms.IntegerField(
        label=_("Seats"), min_value=1, required=False, help_text=_("Required for a seated zone.")
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ZoneKind.SEATED and not cleaned.get("seats"):
            self.add_error("seats", _("A seated zone needs its number of seats."))
        return cleaned


class ExitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=ExitKind.choices, initial=ExitKind.LEVEL)
    clear_width_m = forms.DecimalField(
        label=_("Clear width (m)"),
        max_digits=5,
        decimal_places=2,
        min_value=0.01,
        help_text=_("The narrowest width a crowd passes through, measured between handrails or door leaves."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    zones = forms.ModelMultipleChoiceField(
        label=_("Zones it serves"),
        queryset=Zone.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, venue: Venue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = Zone.objects.filter(venue=venue).order_by("name", "id")


class RiskPointForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RiskPointKind.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A JPEG, PNG or WebP photo of at most 5 MB."),
        # Checked by the service (``crowdsafe.common.files``), as every upload is.
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute("photo"), "capture": "environment"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["remove_photo"]


class TemporaryStructureForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128, help_text=_("For example: main stage, east stand."))
    erected_on = forms.DateField(label=_("Put up on"), widget=DateInput)
    accepted_on = forms.DateField(label=_("Accepted on"), required=False, widget=DateInput)
    accepted_by = forms.CharField(
        label=_("Accepted by"), max_length=128, required=False, help_text=_("The unit or person that accepted it.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SpecialEquipmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EquipmentKind.choices)
    name = forms.CharField(label=_("Name or location"), max_length=128)
    registration_no = forms.CharField(label=_("Registration certificate number"), max_length=64)
    last_inspected_on = forms.DateField(label=_("Last statutory inspection"), required=False, widget=DateInput)
    next_inspection_due = forms.DateField(label=_("Next statutory inspection due"), widget=DateInput)


class VenueDocumentForm(forms.Form):
    """A document of the venue's building and fire safety (issue 21 point 4)."""

    kind = forms.ChoiceField(label=_("Document"), choices=VenueDocumentKind.choices)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput)
    file = UploadField(kind="document", label=_("File"))
