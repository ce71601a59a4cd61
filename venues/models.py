from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from crowdsafe.common import imports
from crowdsafe.common.files import StoredFile, UploadValidator, upload_to
from crowdsafe.common.scoping import ScopedQuerySet
from venues.choices import (
    EquipmentKind,
    ExitKind,
    FireInspectionStatus,
    RiskPointKind,
    VenueDocumentKind,
    VenueKind,
    ZoneKind,
)

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-]{5,18}[0-9]$",
    _("Enter a phone number of 7 to 20 digits (a mobile number or a landline with its area code)."),
)

# Special equipment whose next statutory inspection falls within this many days is flagged as due soon.
INSPECTION_DUE_SOON_DAYS = 30


class VenueQuerySet(ScopedQuerySet["Venue"]):
    visibility_rule = "venues.services.access.venue_visible_q"


class Venue(models.Model):
    """A crowded place (人员密集场所): a square, mall, scenic area, stadium, school, station …

    It sits in a grid or community (``grid``, 属地管理) and is run by an operator organisation with a
    safety-responsible person (谁的场地谁负责). ``jurisdiction_path`` copies the grid's materialised path so
    that territorial scoping of this hot table is one indexed prefix match with no join; the services keep it
    in step with ``grid``. ``computed_capacity`` and ``capacity_warning`` are the safe capacity as last
    computed from the zones, exits and capacity settings (kept by the services), so that lists can filter on
    them; the venue page and the API show the capacity computed afresh, with its working.
    """

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=VenueKind.choices)
    grid = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("grid or community"),
        on_delete=models.PROTECT,
        related_name="venues",
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # WGS-84, as phones and most online maps give it (not the GCJ-02 of some Chinese map services).
    latitude = models.DecimalField(
        _("latitude (WGS-84)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude (WGS-84)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    operator = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="venues",
    )
    responsible_person_name = models.CharField(_("safety-responsible person"), max_length=64, blank=True)
    responsible_person_phone = models.CharField(
        _("safety-responsible person's phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    declared_capacity = models.PositiveIntegerField(
        _("declared or approved capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The capacity the operator declared or the authority approved (核定容量)."),
    )
    computed_capacity = models.PositiveIntegerField(_("computed safe capacity"), null=True, blank=True, editable=False)
    capacity_warning = models.BooleanField(
        _("declared capacity exceeds the computed one"), default=False, editable=False
    )

    # Fire safety of a public gathering place (消防安全检查), inspected by fire rescue.
    fire_inspection_status = models.CharField(
        _("fire-safety inspection"),
        max_length=16,
        choices=FireInspectionStatus.choices,
        default=FireInspectionStatus.NOT_INSPECTED,
    )
    fire_inspection_date = models.DateField(_("fire-safety inspection date"), null=True, blank=True)
    # Building completion acceptance (竣工验收) and design service life (设计使用年限).
    completion_acceptance_date = models.DateField(_("completion acceptance date"), null=True, blank=True)
    completion_acceptance_ref = models.CharField(_("completion acceptance reference"), max_length=64, blank=True)
    built_year = models.PositiveSmallIntegerField(
        _("year built"), null=True, blank=True, validators=[MinValueValidator(1000), MaxValueValidator(2100)]
    )
    design_service_life_years = models.PositiveSmallIntegerField(
        _("design service life (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(300)],
    )
    safety_appraisal_date = models.DateField(_("last building safety appraisal"), null=True, blank=True)

    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "id"]
        indexes = [
            # LIKE 'prefix%' of territorial scoping, whatever the database collation (PostgreSQL only; other
            # databases ignore the operator class).
            models.Index(
                fields=["jurisdiction_path"], name="venues_venue_path_like", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind"], name="venues_venue_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "name"], condition=Q(is_active=True), name="venues_venue_unique_active_name"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="venues_venue_lat_lng_together",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="venues_venue_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="venues_venue_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def service_life_ends_year(self) -> int | None:
        if self.built_year is None or self.design_service_life_years is None:
            return None
        return self.built_year + self.design_service_life_years

    def safety_appraisal_required(self, today: datetime.date | None = None) -> bool:
        """A building that has reached its design service life needs a safety appraisal to stay in use
        (建筑结构可靠性设计统一标准 GB 50068: 达到设计使用年限需继续使用的应进行鉴定); an appraisal made in or after
        the year the service life ended satisfies it."""
        ends = self.service_life_ends_year
        if ends is None:
            return False
        today = today or timezone.localdate()
        if today.year < ends:
            return False
        return self.safety_appraisal_date is None or self.safety_appraisal_date.year < ends


class Zone(models.Model):
    """A part of a venue with its own crowd use (区域): a standing area, seating, a walkway, stairs, a bridge or a
    narrow passage. Its usable area and the exits that serve it give its safe capacity."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=ZoneKind.choices)
    usable_area_m2 = models.DecimalField(
        _("usable area (m²)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["venue_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="venues_zone_unique_name"),
            models.CheckConstraint(condition=Q(usable_area_m2__gt=0), name="venues_zone_area_positive"),
            models.CheckConstraint(
                condition=~Q(kind=ZoneKind.SEATED) | Q(seats__isnull=False), name="venues_zone_seated_has_seats"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Exit(models.Model):
    """An exit of a venue (安全出口/疏散通道) with its clear width, on the level or by stairs, and the zones it
    serves."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="exits")
    name = models.CharField(_("name"), max_length=64)
    clear_width_m = models.DecimalField(
        _("clear width (m)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ExitKind.choices, default=ExitKind.LEVEL)
    zones = models.ManyToManyField(Zone, verbose_name=_("zones served"), related_name="exits", blank=True)

    class Meta:
        verbose_name = _("exit")
        verbose_name_plural = _("exits")
        ordering = ["venue_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="venues_exit_unique_name"),
            models.CheckConstraint(condition=Q(clear_width_m__gt=0), name="venues_exit_width_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class RiskPoint(models.Model):
    """A risk point (风险点位) of a venue: steps, a ramp, a bridge, a narrow space or a slope where a crowd may
    crush or fall, with notes and a photo."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="risk_points")
    kind = models.CharField(_("kind"), max_length=16, choices=RiskPointKind.choices)
    notes = models.TextField(_("notes"), blank=True)
    photo = models.ImageField(
        _("photo"), upload_to=upload_to("venues/risk_points"), blank=True, validators=[UploadValidator("photo")]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        ordering = ["venue_id", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.venue_id}"


class TemporaryStructure(models.Model):
    """A temporary structure at a venue (临时搭建设施): a stage, stand, tent or lighting tower, with the date it
    was put up and its acceptance (验收) before use."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="temporary_structures"
    )
    name = models.CharField(_("name"), max_length=128)
    erected_on = models.DateField(_("erected on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.CharField(_("accepted by"), max_length=128, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("temporary structure")
        verbose_name_plural = _("temporary structures")
        ordering = ["venue_id", "-erected_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=models.F("erected_on")),
                name="venues_structure_accepted_after_erected",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_accepted(self) -> bool:
        return self.accepted_on is not None


class VenueDocument(StoredFile):
    """A document of the venue's building and fire safety (竣工验收、消防验收、消防安全检查、安全鉴定), checked as an
    upload of kind "document" by the kernel and served only through the access-checked download view."""

    upload_prefix = "venues/documents"

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=24, choices=VenueDocumentKind.choices)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)

    class Meta:
        verbose_name = _("venue document")
        verbose_name_plural = _("venue documents")
        ordering = ["venue_id", "kind", "-id"]


class SpecialEquipment(models.Model):
    """Special equipment at a venue (特种设备): an elevator, escalator or large amusement ride, registered with
    market regulation and inspected periodically by law (特种设备安全法 Art. 40: apply for the periodic
    inspection one month before it is due)."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="special_equipment"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EquipmentKind.choices)
    name = models.CharField(_("name or location"), max_length=128)
    registration_no = models.CharField(_("registration certificate number"), max_length=64)
    last_inspected_on = models.DateField(_("last statutory inspection"), null=True, blank=True)
    next_inspection_due = models.DateField(_("next statutory inspection due"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("special equipment")
        verbose_name_plural = _("special equipment")
        ordering = ["venue_id", "next_inspection_due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "registration_no"], name="venues_equipment_unique_reg_no"),
        ]
        indexes = [models.Index(fields=["next_inspection_due"], name="venues_equipment_due_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.registration_no})"

    def inspection_overdue(self, today: datetime.date | None = None) -> bool:
        return self.next_inspection_due < (today or timezone.localdate())

    def inspection_due_soon(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return today <= self.next_inspection_due <= today + datetime.timedelta(days=INSPECTION_DUE_SOON_DAYS)


class CapacitySetting(models.Model):
    """The capacity parameters of one zone kind (容量参数), edited by the city admin: space per person for the
    area figure, crowd flow rates through level, stair and ramp exits, and the allowed egress time for the exit
    figure. Seeded from DESIGN.md section 6 (HSG195 0.5 m² per person standing; Green Guide ~82 and ~66
    persons per metre per minute; 8 minutes egress)."""

    zone_kind = models.CharField(_("zone kind"), max_length=16, choices=ZoneKind.choices, unique=True)
    space_per_person_m2 = models.DecimalField(
        _("space per person (m²)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("100"))],
    )
    flow_rate_level = models.PositiveSmallIntegerField(
        _("flow rate through level exits (persons per metre per minute)"),
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    flow_rate_stairs = models.PositiveSmallIntegerField(
        _("flow rate through stair exits (persons per metre per minute)"),
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    # No standard consulted gives a rate for ramps: 66 (the stair rate) is a stated design assumption, seeded by
    # migration 0003 with its source (migration 0004), until the city sets one from its standard.
    flow_rate_ramp = models.PositiveSmallIntegerField(
        _("flow rate through ramp or slope exits (persons per metre per minute)"),
        default=66,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    egress_minutes = models.DecimalField(
        _("allowed egress time (minutes)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("60"))],
    )
    source = models.CharField(_("source"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("capacity setting")
        verbose_name_plural = _("capacity settings")
        ordering = ["zone_kind"]
        constraints = [
            models.CheckConstraint(condition=Q(space_per_person_m2__gt=0), name="venues_capacity_space_positive"),
            models.CheckConstraint(condition=Q(egress_minutes__gt=0), name="venues_capacity_egress_positive"),
        ]

    def __str__(self) -> str:
        return str(ZoneKind(self.zone_kind).label)


class ImportJob(imports.ImportJob):
    """One spreadsheet import of venues (场所名录导入), on the kernel's import job (``crowdsafe.common.imports``):
    the uploaded file, how far it got, and every invalid row with its column and message."""

    file = imports.import_file_field("venues/imports/%Y/%m/")

    class Meta(imports.ImportJob.Meta):
        verbose_name = _("venue import")
        verbose_name_plural = _("venue imports")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="venues_import_user_idx")]


class VenueUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK object permissions on venues (django-guardian), so a grant check on this hot table is an
    indexed join rather than a text match on the generic table."""

    content_object = models.ForeignKey(Venue, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("venue permission of a user")
        verbose_name_plural = _("venue permissions of users")


class VenueGroupObjectPermission(GroupObjectPermissionBase):
    """Venue permissions granted to a department's group (e.g. a venue opened to the fire brigade)."""

    content_object = models.ForeignKey(Venue, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("venue permission of a department")
        verbose_name_plural = _("venue permissions of departments")
