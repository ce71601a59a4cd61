"""The alerts app's tables: alert rules (data the city administrator edits), the alerts raised, and one target
row per person alerted — with when they were told, when they acknowledged, and who was alerted next when they
did not."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.choices import RULE_PARTY_CHOICES, AckChannel, AlertLevel, AlertParty, AlertTrigger
from crowdsafe.common.scoping import ScopedQuerySet


class AlertRule(models.Model):
    """An alert rule (预警规则): when something of a kind happens (``trigger``), which parties are alerted at
    which level, and the reason they are shown. Data, not code, like the responsibility rules: seeded per key
    (migration 0002), edited in the admin, every change logged. Deactivate a rule rather than delete it."""

    key = models.CharField(
        _("key"),
        max_length=80,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", _("Use lower-case letters, digits, _ and dots."))],
        help_text=_("The fixed identifier the platform's services raise the alert with."),
    )
    name = models.CharField(_("name"), max_length=200)
    trigger = models.CharField(_("trigger"), max_length=24, choices=AlertTrigger.choices)
    is_active = models.BooleanField(_("active"), default=True)
    reason = models.TextField(
        _("reason shown"), help_text=_("Why these people are alerted: shown in the alert and on its page.")
    )
    source = models.CharField(_("source"), max_length=255, blank=True, help_text=_("The notice and clause."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class AlertRuleParty(models.Model):
    """One party an alert rule alerts, from a level up (the township from orange, the leader only at red)."""

    rule = models.ForeignKey(AlertRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="parties")
    party = models.CharField(_("party"), max_length=20, choices=RULE_PARTY_CHOICES)
    min_level = models.CharField(_("from level"), max_length=8, choices=AlertLevel.choices, default=AlertLevel.ORANGE)

    class Meta:
        verbose_name = _("alerted party")
        verbose_name_plural = _("alerted parties")
        ordering = ["rule_id", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "party"], name="alerts_rule_party_once")]

    def __str__(self) -> str:
        return f"{self.get_party_display()} ≥ {self.get_min_level_display()}"


class AlertQuerySet(ScopedQuerySet["Alert"]):
    visibility_rule = "alerts.access.alert_visible_q"


class Alert(models.Model):
    """An alert (预警) raised about a subject at a level: sent at once, urgently, on every channel each person has,
    and asking each one to acknowledge. One per (rule, subject, level, exercise): the same level again does not
    alert again; a higher level (orange → red) is a new alert with the red recipients."""

    rule = models.ForeignKey(AlertRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="alerts")
    level = models.CharField(_("level"), max_length=8, choices=AlertLevel.choices)
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject_label = models.CharField(_("subject"), max_length=255)
    subject_url = models.CharField(_("subject link"), max_length=500, blank=True)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=255)
    reason = models.TextField(_("reason"), blank=True)
    exercise = models.BooleanField(_("exercise"), default=False, help_text=_("A drill: marked as such everywhere."))
    # Parties the rule names that nobody could be found for: said on the alert's page (never silent).
    unreached = models.JSONField(_("parties nobody could be found for"), default=list, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "level", "exercise"], name="alerts_alert_once_per_level"
            ),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="alerts_alert_subject_idx"),
            models.Index(fields=["jurisdiction_path"], opclasses=["varchar_pattern_ops"], name="alerts_alert_path_idx"),
        ]

    def __str__(self) -> str:
        return self.title


def new_token() -> str:
    return secrets.token_urlsafe(18)


class AlertTarget(models.Model):
    """One person alerted (预警接收人): when they were told, until when they should acknowledge, when and how
    they did, and — when they did not in time — when the alert was sent again and to whom next (``hop`` 0 for
    the rule's recipients, 1 for the next person up, …; ``escalated_from`` the person they stand in for).

    The acknowledgment link carries ``token``: it acts for this one person only, and only until
    ``token_expires_at`` (see ``alerts.views.acknowledge_by_link``)."""

    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="targets")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="alert_targets"
    )
    party = models.CharField(_("alerted as"), max_length=20, choices=AlertParty.choices)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hop = models.PositiveSmallIntegerField(_("hop"), default=0)
    escalated_from = models.ForeignKey(
        "self",
        verbose_name=_("in place of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    message = models.ForeignKey(
        "notifications.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.CharField(_("link token"), max_length=32, unique=True, default=new_token, editable=False)
    token_expires_at = models.DateTimeField(_("link valid until"))
    notified_at = models.DateTimeField(_("alerted at"))
    ack_due_at = models.DateTimeField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_via = models.CharField(_("acknowledged"), max_length=8, choices=AckChannel.choices, blank=True)
    # Set by the escalation scan once it has re-sent the alert and gone one person up: it is done once.
    escalated_at = models.DateTimeField(_("sent again and passed up at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerted person")
        verbose_name_plural = _("alerted people")
        ordering = ["alert_id", "hop", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alerts_target_once_per_person")]
        indexes = [
            # The escalation scan: unacknowledged, not yet passed up, by due moment.
            models.Index(
                fields=["ack_due_at", "id"],
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
                name="alerts_target_due_idx",
            ),
            models.Index(fields=["user", "-notified_at"], name="alerts_target_user_idx"),
            models.Index(fields=["department", "-notified_at"], name="alerts_target_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.alert} → {self.user}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def seconds_to_acknowledge(self) -> float | None:
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.notified_at).total_seconds()

    def token_valid(self, now: dt.datetime) -> bool:
        return now < self.token_expires_at


class CoverageIssue(models.Model):
    """A recipient coverage gap (接收人缺口) the daily check found: a holder of outstanding tasks whom no reminder
    can reach, or a department whose deliveries failed in the last day. Each open issue is the subject of one
    task for the city administrator (rule ``alerts.coverage_gap``); when the next check finds it fixed, the issue
    is resolved and its task closed."""

    class Kind(models.TextChoices):
        # Translators: 无人可接收提醒
        NO_RECIPIENT = "no_recipient", _("Nobody can receive its reminders")
        # Translators: 近一日有发送失败
        FAILED_DELIVERIES = "failed_deliveries", _("Deliveries failed in the last day")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    township = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("township / street"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Where the holder is (its territory) and its city, whose administrator is given the task.
    place = models.ForeignKey("org.Jurisdiction", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("org.Jurisdiction", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("holder"), max_length=255)
    # "department:12", "township:5", "organisation:3": the holder as one value, for the unique constraint.
    holder_key = models.CharField(_("holder key"), max_length=40, editable=False)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient coverage gap")
        verbose_name_plural = _("recipient coverage gaps")
        ordering = ["-found_at", "id"]
        constraints = [
            # One open issue per holder and kind: the daily check finding it again changes nothing.
            models.UniqueConstraint(
                fields=["kind", "holder_key"],
                condition=Q(resolved_at__isnull=True),
                name="alerts_coverage_issue_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.label}"
