"""Emergency plans, their versions and measures, drills and their after-action items (应急预案与演练)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from crowdsafe.common.files import StoredFile, UploadValidator, upload_to
from crowdsafe.common.scoping import ScopedQuerySet
from drills.choices import (
    AlertLevel,
    DrillForm,
    DrillStatus,
    GatheringKind,
    ItemStatus,
    MeasureKind,
    OwnerKind,
    PlanKind,
    ScopeKind,
    VersionSource,
)
from duties.services.tasks import add_months

MINUTES = [MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1440"))]


class EmergencyPlanQuerySet(ScopedQuerySet["EmergencyPlan"]):
    visibility_rule = "drills.access.plan_visible_q"


class EmergencyPlan(models.Model):
    """An emergency plan (应急预案): overall (总体/综合), special (专项) or on-site disposal (现场处置方案).

    Kept by its owner — a department, a township/street, a venue operator or an event organizer — and about a
    scope: a venue, an event (a large-event permit application), a kind of spontaneous gathering in a territory
    ("有组织活动有预案，无组织活动也要有预案"), or a whole jurisdiction. It prescribes, by alert level, who does
    what (``PlanMeasure``), lists its contacts and on-duty numbers (``PlanContact``), and sets the evacuation
    time its drills are measured against. The document itself lives in its versions (``PlanVersion``); each
    revision after a drill (演练—评估—修订) is a new version with a summary of the changes.

    ``jurisdiction`` is the plan's territory (the venue's grid, the event venue's grid, the territory of the
    gathering kind, or the jurisdiction itself); ``jurisdiction_path`` copies its path for territorial scoping.
    ``last_drilled_on`` is the date of the latest drill held, kept by the drill services.
    """

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of plan"), max_length=16, choices=PlanKind.choices)
    owner_kind = models.CharField(_("owner"), max_length=16, choices=OwnerKind.choices)
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("owning department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    owner_jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("owning township / street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_emergency_plans",
    )
    owner_organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("owning organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    scope_kind = models.CharField(_("scope"), max_length=16, choices=ScopeKind.choices)
    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    # The permit application of an event plan (the "permits ↔ drills" contract; read through drills.permits).
    application = models.ForeignKey(
        "permits.PermitApplication",
        verbose_name=_("permit application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    gathering_kind = models.CharField(
        _("kind of spontaneous gathering"), max_length=24, choices=GatheringKind.choices, blank=True
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("territory"), on_delete=models.PROTECT, related_name="emergency_plans"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    summary = models.TextField(_("purpose and scope"), blank=True)
    evacuation_target_minutes = models.DecimalField(
        _("evacuation-time target (minutes)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=MINUTES,
        help_text=_("The time within which everyone should be out; drills are measured against it."),
    )
    review_due = models.DateField(_("next review"), null=True, blank=True)
    drill_interval_months = models.PositiveSmallIntegerField(
        _("drill at least every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Empty for an event plan: it is drilled at least once before the event."),
    )
    is_active = models.BooleanField(_("in force"), default=True)
    current_version = models.PositiveSmallIntegerField(_("current version"), default=0, editable=False)
    last_drilled_on = models.DateField(_("last drilled on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EmergencyPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["jurisdiction_path"], name="drills_plan_path_like", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        owner_kind=OwnerKind.DEPARTMENT,
                        owner_department__isnull=False,
                        owner_jurisdiction__isnull=True,
                        owner_organisation__isnull=True,
                    )
                    | Q(
                        owner_kind=OwnerKind.TOWNSHIP,
                        owner_department__isnull=True,
                        owner_jurisdiction__isnull=False,
                        owner_organisation__isnull=True,
                    )
                    | Q(
                        owner_kind__in=[OwnerKind.VENUE_OPERATOR, OwnerKind.ORGANIZER],
                        owner_department__isnull=True,
                        owner_jurisdiction__isnull=True,
                        owner_organisation__isnull=False,
                    )
                ),
                name="drills_plan_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope_kind=ScopeKind.VENUE, venue__isnull=False)
                    | Q(scope_kind=ScopeKind.EVENT, application_id__isnull=False)
                    | (Q(scope_kind=ScopeKind.GATHERING_KIND) & ~Q(gathering_kind=""))
                    | Q(scope_kind=ScopeKind.JURISDICTION)
                ),
                name="drills_plan_scope_complete",
            ),
            # One plan in force per event: importing the application's plan again adds a version instead.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(is_active=True, application_id__isnull=False),
                name="drills_plan_one_active_per_application",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        """The department, township or organisation that keeps the plan."""
        return self.owner_department or self.owner_jurisdiction or self.owner_organisation

    @property
    def next_drill_due(self) -> datetime.date | None:
        """The last drill plus the interval; None when never drilled or drilled once before an event."""
        if self.drill_interval_months is None or self.last_drilled_on is None:
            return None
        return add_months(self.last_drilled_on, self.drill_interval_months)

    def drilled_in_time(self, today: datetime.date) -> bool:
        """Drilled within its interval as of ``today`` (an event plan: drilled at all)."""
        if self.last_drilled_on is None:
            return False
        due = self.next_drill_due
        return due is None or due >= today

    @property
    def scope_label(self) -> str:
        if self.scope_kind == ScopeKind.VENUE and self.venue_id:
            return str(self.venue)
        if self.scope_kind == ScopeKind.GATHERING_KIND:
            return f"{self.jurisdiction} · {self.get_gathering_kind_display()}"
        if self.scope_kind == ScopeKind.EVENT and self.application_id:
            return str(getattr(self.application, "event_name", "") or self.application)
        return str(self.jurisdiction)


class PlanVersion(StoredFile):
    """One version of a plan's document (预案版本): the file, its checksum and what changed since the last one.
    Versions are never replaced: a revision after a drill is a new number. Checked as an upload of kind "plan"."""

    upload_prefix = "drills/plans"

    plan = models.ForeignKey(EmergencyPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    summary_of_changes = models.TextField(_("summary of changes"))
    source = models.CharField(_("source"), max_length=20, choices=VersionSource.choices, default=VersionSource.UPLOAD)
    source_material_id = models.PositiveBigIntegerField(_("application material"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="drills_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class PlanMeasure(models.Model):
    """What the plan prescribes at an alert level (分级响应措施): the trigger, the measure (远端控制、分流限流、
    疏出阻入、单向通行, evacuation route, medical point) and who carries it out."""

    plan = models.ForeignKey(EmergencyPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="measures")
    alert_level = models.CharField(_("alert level"), max_length=8, choices=AlertLevel.choices)
    kind = models.CharField(_("measure"), max_length=20, choices=MeasureKind.choices)
    trigger = models.CharField(_("trigger"), max_length=255, blank=True)
    action = models.TextField(_("what is done"))
    responsible = models.CharField(_("who does it"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")
        ordering = ["plan_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_alert_level_display()} · {self.get_kind_display()}"


class PlanContact(models.Model):
    """A contact of the plan (应急联系人) with the phone numbers that answer day and night (值班电话)."""

    plan = models.ForeignKey(EmergencyPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(_("role in the plan"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    duty_phone = models.CharField(_("on-duty phone"), max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("plan contact")
        verbose_name_plural = _("plan contacts")
        ordering = ["plan_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class DrillQuerySet(ScopedQuerySet["Drill"]):
    visibility_rule = "drills.access.drill_visible_q"


class Drill(models.Model):
    """A drill of an emergency plan (应急演练): planned (date, scenario, who takes part, public participation),
    then held and recorded (what happened, participants, duration, the evacuation time measured against the
    plan's target, photos, problems found), or cancelled. A drill held without being planned is recorded as
    held at once. ``on_date`` is the day the calendar shows it on: the planned day, then the day it was held."""

    plan = models.ForeignKey(EmergencyPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="drills")
    status = models.CharField(_("status"), max_length=16, choices=DrillStatus.choices, default=DrillStatus.PLANNED)
    form = models.CharField(_("form"), max_length=16, choices=DrillForm.choices, default=DrillForm.FUNCTIONAL)
    scenario = models.TextField(_("scenario"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    scheduled_for = models.DateTimeField(_("planned for"), null=True, blank=True)
    on_date = models.DateField(_("date"))
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("participating departments"), blank=True, related_name="drills"
    )
    units = models.ManyToManyField(
        "org.Organisation", verbose_name=_("participating units"), blank=True, related_name="drills"
    )
    other_units = models.CharField(_("other participating units"), max_length=255, blank=True)
    public_participation = models.BooleanField(_("members of the public take part"), default=False)
    public_participants = models.PositiveIntegerField(_("members of the public"), null=True, blank=True)
    # The record, once held.
    held_on = models.DateField(_("held on"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    narrative = models.TextField(_("what happened"), blank=True)
    participants_count = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    participants_note = models.TextField(_("who took part"), blank=True)
    evacuation_minutes = models.DecimalField(
        _("measured evacuation time (minutes)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=MINUTES,
    )
    evacuation_target_minutes = models.DecimalField(
        _("evacuation-time target (minutes)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    evacuated_people = models.PositiveIntegerField(_("people evacuated"), null=True, blank=True)
    problems = models.TextField(_("problems found"), blank=True)
    plan_version = models.PositiveSmallIntegerField(_("plan version drilled"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DrillQuerySet.as_manager()

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-on_date", "-id"]
        indexes = [
            models.Index(
                fields=["jurisdiction_path"], name="drills_drill_path_like", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["on_date", "id"], name="drills_drill_date_idx"),
            models.Index(fields=["plan", "status", "held_on"], name="drills_drill_plan_held_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=DrillStatus.HELD) | Q(held_on__isnull=False), name="drills_drill_held_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.on_date:%Y-%m-%d}"

    @property
    def jurisdiction(self):
        """The plan's territory (notices and other readers look for ``jurisdiction``)."""
        return self.plan.jurisdiction

    # Guards, checked by the services under the row lock.
    def can_record(self) -> bool:
        return self.status == DrillStatus.PLANNED

    def can_cancel(self) -> bool:
        return self.status == DrillStatus.PLANNED

    def can_change_plan(self) -> bool:
        return self.status == DrillStatus.PLANNED

    @property
    def evacuation_met(self) -> bool | None:
        """Whether the measured evacuation time met the plan's target (None when either is missing)."""
        if self.evacuation_minutes is None or self.evacuation_target_minutes is None:
            return None
        return self.evacuation_minutes <= self.evacuation_target_minutes


class DrillPhoto(models.Model):
    """A photo of a drill (演练照片), served only through the scoped view. It keeps neither the uploaded name nor
    the size, so it is not a ``StoredFile``; the file is checked and named the same way."""

    drill = models.ForeignKey(Drill, verbose_name=_("drill"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=upload_to("drills/photos"), validators=[UploadValidator("photo")])
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("drill photo")
        verbose_name_plural = _("drill photos")
        ordering = ["drill_id", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name.rsplit("/", 1)[-1]


class AfterActionItemQuerySet(ScopedQuerySet["AfterActionItem"]):
    visibility_rule = "drills.access.item_visible_q"


class AfterActionItem(models.Model):
    """A problem found in a drill and what must be done about it (演练问题整改项), with its holder and deadline.

    Each item becomes a task of its holder through the responsibility engine (rule ``drills.after_action_item``,
    party "assigned"). An item that ``requires_plan_revision`` can only be closed once the plan has a version
    newer than the one in force when the item was raised: the loop 演练—评估—修订."""

    drill = models.ForeignKey(
        Drill, verbose_name=_("drill"), null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    # An item from the review after a real incident (issue 16 point 7: 演练—评估—修订 also after real incidents):
    # no drill, the incident it was learnt in. Exactly one of the two.
    incident = models.ForeignKey(
        "response.Incident",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="after_action_items",
    )
    plan = models.ForeignKey(
        EmergencyPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="after_action_items"
    )
    description = models.TextField(_("what must be done"))
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("township / street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    requires_plan_revision = models.BooleanField(_("requires a revision of the plan"), default=False)
    baseline_version = models.PositiveSmallIntegerField(_("plan version when raised"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    closing_note = models.TextField(_("how it was resolved"), blank=True)
    resolved_by_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("revised plan version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolved_items",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AfterActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("after-action item")
        verbose_name_plural = _("after-action items")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["jurisdiction_path"], name="drills_item_path_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["status", "due_date"], name="drills_item_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_department__isnull=False, owner_organisation__isnull=True, owner_jurisdiction__isnull=True)
                    | Q(
                        owner_department__isnull=True, owner_organisation__isnull=False, owner_jurisdiction__isnull=True
                    )
                    | Q(
                        owner_department__isnull=True, owner_organisation__isnull=True, owner_jurisdiction__isnull=False
                    )
                ),
                name="drills_item_one_holder",
            ),
            models.CheckConstraint(
                condition=~Q(status=ItemStatus.CLOSED) | Q(closed_at__isnull=False), name="drills_item_closed_has_time"
            ),
            models.CheckConstraint(
                condition=Q(drill__isnull=False, incident__isnull=True) | Q(drill__isnull=True, incident__isnull=False),
                name="drills_item_drill_or_incident",
            ),
        ]

    def __str__(self) -> str:
        text = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return text[:80]

    @property
    def owner(self):
        return self.owner_department or self.owner_organisation or self.owner_jurisdiction

    def can_close(self) -> bool:
        return self.status == ItemStatus.OPEN


class EmergencyPlanGroupObjectPermission(GroupObjectPermissionBase):
    """Plans shared with a department outside their default scope (django-guardian, direct FK), e.g. a mall's
    plan opened to the fire brigade of the next district that joins its drills. A plan's drills follow it."""

    content_object = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("plan permission of a department")
        verbose_name_plural = _("plan permissions of departments")
