"""Choices of the monitoring app: zone kinds, levels, source kinds, alert kinds and states, why a reading was
refused."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneKind(models.TextChoices):
    """How the crowd uses a monitored zone; steps, ramps, bridges and narrow passages are one band stricter."""

    # Translators: 静态（站立）人群
    STANDING = "standing", _("Standing crowd")
    # Translators: 动态（行进）人群
    MOVING = "moving", _("Moving crowd")
    # Translators: 台阶、坡道、桥梁、狭窄通道
    STEPS = "steps", _("Steps, ramps, bridges, narrow passages")


class Level(models.TextChoices):
    """A zone's monitored level (blue < yellow < orange < red)."""

    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


LEVEL_RANK = {Level.BLUE.value: 1, Level.YELLOW.value: 2, Level.ORANGE.value: 3, Level.RED.value: 4}
LEVELS_UP = [Level.YELLOW.value, Level.ORANGE.value, Level.RED.value]


def rank(level: str | None) -> int:
    # A Level member hashes and compares as its value (str first in TextChoices' MRO): no str() on the hot path,
    # where the ingest ranks levels about twenty times per zone and batch.
    return LEVEL_RANK.get(level, 0) if level else 0  # type: ignore[arg-type]


class Measure(models.TextChoices):
    """What a band measures."""

    # Translators: 人员密度（人/平方米）
    DENSITY = "density", _("Density (persons per m²)")
    # Translators: 占安全容量或核定最大承载量的比例
    UTILISATION = "utilisation", _("Share of the safe or declared capacity")
    # Translators: 占许可核定人数的比例
    APPROVED = "approved", _("Share of the event's approved capacity")


class SourceKind(models.TextChoices):
    """Where counts come from."""

    # Translators: 视频AI计数
    CAMERA = "camera", _("Camera AI count")
    # Translators: 闸机/门禁计数（进出）
    GATE = "gate", _("Gate counter (in/out)")
    # Translators: 通信热力图
    HEATMAP = "heatmap", _("Telecom heat-map cell")
    # Translators: 人工计数（现场工作人员、网格员）
    MANUAL = "manual", _("Manual count (stewards, grid workers)")
    # Translators: 聚集活动上报人数
    HEADCOUNT = "headcount", _("Gathering headcount")


class AlertKind(models.TextChoices):
    # Translators: 等级预警
    LEVEL = "level", _("Level")
    # Translators: 趋势预警（预计将达红色）
    EARLY_WARNING = "early_warning", _("Early warning")
    # Translators: 监测中断
    SILENT = "silent", _("Monitoring interrupted")


class AlertState(models.TextChoices):
    # Translators: 已发出
    RAISED = "raised", _("Raised")
    # Translators: 已确认
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    # Translators: 措施落实中
    MEASURES = "measures", _("Measures under way")
    # Translators: 已缓解
    EASED = "eased", _("Eased")
    # Translators: 已关闭
    CLOSED = "closed", _("Closed")


OPEN_ALERT_STATES = [AlertState.RAISED.value, AlertState.ACKNOWLEDGED.value, AlertState.MEASURES.value]

# The order of the episode's states: a transition may only go forward (closing is possible from any state).
ALERT_STATE_ORDER = {s.value: i for i, s in enumerate(AlertState)}


class AreaSource(models.TextChoices):
    # Translators: 由多边形按椭球面计算
    POLYGON = "polygon", _("Computed from the polygon (geodesic)")
    # Translators: 手工填写
    TYPED = "typed", _("Typed in")
    # Translators: 取自场所区域
    VENUE = "venue", _("From the venue zone")
