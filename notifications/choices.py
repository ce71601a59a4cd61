"""Choices of the notifications app: reminder kinds and states, message kinds, channels and delivery states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    """What a reminder says about its task's deadline. Escalations are one-off; the others recur by date."""

    # Translators: 到期前提醒
    BEFORE = "before", _("Due soon")
    # Translators: 当日到期提醒
    DUE = "due", _("Due today")
    # Translators: 逾期提醒 (every working day while overdue)
    OVERDUE = "overdue", _("Overdue")
    # Translators: 督办：提请部门负责人
    ESCALATE_HEAD = "escalate_head", _("Escalated to the department head")
    # Translators: 督办：提请属地领导
    ESCALATE_LEADER = "escalate_leader", _("Escalated to the leader")


ESCALATIONS = (ReminderKind.ESCALATE_HEAD, ReminderKind.ESCALATE_LEADER)
# Kinds that replace one another: only the latest of them is worth sending (see ``reminders_send``).
RECURRING = (ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.OVERDUE)


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")


class MessageKind(models.TextChoices):
    """What a message is: a reminder (by its reminder's kind), an alert or notice from another app, a digest."""

    REMINDER_BEFORE = "reminder_before", _("Deadline reminder")
    REMINDER_DUE = "reminder_due", _("Due today")
    REMINDER_OVERDUE = "reminder_overdue", _("Overdue reminder")
    ESCALATION_HEAD = "escalation_head", _("Escalation to the department head")
    ESCALATION_LEADER = "escalation_leader", _("Escalation to the leader")
    # Translators: 预警 (e.g. a red-level gathering)
    ALERT = "alert", _("Alert")
    # Translators: 通知
    NOTICE = "notice", _("Notice")
    # Translators: 每日汇总
    DIGEST = "digest", _("Daily digest")
    TEST = "test", _("Test message")


REMINDER_MESSAGE_KIND = {
    ReminderKind.BEFORE: MessageKind.REMINDER_BEFORE,
    ReminderKind.DUE: MessageKind.REMINDER_DUE,
    ReminderKind.OVERDUE: MessageKind.REMINDER_OVERDUE,
    ReminderKind.ESCALATE_HEAD: MessageKind.ESCALATION_HEAD,
    ReminderKind.ESCALATE_LEADER: MessageKind.ESCALATION_LEADER,
}
# Non-urgent reminders may wait for a user's daily digest.
DIGESTIBLE_KINDS = (MessageKind.REMINDER_BEFORE, MessageKind.REMINDER_DUE, MessageKind.REMINDER_OVERDUE)


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    # Translators: 企业微信群机器人
    WECOM = "wecom", _("WeCom group robot")
    # Translators: 钉钉群机器人
    DINGTALK = "dingtalk", _("DingTalk group robot")


EXTERNAL_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WECOM, Channel.DINGTALK)


class DeliveryStatus(models.TextChoices):
    """Where one delivery stands. ``delivered`` means a real channel accepted it (the SMTP server, the robot's API
    with errcode 0, the SMS gateway, or the in-app inbox); ``logged`` means a development backend wrote it to the
    console or a file, which is never reported as delivered."""

    PENDING = "pending", _("Waiting")
    CLAIMED = "claimed", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    LOGGED = "logged", _("Logged only (development backend)")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


OPEN_DELIVERY_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED)


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    LOGGED = "logged", _("Logged only")
    TRANSIENT = "transient", _("Temporary failure")
    PERMANENT = "permanent", _("Permanent failure")
    # The worker stopped while sending (its lease expired): whether the channel got it is unknown.
    INTERRUPTED = "interrupted", _("Interrupted")


class WebhookProvider(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk (钉钉)")


class WebhookScope(models.TextChoices):
    """Which of a department's messages its group robot posts."""

    ESCALATIONS = "escalations", _("Escalations and urgent alerts only")
    ALL = "all", _("Every reminder, escalation and alert")


class DigestState(models.TextChoices):
    NONE = "", _("Not in a digest")
    PENDING = "pending", _("Waiting for the daily digest")
    SENT = "sent", _("Sent in a digest")
