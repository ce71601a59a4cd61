from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayType(models.TextChoices):
    WORKING = "working", _("working day")
    WEEKEND = "weekend", _("weekend")
    HOLIDAY = "holiday", _("statutory holiday")
    ADJUSTED_WORKING = "adjusted_working", _("adjusted working day")


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
