"""Choices of the alerts app: what triggers a rule, which party it alerts, at which level, and how a person
acknowledged."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertTrigger(models.TextChoices):
    """What an alert rule answers. The monitoring and response apps add theirs here (docs/contracts/alerts.md)."""

    # Translators: 聚集活动风险等级升至较大（橙色）或重大（红色）
    GATHERING_LEVEL = "gathering_level", _("A gathering's risk level becomes orange or red")
    # Translators: 场所风险等级升至较大（橙色）或重大（红色）
    VENUE_LEVEL = "venue_level", _("A venue's risk level becomes orange or red")
    # Translators: 发现重大隐患
    MAJOR_HAZARD = "major_hazard", _("A major hazard is reported")
    # Translators: 不予安全许可
    PERMIT_REFUSED = "permit_refused", _("A permit is refused")
    # Translators: 附条件准予安全许可
    PERMIT_CONDITIONS = "permit_conditions", _("A permit is approved with conditions")
    OTHER = "other", _("Other (raised by another app)")


class AlertLevel(models.TextChoices):
    """The level of an alert: 较大 (orange) or 重大 (red). Red reaches more people than orange."""

    ORANGE = "orange", _("Orange (较大)")
    RED = "red", _("Red (重大)")


LEVEL_RANK = {AlertLevel.ORANGE.value: 3, AlertLevel.RED.value: 4}


def level_rank(level: str) -> int:
    """Rank of a risk or alert level (blue 1 … red 4); 0 for a level that never alerts."""
    return {"blue": 1, "yellow": 2, **LEVEL_RANK}.get(str(level), 0)


class AlertParty(models.TextChoices):
    """Who an alert rule alerts (each resolved from the subject's place, like the responsibility rules)."""

    # Translators: 属地乡镇（街道）：街道办事处（乡镇政府）工作人员和乡镇（街道）干部
    TOWNSHIP = "township", _("The territory's township / street (its office staff and officers)")
    # Translators: 公安值班台：辖区公安部门值班人员
    POLICE_ON_DUTY = "police_on_duty", _("The public-security on-duty desk covering the place")
    # Translators: 场所管理方
    VENUE_OPERATOR = "venue_operator", _("The venue operator")
    # Translators: 主办方
    ORGANIZER = "organizer", _("The organizer")
    # Translators: 属地领导
    TERRITORY_LEADER = "territory_leader", _("The territory's leader")
    # Translators: 应急管理部门
    EMERGENCY = "emergency", _("Emergency management covering the place")
    # Translators: 被指派的部门（如应急处置措施的承办部门，值班人员优先）
    ASSIGNED_DEPARTMENT = (
        "assigned_department",
        _("The department the subject is assigned to (its on-duty people first)"),
    )
    # Someone alerted because the person they stand in for could not be reached (escalation), not by a rule.
    # Translators: 逐级上报（未确认或无人可接收时）
    ESCALATION = "escalation", _("Next person up (not acknowledged, or nobody to receive it)")
    # A participant of an exercise (演练): an exercise's alerts reach its participants only, never the rule's parties.
    # Translators: 演练参演人员
    EXERCISE = "exercise", _("Exercise participant")


#: The parties an alert rule may name (an exercise's participants are named by the exercise, not by a rule).
RULE_PARTY_CHOICES = [(value, label) for value, label in AlertParty.choices if value != AlertParty.EXERCISE]


class AckChannel(models.TextChoices):
    """How an acknowledgment arrived."""

    # Translators: 平台内确认
    APP = "app", _("In the app")
    # Translators: 短信/邮件/群消息中的链接
    LINK = "link", _("From the link in the message")
