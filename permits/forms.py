"""Forms of the permit pages. They parse input only; every rule is checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crowdsafe.common.files import UploadField, UploadsField
from crowdsafe.common.identifiers import CreditCodeFormField, ResidentIdFormField
from crowdsafe.common.validators import PhoneFormField
from permits.choices import (
    ChangeKind,
    CommentSection,
    DecisionOutcome,
    EventKind,
    MaterialKind,
    PlanMode,
    PlanSection,
    ResourceKind,
    ReviewOutcome,
    StructureKind,
    SupervisionKind,
)
from permits.rules import art_6_item, number

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LINES_HELP = _("One per line.")


def venue_label(venue) -> str:
    """A venue as the picker shows it and the field reads it back: its name and its grid."""
    return f"{venue.name}（{venue.grid.name}）"


class VenuePickerField(forms.Field):
    """The venue, picked by name among those the applicant may choose (``queryset``): a text input that
    static/js/jurisdiction-picker.js turns into a search-as-you-type list (``data-picker-url``; a pick sends the
    venue's id), and that without script is a plain search: the name typed, or part of it, is looked up when the
    form is sent. The page never lists the venues: a city has thousands (issue 18 point 4)."""

    widget = forms.TextInput
    # Alternatives named in "several match" (the rest: type more of the name).
    SHOWN_MATCHES = 5

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "maxlength": "160", "data-picker-empty": _("No venue of that name.")})
        return attrs

    def prepare_value(self, value):
        if hasattr(value, "grid"):
            return venue_label(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            venue = self._venues().filter(pk=int(value)).first() if self.queryset is not None else None
            return venue_label(venue) if venue else ""
        return value

    def _venues(self):
        return self.queryset.select_related("grid")

    def to_python(self, value):
        text = str(value or "").strip()[:160]
        if not text:
            return None
        venues = self._venues()
        if text.isdigit():  # picked from the list
            venue = venues.filter(pk=int(text)).first()
            if venue is not None:
                return venue
        name, _paren, grid = text.removesuffix("）").rpartition("（")
        if name and grid:  # a label as the picker (or the form shown again) wrote it
            venue = venues.filter(name=name, grid__name=grid).first()
            if venue is not None:
                return venue
        exact = list(venues.filter(name=text).order_by("name", "id")[:2])
        if len(exact) == 1:
            return exact[0]
        matches = exact or list(venues.filter(name__icontains=text).order_by("name", "id")[: self.SHOWN_MATCHES + 1])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(
                _("No venue you may choose is called “%(text)s”: type part of its name and pick it from the list."),
                code="invalid_choice",
                params={"text": text},
            )
        raise forms.ValidationError(
            _("Several venues match “%(text)s”: %(names)s. Type more of the name, or pick one from the list."),
            code="ambiguous",
            params={"text": text, "names": "、".join(venue_label(v) for v in matches[: self.SHOWN_MATCHES])},
        )


class ApplicationForm(forms.Form):
    """The event, its venue and its safety-responsible person (Art. 2, 13)."""

    event_name = forms.CharField(label=_("Event name"), max_length=128)
    event_kind = forms.ChoiceField(
        label=_("Kind of event (Order 505 Art. 2)"), choices=[("", "—"), *EventKind.choices], required=False
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happens, who performs or takes part, how the audience comes and goes."),
    )
    venue = VenuePickerField(
        label=_("Venue"),
        required=False,
        help_text=_("Type part of the venue's name and pick it from the list."),
    )
    organized_by_government = forms.BooleanField(
        label=_("Organized by a people's government at county level or above or by a state organ"),
        help_text=_("Order 505 Art. 25: such events are outside the regulation and need no permit."),
        required=False,
    )
    regular_business = forms.BooleanField(
        label=_("Part of the venue's regular business (e.g. a theatre's regular performances)"), required=False
    )
    across_provinces = forms.BooleanField(label=_("Held across provinces"), required=False)
    safety_person_name = forms.CharField(label=_("Safety-responsible person"), max_length=64, required=False)
    safety_person_phone = PhoneFormField(label=_("Phone"), required=False)
    safety_person_id_number = ResidentIdFormField(label=_("Resident ID number"), required=False)

    def __init__(self, *args, venues=None, picker_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        if picker_url:
            self.fields["venue"].widget.attrs["data-picker-url"] = picker_url

    @staticmethod
    def initial_for(application) -> dict:
        return {
            "event_name": application.event_name,
            "event_kind": application.event_kind,
            "description": application.description,
            "venue": application.venue,
            "organized_by_government": application.organized_by_government,
            "regular_business": application.regular_business,
            "across_provinces": application.across_provinces,
            "safety_person_name": application.safety_person_name,
            "safety_person_phone": application.safety_person_phone,
            "safety_person_id_number": application.safety_person_id_number,
        }


class NewApplicationForm(ApplicationForm):
    organisation = forms.ModelChoiceField(label=_("Applicant"), queryset=None, empty_label=None)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.order_fields(["organisation"])


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    expected_attendance = forms.IntegerField(label=_("Expected attendance"), min_value=1, max_value=10_000_000)


class UndertakerForm(forms.Form):
    name = forms.CharField(label=_("Undertaker"), max_length=128)
    credit_code = CreditCodeFormField(label=_("Unified social credit code"))
    contact_name = forms.CharField(label=_("Contact person"), max_length=64, required=False)
    contact_phone = PhoneFormField(label=_("Contact phone"), required=False)


class TicketsForm(forms.Form):
    """One field per zone of the venue: the tickets planned there (empty: the zone is not used)."""

    def __init__(self, *args, zones=(), capacities=None, **kwargs):
        super().__init__(*args, **kwargs)
        capacities = capacities or {}
        self.zone_fields = []
        for zone in zones:
            name = f"zone_{zone.pk}"
            capacity = capacities.get(zone.pk)
            self.fields[name] = forms.IntegerField(
                label=zone.name,
                required=False,
                min_value=0,
                help_text=(_("safe capacity %(n)s") % {"n": number(capacity)}) if capacity is not None else "",
            )
            self.zone_fields.append((zone, name))

    def tickets(self) -> dict[int, int | None]:
        return {zone.pk: self.cleaned_data.get(name) for zone, name in self.zone_fields}


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=MaterialKind.choices)
    file = UploadField(
        kind="document", label=_("File"), help_text=_("PDF, JPEG or PNG images, or Word, Excel or PowerPoint files.")
    )


class PlanForm(forms.Form):
    """The security plan: each Art. 6 section written here, or the page where it starts in the uploaded file."""

    plan_mode = forms.ChoiceField(
        label=_("How is the security plan given?"), choices=PlanMode.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = []
        for section in PlanSection:
            text_name, page_name = f"text_{section.value}", f"page_{section.value}"
            self.fields[text_name] = forms.CharField(
                label=section.label, required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
            )
            self.fields[page_name] = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=9999)
            self.sections.append((section, art_6_item(section.value), text_name, page_name))

    @staticmethod
    def initial_for(application) -> dict:
        initial = {"plan_mode": application.plan_mode}
        for row in application.plan_sections.all():
            initial[f"text_{row.section}"] = row.text
            initial[f"page_{row.section}"] = row.page
        return initial

    def service_sections(self) -> dict:
        return {
            section.value: {"text": self.cleaned_data.get(text), "page": self.cleaned_data.get(page)}
            for section, _article, text, page in self.sections
        }

    def bound_sections(self):
        return [(section, article, self[text], self[page]) for section, article, text, page in self.sections]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class CorrectionForm(forms.Form):
    items = forms.CharField(
        label=_("Everything to correct"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line; name them all at once (Administrative Licensing Law Art. 32)."),
    )
    correction_due = forms.DateField(label=_("Correct by"), required=False, widget=DATE)


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}), help_text=LINES_HELP)


class DecisionForm(forms.Form):
    """The head's decision (Art. 14): approve with the approved capacity, tickets per zone and conditions, or
    refuse with written reasons."""

    outcome = forms.ChoiceField(label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    approved_capacity = forms.IntegerField(label=_("Approved capacity"), required=False, min_value=1)
    conditions = forms.CharField(
        label=_("Required measures (conditions)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line; each is tracked until the organizer has done it and your department has checked it."
        ),
    )
    reasons = forms.CharField(
        label=_("Reasons for refusal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line; the refusal states them in writing (Order 505 Art. 14)."),
    )

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_fields = []
        for plan in plans:
            name = f"tickets_{plan.pk}"
            self.fields[name] = forms.IntegerField(
                label=plan.zone.name, required=False, min_value=0, initial=plan.tickets
            )
            self.plan_fields.append((plan, name))

    def bound_plan_fields(self):
        return [self[name] for _plan, name in self.plan_fields]

    def tickets(self) -> dict[int, int]:
        return {
            plan.pk: self.cleaned_data[name]
            for plan, name in self.plan_fields
            if self.cleaned_data.get(name) is not None
        }


class InspectionForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[
            ("1", pgettext_lazy("inspection result", "Passed")),
            ("0", pgettext_lazy("inspection result", "Failed")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(label=pgettext_lazy("inspection", "Findings"), widget=forms.Textarea(attrs={"rows": 5}))
    inspected_on = forms.DateField(label=_("Inspected on"), required=False, widget=DATE)
    photos = UploadsField(kind="photo", label=_("Photos"), help_text=_("JPEG or PNG, up to 20."))


class CommentForm(forms.Form):
    section = forms.ChoiceField(label=pgettext_lazy("comment", "About"), choices=CommentSection.choices)
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    visible_to_organizer = forms.BooleanField(label=_("Show to the organizer"), required=False)


class ConditionReportForm(forms.Form):
    note = forms.CharField(label=_("How it was done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ConditionCheckForm(forms.Form):
    done = forms.TypedChoiceField(
        label=_("Check"),
        choices=[("1", _("Done")), ("0", _("Not done"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False)


class SupervisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Supervision"), choices=SupervisionKind.choices)
    findings = forms.CharField(label=pgettext_lazy("inspection", "Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    passed = forms.BooleanField(label=_("No problems found"), required=False, initial=True)


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Change of"), choices=ChangeKind.choices)
    session = forms.ModelChoiceField(label=_("Session"), queryset=None, required=False)
    new_starts_at = forms.DateTimeField(label=_("New start"), widget=DATETIME, required=False)
    new_ends_at = forms.DateTimeField(label=_("New end"), widget=DATETIME, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class ChangeDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", pgettext_lazy("change request", "Approve")), ("0", pgettext_lazy("change request", "Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


# --- issue 21: resources, temporary structures, the post-event review -------------------------------------------


class ResourceForm(forms.Form):
    """A planned security resource for a session (or every session) and a zone (or the whole event)."""

    resource = forms.ChoiceField(label=_("Resource"), choices=ResourceKind.choices)
    session = forms.ModelChoiceField(label=_("Session"), queryset=None, required=False, empty_label=_("Every session"))
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=None, required=False, empty_label=_("Whole event"))
    count = forms.IntegerField(label=_("Number"), min_value=0, max_value=100_000)

    def __init__(self, *args, sessions=None, zones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["zone"].queryset = zones


class StructureForm(forms.Form):
    """A temporary structure listed on the application (临时搭建设施)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=StructureKind.choices)
    name = forms.CharField(label=_("Name"), max_length=128)
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=None, required=False, empty_label="—")
    builder = forms.CharField(label=_("Built by"), max_length=128, required=False)

    def __init__(self, *args, zones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = zones


class StructureAcceptForm(forms.Form):
    note = forms.CharField(
        label=_("Acceptance note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class PostEventReviewForm(forms.Form):
    """The post-event review (活动复盘): actual attendance per session, incidents, what worked and what did not;
    the licensing department also gives the outcome."""

    incidents = forms.CharField(label=_("Incidents"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    worked = forms.CharField(label=_("Measures that worked"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    did_not_work = forms.CharField(
        label=_("Measures that did not work"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *ReviewOutcome.choices], required=False)

    def __init__(self, *args, sessions=(), department: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.session_fields = []
        for session in sessions:
            name = f"attendance_{session.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("Actual attendance, session %(session)s") % {"session": session},
                min_value=0,
                max_value=10_000_000,
                required=False,
            )
            self.session_fields.append((session, name))
        if not department:
            del self.fields["outcome"]
        else:
            self.fields["outcome"].required = True

    def attendance_fields(self):
        return [self[name] for _session, name in self.session_fields]

    def attendance(self) -> dict[int, int | None]:
        return {session.pk: self.cleaned_data.get(name) for session, name in self.session_fields}
