"""The dashboard's one form: the period of the responsibility matrix (and the jurisdiction, by division code)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

DEFAULT_PERIOD_DAYS = 28  # four weeks up to today
MAX_PERIOD_DAYS = 3660


class PeriodForm(forms.Form):
    root = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("date_from", _("A period may cover at most ten years."))
        return cleaned

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The period asked for; the last four weeks when none (or a wrong one) is given."""
        default = (today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)
        if not self.is_valid():
            return default
        end = self.cleaned_data.get("date_to") or today
        start = self.cleaned_data.get("date_from") or end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        return start, end
