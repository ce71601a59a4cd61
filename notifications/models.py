"""Reminders of task deadlines, the messages they and other apps send, and each delivery over each channel.

The flow, each step a row that says what is due (STYLE.md, "Background work"):

    duties.Task (outstanding, with a due date)
      → Reminder      one per (task, kind, due moment): planned by the scan, claimed for a lease, sent once
      → Message       what is said (one per reminder at most; or one per ``notify`` call from another app)
      → Notification  the in-app inbox row of each recipient (the bell counts the unread ones)
      → Delivery      one per channel and recipient (in-app, email, SMS) or department robot (WeCom, DingTalk)
      → DeliveryAttempt  every attempt, with its outcome and error: the delivery log
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.scoping import ScopedQuerySet
from notifications.choices import (
    AttemptOutcome,
    Channel,
    DeliveryStatus,
    DigestState,
    MessageKind,
    ReminderKind,
    ReminderStatus,
    WebhookProvider,
    WebhookScope,
)


class Reminder(models.Model):
    """A reminder (提醒) of one task's deadline at one moment: "due in 3 working days", "due today", "overdue",
    or an escalation (督办) to the department head or the leader.

    Planned by the minute scan from the tasks themselves (never from a signal of the web request), so a task made
    while the broker was down is found by the next scan. The unique key (task, kind, due moment) makes planning
    idempotent: two scans planning at once insert one row (INSERT … ON CONFLICT DO NOTHING). Sending is guarded by
    the status, the claim token and the one-to-one ``Message.reminder``: a reminder is sent at most once.
    """

    task = models.ForeignKey("duties.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    due_at = models.DateTimeField(_("due at"))
    # The task's due date when this was planned: if the deadline moves, a reminder planned for the old one is
    # skipped rather than sent with a wrong date.
    task_due_date = models.DateField(_("task due date"))
    status = models.CharField(_("status"), max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    claims = models.PositiveSmallIntegerField(_("times claimed"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "due_at"], name="notifications_reminder_once"),
            models.CheckConstraint(
                condition=~Q(status=ReminderStatus.CLAIMED)
                | Q(claim_token__isnull=False, lease_expires_at__isnull=False),
                name="notifications_reminder_claim_has_lease",
            ),
        ]
        indexes = [
            # The claim reads the earliest due waiting reminders, and the claims whose lease has run out.
            models.Index(
                fields=["due_at", "id"], condition=Q(status=ReminderStatus.PENDING), name="notif_reminder_due_idx"
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(status=ReminderStatus.CLAIMED),
                name="notif_reminder_lease_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.task_id} · {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"


class Message(models.Model):
    """A message (消息): what is said, once, to one or more recipients — a reminder of a task, or an alert or notice
    sent by another app through ``notifications.services.notify``. Its text is stored as written (in the site's
    language), so the inbox and the log show exactly what went out."""

    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    # At most one message per reminder: the database's own guard that a reminder is never sent twice.
    reminder = models.OneToOneField(
        Reminder, verbose_name=_("reminder"), null=True, blank=True, on_delete=models.CASCADE, related_name="message"
    )
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject_label = models.CharField(_("subject"), max_length=255, blank=True)
    # The department the message concerns (the task's holder, the alerted department): whose heads see it in
    # the delivery log.
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="notif_message_subject_idx")]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """One recipient's copy of a message in the in-app notification centre (站内通知); unread until opened."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digest_state = models.CharField(
        _("digest"), max_length=8, choices=DigestState.choices, default=DigestState.NONE, blank=True
    )
    digest_message = models.ForeignKey(
        Message,
        verbose_name=_("digest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digested",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient"], name="notifications_notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_inbox_idx"),
            # The bell: a count of one user's unread rows, from a small partial index.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_unread_idx"),
            models.Index(
                fields=["recipient"], condition=Q(digest_state=DigestState.PENDING), name="notif_digest_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.message_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DepartmentWebhook(models.Model):
    """A department's group robot (群机器人) in WeCom (企业微信) or DingTalk (钉钉): messages about the department
    are posted to its group. DingTalk robots with the "加签" security setting need the secret (SEC…); those with
    "custom keywords" need one of the keywords in every message (``keyword`` is put in front of each)."""

    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="webhooks"
    )
    name = models.CharField(_("name"), max_length=64, help_text=_("e.g. 值班群 (duty group)"))
    provider = models.CharField(_("provider"), max_length=10, choices=WebhookProvider.choices)
    url = models.URLField(
        _("webhook address"),
        max_length=500,
        help_text=_(
            "WeCom: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; "
            "DingTalk: https://oapi.dingtalk.com/robot/send?access_token=…"
        ),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        blank=True,
        help_text=_("DingTalk only, when the robot uses signing (加签): the secret starting with SEC."),
    )
    keyword = models.CharField(
        _("keyword"),
        max_length=32,
        blank=True,
        help_text=_("DingTalk only, when the robot uses custom keywords: one of them, put in front of each message."),
    )
    scope = models.CharField(_("posts"), max_length=12, choices=WebhookScope.choices, default=WebhookScope.ESCALATIONS)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["department_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="notifications_webhook_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"


class DeliveryQuerySet(ScopedQuerySet["Delivery"]):
    visibility_rule = "notifications.access.delivery_visible_q"


class Delivery(models.Model):
    """One delivery (送达) of a message over one channel to one recipient — a person (in-app, email, SMS) or a
    department's group robot — with its state, attempts and last error. Rows are claimed for a lease before an
    attempt, so two workers never send one delivery at once; transient failures are tried again later."""

    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    webhook = models.ForeignKey(
        DepartmentWebhook,
        verbose_name=_("group robot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    # Who and where at the time (a person's name, a robot's name; an email address, a phone number, a host).
    recipient_label = models.CharField(_("to"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel", "recipient"],
                condition=Q(recipient__isnull=False),
                name="notifications_delivery_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["message", "webhook"],
                condition=Q(webhook__isnull=False),
                name="notifications_delivery_once_per_robot",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.CLAIMED)
                | Q(claim_token__isnull=False, lease_expires_at__isnull=False),
                name="notifications_delivery_claim_has_lease",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="notif_delivery_due_idx",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(status=DeliveryStatus.CLAIMED),
                name="notif_delivery_lease_idx",
            ),
            # The delivery log: a department's deliveries, newest first; and a person's own.
            models.Index(fields=["department", "-created_at", "-id"], name="notif_delivery_dept_idx"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_delivery_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_label}: {self.get_status_display()}"


class DeliveryAttempt(models.Model):
    """One attempt at a delivery (发送记录): when, the outcome, and the channel's answer or error."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=AttemptOutcome.choices)
    response = models.CharField(_("answer"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="notifications_attempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.get_outcome_display()}"


def default_digest_time() -> dt.time:
    return dt.time(8, 30)


class NotificationPreference(models.Model):
    """A person's notification settings (通知设置): channels, quiet hours (免打扰时段) and the daily digest.

    Urgent messages (red-level alerts, escalations to leaders) ignore quiet hours and the digest and always go
    out on email and SMS where the person has an address. A person without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("email"), default=True)
    sms_enabled = models.BooleanField(_("SMS"), default=False)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest = models.BooleanField(_("daily digest of reminders"), default=False)
    digest_time = models.TimeField(_("digest time"), default=default_digest_time)
    last_digest_at = models.DateTimeField(_("last digest"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)
