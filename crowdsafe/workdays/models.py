from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from crowdsafe.workdays.choices import ExceptionKind, Source


class CalendarYear(models.Model):
    """A year whose State Council holiday schedule (国务院办公厅节假日安排) is in the table.

    Dates in a year without a row here are computed on weekends only, and every result says so.
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
