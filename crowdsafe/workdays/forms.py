from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdsafe.workdays.choices import DeadlineUnit
from crowdsafe.workdays.selectors import MAX_DAYS

FIELD_NAMES = ("start", "n", "unit")


class DeadlineForm(forms.Form):
    """The deadline calculator's question: n working or calendar days from a start date."""

    start = forms.DateField(
        label=_("Start date"),
        help_text=_("The day the period is counted from; it is not itself counted."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    n = forms.IntegerField(
        label=_("Number of days"), min_value=0, max_value=MAX_DAYS, widget=forms.NumberInput(attrs={"step": 1})
    )
    unit = forms.ChoiceField(
        label=_("Counted in"),
        choices=[
            (DeadlineUnit.WORKING_DAYS, _("working days")),
            (DeadlineUnit.CALENDAR_DAYS, _("calendar days")),
        ],
        initial=DeadlineUnit.WORKING_DAYS,
        widget=forms.RadioSelect,
    )
