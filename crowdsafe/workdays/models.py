from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from crowdsafe.workdays.choices import ExceptionKind, Source

# The range an administrator may enter. The State Council has published a yearly schedule since 1999 (the
# library starts at 2004); far-future years cannot have one yet, so a typo like 20277 is refused.
MIN_YEAR = 2000
MAX_YEAR = 2100


def _check_year(year: int, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {field: _("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}}
        )


class CalendarYear(models.Model):
    """A year whose State Council holiday schedule (国务院办公厅节假日安排) is in the table.

    Dates in a year without a row here are computed on weekends only, and every result says so.
    ``source`` says who owns the year: the library sync keeps library years up to date and never touches a
    year an administrator has added or edited.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    notice = models.CharField(_("notice"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("covered year")
        verbose_name_plural = _("covered year")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        if self.year is not None:
            _check_year(self.year, "year")


class CalendarDay(models.Model):
    """A day that departs from the Monday–Friday rule: a statutory holiday (法定节假日, including the
    weekend days inside a holiday block) or an adjusted working day (调休上班日, a weekend worked)."""

    date = models.DateField(_("date"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ExceptionKind.choices)
    name = models.CharField(_("holiday name"), max_length=32, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday or adjusted working day")
        verbose_name_plural = _("holiday or adjusted working day")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        if self.date is None:
            return
        _check_year(self.date.year, "date")
        # Monday to Friday are working days already; an adjusted working day is always a weekend worked.
        if self.kind == ExceptionKind.ADJUSTED_WORKING and self.date.weekday() < 5:
            raise ValidationError(
                {"kind": _("An adjusted working day must be a Saturday or a Sunday: weekdays are working days.")}
            )


class HolidayScheduleRequest(models.Model):
    """A reminder that next year's schedule is missing, opened each 1 November for a city's administrator (the
    subject of their task, through the duties engine: rule ``workdays.holiday_schedule``). One per year and
    city; ``entered_at`` is set once the year has been entered."""

    year = models.PositiveSmallIntegerField(_("year"))
    city = models.ForeignKey("org.Jurisdiction", verbose_name=_("city"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("holiday schedule reminder")
        verbose_name_plural = _("holiday schedule reminders")
        constraints = [models.UniqueConstraint(fields=["year", "city"], name="workdays_schedule_request_once")]

    def __str__(self) -> str:
        return _("Holiday schedule for %(year)d") % {"year": self.year}
