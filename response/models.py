"""Incidents and on-site command (应急响应与现场指挥), issue 16.

Reference data (editable in the admin, seeded by migration 0002): ``IncidentLevel`` (IV 一般 … I 特别重大, each
with the plan level whose measures it activates and the alert level it is sent at), ``ResponseTier`` (grid →
township → county → city → province desk) and ``MeasureRouting`` (which kind of department carries out a plan
measure). Records: the ``Incident`` with its command handovers, plan activations and the measures they made,
forces, position log and situation reports, requests for a higher-level response, and public reports
(110/12345 tickets and the public page).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.files import StoredFile, UploadTo, UploadValidator
from crowdsafe.common.scoping import ScopedQuerySet
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel
from response.choices import (
    EscalationStatus,
    ForceKind,
    ForceState,
    IncidentSource,
    IncidentStatus,
    MeasureStatus,
    ReportChannel,
    ReportStatus,
)

PLAN_LEVELS = [("blue", "blue"), ("yellow", "yellow"), ("orange", "orange"), ("red", "red")]
ALERT_LEVELS = [("orange", "orange"), ("red", "red")]


class IncidentLevel(models.Model):
    """A response level (响应等级): IV 一般, III 较大, II 重大, I 特别重大. Data: ``rank`` orders them (1 = IV),
    ``plan_level`` is the alert level of the plan measures it activates, ``alert_level`` the level its urgent
    alerts are sent at."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=32)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    plan_level = models.CharField(_("plan measures of level"), max_length=8, choices=PLAN_LEVELS)
    alert_level = models.CharField(_("alerts sent at"), max_length=8, choices=ALERT_LEVELS)

    class Meta:
        verbose_name = _("response level")
        verbose_name_plural = _("response levels")
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.code}级（{self.name}）"


class ResponseTier(models.Model):
    """A level of command (响应层级) a response can move up to: grid → township → county → city → province desk.
    ``jurisdiction_level`` is the jurisdiction level whose people command at this tier; the province desk has none
    (the city's on-duty people receive and record its answer)."""

    key = models.CharField(_("key"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=64)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    jurisdiction_level = models.CharField(
        _("jurisdiction level"), max_length=16, choices=JurisdictionLevel.choices, blank=True
    )

    class Meta:
        verbose_name = _("response tier")
        verbose_name_plural = _("response tiers")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class MeasureRouting(models.Model):
    """Which kind of department carries out a plan measure: the first row (by position) whose keyword appears in
    the measure's "who does it" and whose measure kind matches (blank: any). Data, so the city re-routes."""

    position = models.PositiveSmallIntegerField(_("order"), default=0)
    keyword = models.CharField(_("keyword in 'who does it'"), max_length=32, blank=True)
    measure_kind = models.CharField(_("measure kind"), max_length=20, blank=True)
    department_kind = models.CharField(_("department kind"), max_length=32, choices=DepartmentKind.choices)

    class Meta:
        verbose_name = _("measure routing")
        verbose_name_plural = _("measure routings")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.keyword or '*'} / {self.measure_kind or '*'} → {self.get_department_kind_display()}"


class IncidentQuerySet(ScopedQuerySet["Incident"]):
    visibility_rule = "response.access.incident_visible_q"


class Incident(models.Model):
    """An incident (突发事件/应急处置): a crowd situation being responded to, with its level, place, the gathering,
    event and zones concerned, and a commander (现场指挥员). ``jurisdiction`` is where it happens (and who keeps
    seeing it); ``command_jurisdiction`` and ``tier`` say which level commands now (moved up by an accepted
    higher-level response)."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    source = models.CharField(_("opened from"), max_length=16, choices=IncidentSource.choices)
    level = models.ForeignKey(IncidentLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    command_jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("commanded from"), on_delete=models.PROTECT, related_name="+"
    )
    command_path = models.CharField(_("command path"), max_length=255, editable=False)
    tier = models.ForeignKey(ResponseTier, verbose_name=_("response tier"), on_delete=models.PROTECT, related_name="+")
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("commander"), on_delete=models.PROTECT, related_name="+"
    )
    gathering = models.ForeignKey(
        "events.Gathering",
        verbose_name=_("gathering"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    application = models.ForeignKey(
        "permits.PermitApplication",
        verbose_name=_("permitted event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    monitoring_alert = models.ForeignKey(
        "monitoring.MonitoringAlert",
        verbose_name=_("monitoring alert"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    zones = models.ManyToManyField("monitoring.Zone", verbose_name=_("zones"), blank=True, related_name="+")
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("what is happening"), blank=True)
    exercise = models.BooleanField(_("exercise"), default=False)
    report_every_minutes = models.PositiveSmallIntegerField(
        _("situation report every (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    next_report_due_at = models.DateTimeField(_("next situation report due"), null=True, blank=True)
    report_reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction_path"], opclasses=["varchar_pattern_ops"], name="response_inc_path_idx"),
            models.Index(fields=["status", "next_report_due_at"], name="response_inc_report_due_idx"),
        ]
        constraints = [
            # One open incident per gathering and per monitoring alert: a second "open" finds the first.
            models.UniqueConstraint(
                fields=["gathering"],
                condition=Q(status="open", gathering__isnull=False),
                name="response_one_per_gathering",
            ),
            models.UniqueConstraint(
                fields=["monitoring_alert"],
                condition=Q(status="open", monitoring_alert__isnull=False),
                name="response_one_per_monitoring_alert",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(summary="")),
                name="response_closed_has_summary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("response:incident", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN

    def report_overdue(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.next_report_due_at is not None and self.next_report_due_at <= now


class CommandHandover(models.Model):
    """A handover of command (指挥权移交): from whom to whom, when and why (also a move up or down a tier)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("command handover")
        verbose_name_plural = _("command handovers")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.from_user_id} → {self.to_user_id}"


class PlanActivation(models.Model):
    """A plan activated (启动预案) for an incident at a level: its measures of that level became tasks."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="activations")
    plan = models.ForeignKey("drills.EmergencyPlan", verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(IncidentLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why this plan"), blank=True)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    activated_at = models.DateTimeField(_("activated at"), default=timezone.now)

    class Meta:
        verbose_name = _("plan activation")
        verbose_name_plural = _("plan activations")
        ordering = ["activated_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "plan", "level"], name="response_activation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.level}"


class IncidentMeasure(models.Model):
    """One plan measure to carry out now (处置措施): made when a plan is activated, a task of its department due
    in minutes (duties rule ``response.incident_measure``), sent as an urgent alert; done when the department
    reports it done (then also a crowd-control measure on the gathering)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="measures")
    activation = models.ForeignKey(PlanActivation, on_delete=models.CASCADE, related_name="measures")
    plan_measure = models.ForeignKey("drills.PlanMeasure", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("measure"), max_length=20)
    kind_label = models.CharField(_("measure"), max_length=64)
    action = models.TextField(_("what is done"))
    responsible = models.CharField(_("who does it (plan)"), max_length=200, blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    routing_reason = models.CharField(_("why this department"), max_length=255, blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.PENDING)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    gathering_measure_id = models.PositiveBigIntegerField(null=True, blank=True)
    jurisdiction_path = models.CharField(max_length=255, editable=False)

    class Meta:
        verbose_name = _("incident measure")
        verbose_name_plural = _("incident measures")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.action[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("response:incident", args=[self.incident_id]) + f"#measure-{self.pk}"


class Force(models.Model):
    """A force (力量) requested from a department: how many were asked for, how many arrived, and its state with
    the time of each step (requested → dispatched → on scene → released)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="forces")
    kind = models.CharField(_("force"), max_length=12, choices=ForceKind.choices)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("from department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    requested_count = models.PositiveIntegerField(_("requested"), validators=[MinValueValidator(1)])
    arrived_count = models.PositiveIntegerField(_("arrived"), default=0)
    state = models.CharField(_("state"), max_length=12, choices=ForceState.choices, default=ForceState.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("force")
        verbose_name_plural = _("forces")
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ×{self.requested_count}"


class LogEntry(models.Model):
    """An entry of the position log (现场日志): who, what, where, when; photos from phones."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="log_entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    author_label = models.CharField(max_length=128)
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.TextField(_("what"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    significant = models.BooleanField(_("significant event"), default=False)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.text[:80]


class LogPhoto(StoredFile):
    """A photo attached to a log entry (checked as an upload of kind "photo")."""

    upload_prefix = "response/photos"

    entry = models.ForeignKey(LogEntry, on_delete=models.CASCADE, related_name="photos")
    file = models.ImageField(_("photo"), upload_to=UploadTo(), max_length=255, validators=[UploadValidator("photo")])

    class Meta:
        verbose_name = _("log photo")
        verbose_name_plural = _("log photos")


class SituationReport(models.Model):
    """A situation report (态势研判 / 情况报告) on the template: situation, measures, forces, needs, next steps;
    numbered per incident, issued as a numbered 情况报告 through notices."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    sequence = models.PositiveSmallIntegerField(_("report no."))
    situation = models.TextField(_("situation"))
    measures = models.TextField(_("measures taken"))
    forces = models.TextField(_("forces"))
    needs = models.TextField(_("needs"), blank=True)
    next_steps = models.TextField(_("next steps"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    notice = models.ForeignKey("notices.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["incident", "sequence"], name="response_report_sequence")]

    def __str__(self) -> str:
        return f"{self.incident.number} 第{self.sequence}期"

    def get_absolute_url(self) -> str:
        return reverse("response:incident", args=[self.incident_id]) + "#reports"


class EscalationRequest(models.Model):
    """A request for a higher-level response (提级响应): from a tier to the next one up; its on-duty people get an
    urgent alert; on acceptance command moves up. ``window`` is the time from request to acceptance (窗口期)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="escalations")
    from_tier = models.ForeignKey(ResponseTier, on_delete=models.PROTECT, related_name="+")
    to_tier = models.ForeignKey(ResponseTier, on_delete=models.PROTECT, related_name="+")
    from_jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    to_jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    to_path = models.CharField(max_length=255, editable=False)
    reason = models.TextField(_("why the forces on site are not enough"))
    status = models.CharField(max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    previous_commander = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("higher-level response request")
        verbose_name_plural = _("higher-level response requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"], condition=Q(status="pending"), name="response_one_pending_escalation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident.number} → {self.to_tier}"

    def get_absolute_url(self) -> str:
        return reverse("response:incident", args=[self.incident_id]) + "#escalations"

    @property
    def window(self) -> dt.timedelta | None:
        return self.accepted_at - self.requested_at if self.accepted_at else None


def new_ticket() -> str:
    return "W" + timezone.localdate().strftime("%y%m%d") + secrets.token_hex(3).upper()


class PublicReportQuerySet(ScopedQuerySet["PublicReport"]):
    visibility_rule = "response.access.report_visible_q"


class PublicReport(models.Model):
    """A report from the public (群众报告): a 110/12345 ticket pushed by a dispatch system, or a report from the
    public page. ``caller_phone`` is shown masked; revealing it is logged. ``first_action_at`` is when staff first
    acted on it (linked it, made a gathering of it, or found nothing to do): the time to first action."""

    ticket_number = models.CharField(_("ticket number"), max_length=40, unique=True, default=new_ticket)
    channel = models.CharField(_("channel"), max_length=8, choices=ReportChannel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    place_text = models.CharField(_("place"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=20, blank=True)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(max_length=255, editable=False)
    township = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("township"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED)
    gathering = models.ForeignKey("events.Gathering", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="reports_linked"
    )
    answer = models.CharField(_("answer to the caller"), max_length=200, blank=True)
    first_action_at = models.DateTimeField(_("first action at"), null=True, blank=True)
    first_action_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = PublicReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-received_at", "-id"]
        permissions = [("push_ticket", "Push 110/12345 tickets (dispatch systems)")]
        indexes = [
            models.Index(fields=["jurisdiction_path"], opclasses=["varchar_pattern_ops"], name="response_rep_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.ticket_number}"

    def get_absolute_url(self) -> str:
        return reverse("response:report-detail", args=[self.pk])

    @property
    def coordinates(self) -> tuple[Any, Any] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude
