"""Choices of the official-documents app: the document kinds (文种) and a document's status."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeKind(models.TextChoices):
    """The kinds of official document (文种) the platform issues. Each has its template under
    ``templates/notices/documents/<value>.html`` and its own number sequence per issuer and year."""

    # Translators: 大型群众性活动安全许可决定书
    PERMIT_APPROVAL = "permit_approval", _("Large-event safety permit decision")
    # Translators: 不予安全许可决定书
    PERMIT_REFUSAL = "permit_refusal", _("Decision refusing a safety permit")
    # Translators: 受理通知书
    ACCEPTANCE = "acceptance", _("Notice of acceptance")
    # Translators: 不予受理通知书
    NON_ACCEPTANCE = "non_acceptance", _("Notice of non-acceptance")
    # Translators: 补正通知书
    CORRECTION = "correction", _("Notice to supplement or correct materials")
    # Translators: 责令整改通知书
    RECTIFICATION_ORDER = "rectification_order", _("Rectification order")
    # Translators: 任务交办单
    TASK_ASSIGNMENT = "task_assignment", _("Task assignment sheet")
    # Translators: 演练通知
    DRILL_NOTICE = "drill_notice", _("Drill notice")
    # Translators: 情况报告（突发事件现场态势研判）
    SITUATION_REPORT = "situation_report", _("Situation report")
    # Translators: 安全形势简报（领导驾驶舱每周简报）
    WEEKLY_BRIEFING = "weekly_briefing", _("Weekly safety briefing")
    # Translators: 安全检查记录
    INSPECTION_RECORD = "inspection_record", _("Safety inspection record")


class NoticeStatus(models.TextChoices):
    """An issued document stays issued until it is revoked (撤销); it is never edited or deleted."""

    ISSUED = "issued", pgettext_lazy("document status", "Issued")
    REVOKED = "revoked", pgettext_lazy("document status", "Revoked")
