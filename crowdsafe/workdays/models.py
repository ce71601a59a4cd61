from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from crowdsafe.workdays.choices import ExceptionKind, Source


class CalendarYear(models.Model):
    """A year whose State Council holiday schedule (国务院办公厅节假日安排) is in the table.

    Dates in a year without a row here are computed on weekends only, and every result says so.
    """

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    notice = models.CharField(_("依据文件"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("已录入年度")
        verbose_name_plural = _("已录入年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that departs from the Monday–Friday rule: a statutory holiday (法定节假日, including the
    weekend days inside a holiday block) or an adjusted working day (调休上班日, a weekend worked)."""

    date = models.DateField(_("日期"), primary_key=True)
    kind = models.CharField(_("类型"), max_length=20, choices=ExceptionKind.choices)
    name = models.CharField(_("节日"), max_length=32, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()
