"""Safety inspections with checklists (安全检查): checklist templates as data, versioned, and the inspections filled
from them (issue 21 points 1, 2 and 6).

- ``ChecklistTemplate`` (检查表): for a kind of venue, a kind of large event, or the pre-event inspection of a
  permitted event; in ``ChecklistSection`` s of ``ChecklistItem`` s. A template is versioned: editing one that an
  inspection has used makes a new version (``templates.template_revise``), and the inspection keeps pointing at the
  version it was filled from, so its record never changes under it.
- ``Inspection`` (安全检查) of a venue or of a permit application, scheduled by a responsibility rule or started on
  the spot; its ``InspectionAnswer`` s (one per item) with photos, the device's position and time; its
  ``InspectionPart`` s, one per department taking part in a joint inspection (联合检查), each signed.
- ``Submission``: the idempotency key of one batch of answers sent by a phone (possibly long after it was filled
  offline): the server applies a key once and answers a repeat with the stored result.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crowdsafe.common.files import StoredFile, UploadTo, UploadValidator
from crowdsafe.common.scoping import ScopedQuerySet
from inspections.choices import (
    Answer,
    AnswerKind,
    InspectionState,
    InspectionSubject,
    Origin,
    Severity,
    TemplateScope,
    ThresholdKind,
)
from permits.choices import EventKind
from venues.choices import VenueKind


class ChecklistTemplate(models.Model):
    """A checklist template (安全检查表), one version of it. ``code`` names the template across its versions
    ("venue.commercial", "pre_event"); exactly one version of a code is current (the one new inspections use)."""

    code = models.CharField(_("code"), max_length=64)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    name = models.CharField(_("name"), max_length=128)
    scope = models.CharField(_("used for"), max_length=16, choices=TemplateScope.choices)
    venue_kind = models.CharField(_("kind of venue"), max_length=20, choices=VenueKind.choices, blank=True)
    event_kind = models.CharField(_("kind of event"), max_length=16, choices=EventKind.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="inspections_template_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="inspections_template_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version_label}）"

    @property
    def version_label(self) -> str:
        return f"V{self.version}"


class ChecklistSection(models.Model):
    """A section of a checklist (检查项目), e.g. 安全出口与疏散通道. ``department_kind``: the department that
    checks it in a joint inspection (the fire brigade the fire equipment), empty when anyone does."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=128)
    department_kind = models.CharField(_("checked by (kind of department)"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")
        ordering = ["template_id", "order", "id"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One item to check (检查内容), answered yes / no / not applicable or with a number against a threshold;
    with its basis (依据: a regulation article or a standard), whether a photo is required, and how serious it is
    when it fails (and so the hazard's level and deadline). ``key`` names the item across versions."""

    section = models.ForeignKey(
        ChecklistSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="items"
    )
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    key = models.CharField(_("item key"), max_length=64)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("item"), max_length=255)
    answer_kind = models.CharField(_("answer"), max_length=8, choices=AnswerKind.choices, default=AnswerKind.YES_NO)
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2, null=True, blank=True)
    threshold_kind = models.CharField(
        _("compared as"), max_length=10, choices=ThresholdKind.choices, default=ThresholdKind.AT_LEAST
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    photo_required = models.BooleanField(_("photo required"), default=False)
    basis = models.CharField(_("basis"), max_length=255)
    severity = models.CharField(_("severity if failed"), max_length=12, choices=Severity.choices)
    deadline_days = models.PositiveSmallIntegerField(_("rectification deadline (days)"), null=True, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template_id", "section__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="inspections_item_key_unique")]

    def __str__(self) -> str:
        return self.text

    def passes(self, *, answer: str, number: Decimal | None) -> bool | None:
        """Whether an answer passes: None when it does not count (not applicable, not answered)."""
        if self.answer_kind == AnswerKind.NUMBER:
            if number is None:
                return None
            if self.threshold is None:
                return True
            if self.threshold_kind == ThresholdKind.AT_MOST:
                return number <= self.threshold
            return number >= self.threshold
        if answer == Answer.YES:
            return True
        if answer == Answer.NO:
            return False
        return None


class InspectionQuerySet(ScopedQuerySet["Inspection"]):
    visibility_rule = "inspections.access.inspection_visible_q"


class Inspection(models.Model):
    """A safety inspection (安全检查) of a venue or of a permitted event, filled from one version of a checklist
    template. Denormalised for scoping and the analytics: the place (``jurisdiction_path``, ``township``), the
    responsible unit (``organisation``), the kind of venue."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="inspections"
    )
    subject_type = models.CharField(_("subject type"), max_length=32, choices=InspectionSubject.choices)
    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    application = models.ForeignKey(
        "permits.PermitApplication",
        verbose_name=_("permit application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_inspections",
    )
    subject_label = models.CharField(_("inspected"), max_length=255)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    township = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    venue_kind = models.CharField(_("kind of venue"), max_length=20, choices=VenueKind.choices, blank=True)
    origin = models.CharField(_("how it started"), max_length=12, choices=Origin.choices)
    rule_key = models.CharField(_("responsibility rule"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=InspectionState.choices, default=InspectionState.IN_PROGRESS
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    lead_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    failed_count = models.PositiveSmallIntegerField(_("failed items"), default=0)
    answered_count = models.PositiveSmallIntegerField(_("answered items"), default=0)
    # Where and when the phone was when the answers were taken (the last batch), as the device said.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    device_time = models.DateTimeField(_("time on the device"), null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction_path"], opclasses=["varchar_pattern_ops"], name="inspections_path_idx"),
            models.Index(fields=["state", "due_on"], name="inspections_state_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} · {self.template.name}"

    @property
    def is_open(self) -> bool:
        return self.state == InspectionState.IN_PROGRESS

    @property
    def subject(self) -> models.Model | None:  # the venue or the permit application
        return self.venue if self.subject_type == InspectionSubject.VENUE else self.application


class InspectionPart(models.Model):
    """One department's part of a joint inspection (联合检查): the sections of its kind (all of them when the
    inspection has one part), signed (签字确认) by one of its people."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="parts"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    note = models.TextField(pgettext_lazy("inspection", "opinion"), blank=True)

    class Meta:
        verbose_name = _("inspection part")
        verbose_name_plural = _("inspection parts")
        ordering = ["inspection_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "department"], name="inspections_part_unique"),
        ]

    def __str__(self) -> str:
        return str(self.department)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class InspectionAnswer(models.Model):
    """The answer to one item of an inspection, with the device's position and time, and the hazard it became."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="answers")
    answer = models.CharField(_("answer"), max_length=4, choices=Answer.choices, blank=True)
    number = models.DecimalField(_("number"), max_digits=10, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("received at"), auto_now=True)
    device_time = models.DateTimeField(_("time on the device"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    hazard = models.OneToOneField(
        "risk.Hazard", verbose_name=_("hazard"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection answer")
        verbose_name_plural = _("inspection answers")
        ordering = ["inspection_id", "item__section__order", "item__order", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspections_answer_unique")]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_answer_display() or self.number}"


class AnswerPhoto(StoredFile):
    """A photo taken for an answer; checked as an upload of kind "photo", served only through the scoped view."""

    upload_prefix = "inspections"

    answer = models.ForeignKey(
        InspectionAnswer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.ImageField(_("photo"), upload_to=UploadTo(), max_length=255, validators=[UploadValidator("photo")])
    content_type = None  # type: ignore[assignment]  # a photo keeps no type: it is an image by its check

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["answer_id", "id"]


class Submission(models.Model):
    """One batch of answers sent by a phone, known by the key the phone made for it (a UUID) when it was filled.
    A phone that lost the server's reply sends the same key again; the unique key makes the second one a no-op
    that answers with the stored ``result``."""

    key = models.UUIDField(_("idempotency key"), unique=True)
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="submissions"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    result = models.JSONField(_("result"), default=dict)

    class Meta:
        verbose_name = _("answer submission")
        verbose_name_plural = _("answer submissions")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return str(self.key)
