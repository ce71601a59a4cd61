"""Choices of the inspections app: what a checklist is for, how an item is answered, how serious a failed item is,
and an inspection's life cycle."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TemplateScope(models.TextChoices):
    """What a checklist template (检查表) is for: the regular inspection of a kind of venue, the inspection of a
    kind of large event, or the pre-event inspection (活动前检查) of a permitted event."""

    VENUE_KIND = "venue_kind", _("A kind of venue")
    EVENT_KIND = "event_kind", _("A kind of large event")
    # Translators: 许可活动举办前安全检查
    PRE_EVENT = "pre_event", _("Pre-event inspection of a permitted event")


class AnswerKind(models.TextChoices):
    # Translators: 是/否/不适用
    YES_NO = "yes_no", _("Yes / no / not applicable")
    # Translators: 数值（与标准值比较）
    NUMBER = "number", _("A number against a threshold")


class ThresholdKind(models.TextChoices):
    """How a number is compared with the item's threshold."""

    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    # Translators: 不适用
    NOT_APPLICABLE = "na", _("Not applicable")


class Severity(models.TextChoices):
    """How serious a failed item is (隐患等级). 一般 and 较大 become ordinary hazards of the risk app (较大 with a
    shorter deadline by default), 重大 a major hazard (重大隐患: a rectification plan and a verification)."""

    # Translators: 一般
    GENERAL = "general", pgettext_lazy("severity", "General")
    # Translators: 较大
    SIGNIFICANT = "significant", pgettext_lazy("severity", "Significant")
    # Translators: 重大
    MAJOR = "major", pgettext_lazy("severity", "Major")


# The risk app's hazard level for each severity (risk.choices.HazardLevel values).
HAZARD_LEVEL_OF_SEVERITY = {Severity.GENERAL: "ordinary", Severity.SIGNIFICANT: "ordinary", Severity.MAJOR: "major"}
# The rectification deadline in calendar days when an item names none.
DEFAULT_DEADLINE_DAYS = {Severity.GENERAL: 15, Severity.SIGNIFICANT: 7, Severity.MAJOR: 30}


class InspectionSubject(models.TextChoices):
    """What is inspected. Same names as ``duties.choices.SubjectKind``."""

    VENUE = "venue", _("Venue")
    PERMIT_APPLICATION = "permit_application", _("Large-event permit application")


class Origin(models.TextChoices):
    # Translators: 按责任规则安排
    SCHEDULED = "scheduled", _("Scheduled by a responsibility rule")
    # Translators: 现场发起
    ON_THE_SPOT = "on_the_spot", _("Started on the spot")
    # Translators: 节假日、重大活动前
    KEY_DATE = "key_date", _("Before a key date")


class InspectionState(models.TextChoices):
    """in progress (answers are being filled, parts signed) → completed (every part signed); or cancelled."""

    # Translators: 检查中
    IN_PROGRESS = "in_progress", pgettext_lazy("inspection", "In progress")
    COMPLETED = "completed", pgettext_lazy("inspection", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("inspection", "Cancelled")
