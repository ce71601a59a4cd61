from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayType(models.TextChoices):
    WORKING = "working", _("工作日")
    WEEKEND = "weekend", _("休息日")
    HOLIDAY = "holiday", _("法定节假日")
    ADJUSTED_WORKING = "adjusted_working", _("调休上班日")


class ExceptionKind(models.TextChoices):
    """What the table stores: only the days that differ from the Monday–Friday rule."""

    HOLIDAY = "holiday", _("放假")
    ADJUSTED_WORKING = "adjusted_working", _("调休上班")


class Source(models.TextChoices):
    LIBRARY = "library", _("节假日数据库（chinese-calendar）")
    ADMIN = "admin", _("管理员录入")


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working", _("工作日")
    CALENDAR_DAYS = "calendar", _("自然日")
