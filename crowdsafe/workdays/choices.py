from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayType(models.TextChoices):
    """What a day is for counting deadlines."""

    WORKING = "working", _("working day")
    WEEKEND = "weekend", _("weekend")
    HOLIDAY = "holiday", _("statutory holiday")
    ADJUSTED_WORKING = "adjusted_working", _("adjusted working day")
    # A statutory holiday of the national holiday rules in a year whose State Council schedule is not entered:
    # off, but the schedule may still move the days around it (crowdsafe.workdays.festivals).
    PROVISIONAL_HOLIDAY = "provisional_holiday", _("statutory holiday (provisional)")


WORKING_DAY_TYPES = frozenset({DayType.WORKING, DayType.ADJUSTED_WORKING})


class ExceptionKind(models.TextChoices):
    """What the table stores: only the days that differ from the Monday–Friday rule."""

    HOLIDAY = "holiday", _("holiday")
    ADJUSTED_WORKING = "adjusted_working", _("adjusted working day")


class Source(models.TextChoices):
    LIBRARY = "library", _("holiday library (chinese-calendar)")
    ADMIN = "admin", _("entered by an administrator")


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working", _("working day")
    CALENDAR_DAYS = "calendar", _("calendar days")


class PeriodExtension(models.TextChoices):
    """Values of the CALENDAR_PERIOD_EXTENDS_OVER setting: which end days push a calendar-day period on."""

    REST_DAYS = "rest_days", _("weekends and statutory holidays")
    HOLIDAYS = "holidays", _("statutory holidays only")
