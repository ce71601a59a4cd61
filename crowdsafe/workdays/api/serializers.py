"""Input (query parameters) and output serializers of the calendar API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from crowdsafe.workdays.choices import DayType, DeadlineUnit
from crowdsafe.workdays.selectors import MAX_DAYS, MAX_RANGE_DAYS


class CalendarRangeInputSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day, YYYY-MM-DD.")
    end = serializers.DateField(help_text=f"Last day, YYYY-MM-DD; at most {MAX_RANGE_DAYS} days from start.")

    def validate(self, attrs):
        start, end = attrs["start"], attrs["end"]
        if end < start:
            raise serializers.ValidationError({"end": _("The end date must not be before the start date.")})
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"end": _("A range may cover at most %(max)d days.") % {"max": MAX_RANGE_DAYS}}
            )
        return attrs


class CalendarDayOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    type = serializers.ChoiceField(
        choices=DayType.choices,
        help_text="working, weekend, holiday (statutory), adjusted_working (调休上班日) or provisional_holiday "
        "(a statutory holiday of the national holiday rules in a year whose schedule is not entered).",
    )
    type_label = serializers.CharField(help_text="The type in the request's language.")
    name = serializers.CharField(help_text="The holiday the day belongs to, e.g. 国庆节; empty for ordinary days.")
    covered = serializers.BooleanField(
        help_text="False when the day's year has no holiday schedule in the table (weekends only)."
    )


class DeadlineInputSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The day the period is counted from (not itself counted).")
    n = serializers.IntegerField(min_value=0, max_value=MAX_DAYS, help_text="Number of days.")
    unit = serializers.ChoiceField(
        choices=DeadlineUnit.choices,
        help_text="working: working days; calendar: calendar days, carried past rest days.",
    )


class DeadlineOutputSerializer(serializers.Serializer):
    start = serializers.DateField()
    n = serializers.IntegerField()
    unit = serializers.ChoiceField(choices=DeadlineUnit.choices)
    due = serializers.DateField()
    covered = serializers.BooleanField(help_text="True when every year from start to due has its schedule.")
    uncovered_years = serializers.ListField(
        child=serializers.IntegerField(), help_text="Years computed on weekends only."
    )
    extended_from = serializers.DateField(
        allow_null=True, help_text="Calendar days: the raw end day, when it was a rest day and the period ran on."
    )
    explanation = serializers.CharField(source="explain", help_text="One sentence, in the request's language.")
    warning = serializers.CharField(help_text="Empty unless a year was not covered.")
