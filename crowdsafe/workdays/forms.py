from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdsafe.workdays.choices import DeadlineUnit
from crowdsafe.workdays.festivals import statutory_holidays
from crowdsafe.workdays.models import MAX_YEAR, MIN_YEAR
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


def _parse_days(text: str, *, year: int | None, name_required: bool) -> tuple[dict[dt.date, str], list[str]]:
    """Lines "2027-02-05 春节" or "2027-02-05..2027-02-11 春节" → {date: name}, and the errors found."""
    days: dict[dt.date, str] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE_RE.match(line)
        if match is None:
            errors.append(
                _("Line %(n)d: write a date (2027-02-05) or a range (2027-02-05..2027-02-11), then the holiday name.")
                % {"n": number}
            )
            continue
        try:
            first = dt.date.fromisoformat(match["first"])
            last = dt.date.fromisoformat(match["last"]) if match["last"] else first
        except ValueError:
            errors.append(_("Line %(n)d: not a real date.") % {"n": number})
            continue
        name = (match["name"] or "").strip()
        if last < first:
            errors.append(_("Line %(n)d: the range ends before it starts.") % {"n": number})
            continue
        if name_required and not name:
            errors.append(_("Line %(n)d: name the holiday (e.g. 春节).") % {"n": number})
            continue
        date = first
        while date <= last:
            if year is not None and date.year != year:
                errors.append(
                    _("Line %(n)d: %(date)s is not in %(year)d.")
                    % {"n": number, "date": date.isoformat(), "year": year}
                )
                break
            if date in days:
                errors.append(_("Line %(n)d: %(date)s is entered twice.") % {"n": number, "date": date.isoformat()})
            days[date] = name
            date += dt.timedelta(days=1)
    return days, errors


_LINE_RE = re.compile(
    r"^(?P<first>\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至|–|—)\s*(?P<last>\d{4}-\d{2}-\d{2}))?\s*(?P<name>.*)$"
)


class YearScheduleForm(forms.Form):
    """The State Council's holiday schedule for a whole year (国务院办公厅关于部分节假日安排的通知), entered at once:
    the days off and the adjusted working days (调休上班日). It replaces the year's days, provisional ones
    included, and is refused as a whole when any line is wrong."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    notice = forms.CharField(
        label=_("Notice"),
        max_length=255,
        help_text=_("The notice's title and number, e.g. 国办发明电〔2026〕7号."),
    )
    holidays = forms.CharField(
        label=_("Days off"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "One line per day or range with the holiday's name, e.g. “2027-02-05..2027-02-11 春节”. Include the "
            "weekend days inside each holiday block."
        ),
    )
    adjusted = forms.CharField(
        label=_("Adjusted working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Weekends worked in exchange, one per line with the holiday's name, e.g. “2027-02-20 春节”."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year = data.get("year")
        if year is None:
            return data
        holidays, errors = _parse_days(data.get("holidays") or "", year=year, name_required=True)
        for message in errors:
            self.add_error("holidays", message)
        adjusted, errors = _parse_days(data.get("adjusted") or "", year=year, name_required=False)
        for message in errors:
            self.add_error("adjusted", message)
        for date in sorted(set(holidays) & set(adjusted)):
            self.add_error(
                "adjusted", _("%(date)s is both a day off and an adjusted working day.") % {"date": date.isoformat()}
            )
        for date in sorted(adjusted):
            if date.weekday() < 5:
                self.add_error(
                    "adjusted",
                    _("%(date)s is a weekday: an adjusted working day is a Saturday or a Sunday worked.")
                    % {"date": date.isoformat()},
                )
        # The national holiday rules fix these days off; a schedule only adds bridging days around them.
        for date, name in sorted(statutory_holidays(year).items()):
            if holidays and date not in holidays:
                self.add_error(
                    "holidays",
                    _("%(date)s (%(name)s) is a statutory holiday of the national holiday rules: it must be a day off.")
                    % {"date": date.isoformat(), "name": name},
                )
        data["holiday_days"], data["adjusted_days"] = holidays, adjusted
        return data
