from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from crowdsafe.common import imports
from crowdsafe.common.files import StoredFile, UploadTo, UploadValidator
from crowdsafe.common.scoping import ScopedQuerySet
from events.choices import (
    ESCALATED_LEVELS,
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    DateRule,
    DecisionKind,
    Festival,
    GatheringKind,
    GatheringSource,
    GatheringStatus,
    MeasureKind,
    Recurrence,
    RiskLevel,
    RiskSource,
)

MAX_ATTENDANCE = 10_000_000


def attention_rank() -> models.Case:
    """The attention list's first order: red (0) before orange (1). One expression for the list's ``ORDER BY`` and
    the first column of its index (``events_gathering_attn_rank``), which must be the same for PostgreSQL to
    read the list's first page from the index."""
    return models.Case(
        models.When(risk_level=RiskLevel.RED.value, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


_LABELS: dict[tuple[type, str], dict[str, str]] = {}


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """A choice's label in the active language, from a table built once per language. Django's
    ``get_FOO_display`` hashes every (lazy) label on each call, which costs a list of 50 gatherings several
    thousand translations; these tables make it one dictionary lookup."""
    key = (choices, translation.get_language() or "")
    table = _LABELS.get(key)
    if table is None:
        table = _LABELS[key] = {str(v): str(label) for v, label in choices.choices}
    return table.get(str(value), str(value))


class GatheringQuerySet(ScopedQuerySet["Gathering"]):
    visibility_rule = "events.access.gathering_visible_q"


class Gathering(models.Model):
    """A spontaneous mass gathering (群众自发性聚集活动): festival prayers, celebrations, mall promotions,
    online-to-offline check-in crowds (线上转线下), holiday crowds — with no permit and often no known organizer.

    It happens at a registered venue (``venue``) or at a free location in a grid (``grid``, with a place name
    and, when the phone shared it, coordinates). ``jurisdiction_path`` copies the grid's materialised path for
    territorial scoping (属地) with one indexed prefix match. The risk level is the automatic pre-level (triage)
    until staff override it or a signed-off risk assessment sets it (``risk_source``); ``risk_reasons`` says
    why in words. ``idempotency_key`` is made by the logging form once per form instance, so a resend or a
    double tap makes one record.
    """

    title = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=GatheringKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=GatheringStatus.choices, default=GatheringStatus.REPORTED
    )

    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gatherings",
    )
    grid = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("grid or community"), on_delete=models.PROTECT, related_name="gatherings"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    location_name = models.CharField(_("place"), max_length=128, blank=True)
    # WGS-84, as the phone's geolocation gives it.
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
    location_accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)

    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=16, choices=Recurrence.choices, default=Recurrence.ONCE)

    organizer = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("organizer (registered organisation)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gatherings",
    )
    organizer_name = models.CharField(_("organizer"), max_length=128, blank=True)
    organizer_phone = models.CharField(_("organizer's phone"), max_length=20, blank=True)

    estimated_attendance_min = models.PositiveIntegerField(
        _("estimated attendance (from)"), validators=[MaxValueValidator(MAX_ATTENDANCE)]
    )
    estimated_attendance_max = models.PositiveIntegerField(
        _("estimated attendance (up to)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_ATTENDANCE)]
    )
    source = models.CharField(_("source"), max_length=20, choices=GatheringSource.choices)
    source_reference = models.CharField(_("source reference"), max_length=64, blank=True)
    online_hype = models.BooleanField(_("online hype (线上转线下)"), default=False)
    description = models.TextField(_("description"), blank=True)

    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    idempotency_key = models.UUIDField(_("form key"), null=True, blank=True, editable=False)

    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.BLUE)
    # The reasons in words as they were stored (the language of the moment); for the automatic pre-level the
    # facts are kept too (``risk_facts``) so each reader sees them in their own language.
    risk_reasons = models.JSONField(_("risk reasons"), default=list, blank=True)
    risk_facts = models.JSONField(_("risk facts"), default=list, blank=True)
    risk_source = models.CharField(
        _("risk level source"), max_length=12, choices=RiskSource.choices, default=RiskSource.TRIAGE
    )
    risk_set_at = models.DateTimeField(_("risk level set at"), null=True, blank=True)
    risk_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("risk level set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    risk_assessment_id = models.PositiveBigIntegerField(_("risk assessment"), null=True, blank=True)

    latest_headcount = models.PositiveIntegerField(_("latest headcount"), null=True, blank=True)
    latest_headcount_at = models.DateTimeField(_("latest headcount at"), null=True, blank=True)

    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # An expected gathering made from the key-date calendar: the occasion, the day it falls on this time, and
    # the gathering of the previous occurrence it was predicted from.
    key_date = models.ForeignKey(
        "events.KeyDate",
        verbose_name=_("key date"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gatherings",
    )
    occurrence_on = models.DateField(_("occurrence"), null=True, blank=True)
    expected_from = models.ForeignKey(
        "self",
        verbose_name=_("predicted from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predictions",
    )

    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GatheringQuerySet.as_manager()

    class Meta:
        verbose_name = _("spontaneous gathering")
        verbose_name_plural = _("spontaneous gatherings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            # Territorial scoping (LIKE 'prefix%') with the date range of the list in the same index: the list of
            # one township for one month reads a narrow range of this index (bench/bench_events.py).
            models.Index(
                fields=["jurisdiction_path", "starts_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                name="events_gathering_path_start",
            ),
            models.Index(fields=["starts_at", "id"], name="events_gathering_start_idx"),
            # The attention list: open orange and red gatherings.
            models.Index(
                fields=["jurisdiction_path", "starts_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=Q(risk_level__in=ESCALATED_LEVELS)
                & ~Q(status__in=sorted(s.value for s in TERMINAL_STATUSES)),
                name="events_gathering_attention",
            ),
            # The same list's page, in its order (red first, then by start): the first 50 of a district's ~11,000
            # open orange and red gatherings at a million were all read and sorted (issue 19: 34.9 -> 0.4 ms).
            models.Index(
                attention_rank(),
                models.F("starts_at"),
                models.F("id"),
                condition=Q(risk_level__in=ESCALATED_LEVELS)
                & ~Q(status__in=sorted(s.value for s in TERMINAL_STATUSES)),
                name="events_gathering_attn_rank",
            ),
            # The map of the list (gatherings not over, starting within two weeks): only the open ones, a few per
            # cent of a register that keeps every ended gathering (issue 19 point 1: a seq scan at 100,000).
            models.Index(
                fields=["starts_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="events_gathering_open_start",
            ),
            # The same map's gatherings that have an end: those still under way (ends_at ahead), read by their end,
            # beside the ones with no end read by their start above (a BitmapOr of the two): without it the city's
            # map read every open gathering that started before the fortnight's end (167 ms at a million).
            models.Index(
                fields=["ends_at"],
                condition=Q(ends_at__isnull=False, status__in=sorted(OPEN_STATUSES)),
                name="events_gathering_open_end",
            ),
            # Risk now of the leaders' dashboard (issue 17 point 8): the gatherings not over by place and level for
            # a whole city, read from this index alone (the level, the reporter of the visibility rule and the id
            # counted are included): at a million gatherings it replaced a scan of the whole register. The
            # position and the venue are included too: the leaders' risk map clusters the same rows by cell from
            # the index alone (dashboard.selectors.map; issue 19, ~100,000 not over at a million).
            models.Index(
                fields=["jurisdiction_path"],
                opclasses=["varchar_pattern_ops"],
                include=["risk_level", "reported_by", "id", "latitude", "longitude", "venue"],
                condition=~Q(status__in=sorted(s.value for s in TERMINAL_STATUSES)),
                name="events_gathering_open_path",
            ),
            models.Index(fields=["reported_by", "-created_at"], name="events_gathering_reporter_idx"),
            models.Index(fields=["venue", "starts_at"], name="events_gathering_venue_idx"),
        ]
        constraints = [
            # One record per form instance: a resend or a double tap finds the first one.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="events_gathering_unique_form_key",
            ),
            models.CheckConstraint(
                condition=Q(estimated_attendance_min__lte=models.F("estimated_attendance_max")),
                name="events_gathering_attendance_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="events_gathering_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="events_gathering_lat_lng_together",
            ),
            models.CheckConstraint(
                condition=~Q(status=GatheringStatus.MERGED) | Q(merged_into__isnull=False),
                name="events_gathering_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # --- labels (cheap: see ``choice_label``) -----------------------------------------------------------

    @property
    def kind_label(self) -> str:
        return choice_label(GatheringKind, self.kind)

    @property
    def status_label(self) -> str:
        return choice_label(GatheringStatus, self.status)

    @property
    def risk_label(self) -> str:
        return choice_label(RiskLevel, self.risk_level)

    @property
    def source_label(self) -> str:
        return choice_label(GatheringSource, self.source)

    # --- guards (checked by the services under the row lock) ---------------------------------------------

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def is_escalated(self) -> bool:
        return self.risk_level in ESCALATED_LEVELS and not self.is_terminal

    def can_verify(self) -> bool:
        return self.status == GatheringStatus.REPORTED

    def can_confirm(self) -> bool:
        return self.status == GatheringStatus.EXPECTED

    def can_dismiss(self) -> bool:
        return self.status in (GatheringStatus.EXPECTED, GatheringStatus.REPORTED)

    def can_monitor(self) -> bool:
        return self.status == GatheringStatus.VERIFIED

    def can_end(self) -> bool:
        return self.status in (GatheringStatus.VERIFIED, GatheringStatus.MONITORING, GatheringStatus.SUSPENDED)

    def can_merge(self) -> bool:
        return self.status in (GatheringStatus.EXPECTED, GatheringStatus.REPORTED, GatheringStatus.VERIFIED)

    def can_decide(self, kind: str) -> bool:
        if kind in (DecisionKind.SUSPEND, DecisionKind.CANCEL, DecisionKind.POSTPONE):
            return self.status in (GatheringStatus.REPORTED, GatheringStatus.VERIFIED, GatheringStatus.MONITORING)
        if kind == DecisionKind.RESUME:
            return self.status == GatheringStatus.SUSPENDED
        if kind == DecisionKind.RESCHEDULE:
            return self.status == GatheringStatus.POSTPONED
        return False

    def can_record_field_data(self) -> bool:
        """Measures and headcounts are recorded while the gathering is under way or about to be."""
        return self.status in (
            GatheringStatus.REPORTED,
            GatheringStatus.VERIFIED,
            GatheringStatus.MONITORING,
            GatheringStatus.SUSPENDED,
        )

    @property
    def place_label(self) -> str:
        if self.venue_id:
            return self.venue.name + (f" · {self.location_name}" if self.location_name else "")
        return self.location_name or self.grid.name

    @property
    def coordinates(self) -> tuple[Decimal, Decimal] | None:
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        if self.venue_id and self.venue.latitude is not None and self.venue.longitude is not None:
            return self.venue.latitude, self.venue.longitude
        return None

    @property
    def attendance_label(self) -> str:
        if self.estimated_attendance_min == self.estimated_attendance_max:
            return f"{self.estimated_attendance_max:,}"
        return f"{self.estimated_attendance_min:,}–{self.estimated_attendance_max:,}"


class GatheringPhoto(StoredFile):
    """A photo of a gathering taken in the field, checked as an upload of kind "photo" (as for venue risk points);
    served only through the scoped view, never from a public URL."""

    upload_prefix = "events/photos"

    gathering = models.ForeignKey(
        Gathering, verbose_name=_("gathering"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.ImageField(_("photo"), upload_to=UploadTo(), max_length=255, validators=[UploadValidator("photo")])
    # A random key of the upload (it named the stored file before the kernel's ``upload_to`` did).
    uploaded_key = models.CharField(max_length=32, editable=False)
    content_type = None

    class Meta:
        verbose_name = _("gathering photo")
        verbose_name_plural = _("gathering photos")
        ordering = ["gathering_id", "id"]


class GatheringDecision(models.Model):
    """A recorded decision to suspend, cancel or postpone a gathering (or to lift a suspension, or reschedule a
    postponed one): who decided, for which unit, why and when (安阳市公安局 reply, 一: 及时协调主管部门暂停、取消或
    推迟举办活动)."""

    gathering = models.ForeignKey(
        Gathering, verbose_name=_("gathering"), on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_label = models.CharField(_("decided by"), max_length=255)
    decided_at = models.DateTimeField(_("decided at"))
    new_starts_at = models.DateTimeField(_("new start"), null=True, blank=True)
    new_ends_at = models.DateTimeField(_("new end"), null=True, blank=True)
    from_status = models.CharField(_("from status"), max_length=16, choices=GatheringStatus.choices)
    to_status = models.CharField(_("to status"), max_length=16, choices=GatheringStatus.choices)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision on a gathering")
        verbose_name_plural = _("decisions on gatherings")
        ordering = ["gathering_id", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.gathering_id}"


class Measure(models.Model):
    """A crowd-control measure applied to a gathering (管控措施): upstream holding 远端控制, diversion and flow
    limiting 分流限流, let out and block in 疏出阻入, one-way flow 单向通行, patrols, extra staff, suspension — who
    applied it, when, and its effect."""

    gathering = models.ForeignKey(
        Gathering, verbose_name=_("gathering"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("measure"), max_length=20, choices=MeasureKind.choices)
    description = models.TextField(_("what was done"), blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_by_unit = models.CharField(_("applied by (unit or people)"), max_length=128, blank=True)
    applied_at = models.DateTimeField(_("applied at"))
    ended_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    effect = models.TextField(_("effect"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("crowd-control measure")
        verbose_name_plural = _("crowd-control measures")
        ordering = ["gathering_id", "applied_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("applied_at")),
                name="events_measure_lifted_after_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.gathering_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class HeadcountUpdate(models.Model):
    """A headcount from the field (现场人数): how many people were there at a moment, and who counted."""

    gathering = models.ForeignKey(
        Gathering, verbose_name=_("gathering"), on_delete=models.CASCADE, related_name="headcounts"
    )
    count = models.PositiveIntegerField(_("headcount"), validators=[MaxValueValidator(MAX_ATTENDANCE)])
    observed_at = models.DateTimeField(_("observed at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")
        ordering = ["gathering_id", "observed_at", "id"]
        indexes = [models.Index(fields=["gathering", "observed_at"], name="events_headcount_time_idx")]

    def __str__(self) -> str:
        return f"{self.count} @ {self.observed_at:%Y-%m-%d %H:%M}"


class TriageSettings(models.Model):
    """The thresholds of the automatic risk pre-level (风险预判), edited by the city admin. One row.

    - At a venue with a safe capacity: the estimated attendance as a share of it (yellow / orange / red from);
    - at a free location (or a venue with no capacity recorded): attendance bands (yellow / orange / red from;
      the defaults follow Order 505: 1,000 makes a large event, 5,000 brings in the city's public security);
    - aggravating factors raise the level one step each, at most ``max_raise`` steps: risk points at the venue
      (at least ``risk_points_min``), night time (from ``night_starts`` to ``night_ends``), a statutory holiday
      (from the working-day calendar) and online hype (线上转线下).
    """

    ratio_yellow = models.DecimalField(
        _("yellow from (share of the safe capacity)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10"))],
    )
    ratio_orange = models.DecimalField(
        _("orange from (share of the safe capacity)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10"))],
    )
    ratio_red = models.DecimalField(
        _("red from (share of the safe capacity)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10"))],
    )
    band_yellow = models.PositiveIntegerField(_("yellow from (people, free location)"), default=300)
    band_orange = models.PositiveIntegerField(_("orange from (people, free location)"), default=1000)
    band_red = models.PositiveIntegerField(_("red from (people, free location)"), default=5000)
    night_starts = models.TimeField(_("night starts"), default=datetime.time(19, 0))
    night_ends = models.TimeField(_("night ends"), default=datetime.time(6, 0))
    risk_points_min = models.PositiveSmallIntegerField(
        _("risk points that count as a factor (at least)"), default=1, validators=[MinValueValidator(1)]
    )
    max_raise = models.PositiveSmallIntegerField(
        _("aggravating factors raise the level by at most (steps)"),
        default=1,
        validators=[MaxValueValidator(3)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("risk pre-level thresholds")
        verbose_name_plural = _("risk pre-level thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(ratio_yellow__lte=models.F("ratio_orange")) & Q(ratio_orange__lte=models.F("ratio_red")),
                name="events_triage_ratios_ordered",
            ),
            models.CheckConstraint(
                condition=Q(band_yellow__lte=models.F("band_orange")) & Q(band_orange__lte=models.F("band_red")),
                name="events_triage_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(_("risk pre-level thresholds"))


class KeyDate(models.Model):
    """A recurring occasion (重点时段) when crowds gather: New Year's Day, Spring Festival, Lantern Festival,
    Qingming, May Day, Dragon Boat, Mid-Autumn, National Day, New Year's Eve, Christmas Eve at malls, local temple
    fairs. Edited by the admin.

    Each falls by a rule: a fixed solar date (``month``/``day``); the day of a statutory holiday as the
    chinese-calendar library names it, plus ``offset_days`` (Lantern Festival = Spring Festival + 14); or dates
    entered for each year (``KeyDateOccurrence``, for local temple fairs). ``lead_days`` before each occurrence,
    the daily scan makes an expected gathering for every place that had one at the previous occurrence, each
    with a task for the township to confirm or dismiss it.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    rule = models.CharField(_("date rule"), max_length=12, choices=DateRule.choices)
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    festival = models.CharField(_("statutory holiday"), max_length=24, choices=Festival.choices, blank=True)
    offset_days = models.SmallIntegerField(
        _("days after the holiday"), default=0, validators=[MinValueValidator(-60), MaxValueValidator(60)]
    )
    span_days = models.PositiveSmallIntegerField(
        _("lasts (days)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Gatherings that start within this many days from the occasion's first day belong to it."),
    )
    lead_days = models.PositiveSmallIntegerField(
        _("expect gatherings (days before)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How many days before the occasion the expected gatherings are created."),
    )
    gathering_kinds = models.JSONField(
        _("kinds of gathering"), default=list, blank=True, help_text=_("Empty: every kind.")
    )
    venue_kinds = models.JSONField(
        _("kinds of venue"), default=list, blank=True, help_text=_("Empty: every place, registered venue or not.")
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("only in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A local occasion (a temple fair): only gatherings in this territory."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("key date")
        verbose_name_plural = _("key dates")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rule=DateRule.FIXED) | Q(month__isnull=False, day__isnull=False),
                name="events_keydate_fixed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(rule=DateRule.HOLIDAY) | ~Q(festival=""),
                name="events_keydate_holiday_has_festival",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KeyDateOccurrence(models.Model):
    """The dates of one year's occurrence of a key date whose dates are entered by the admin (a local temple
    fair, 庙会)."""

    key_date = models.ForeignKey(KeyDate, verbose_name=_("key date"), on_delete=models.CASCADE, related_name="dates")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("date of a key date")
        verbose_name_plural = _("dates of a key date")
        ordering = ["key_date_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["key_date", "starts_on"], name="events_keydate_occurrence_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="events_occurrence_order"),
        ]

    def __str__(self) -> str:
        return f"{self.key_date} {self.starts_on:%Y-%m-%d}"


class GatheringImportJob(imports.ImportJob):
    """One spreadsheet import of a gathering list (清单导入), on the kernel's import job (``crowdsafe.common.imports``):
    the uploaded file, how far it got, and every invalid row with its column and message."""

    file = imports.import_file_field("events/imports/%Y/%m/")

    class Meta(imports.ImportJob.Meta):
        verbose_name = _("gathering import")
        verbose_name_plural = _("gathering imports")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="events_import_user_idx")]


class GatheringGroupObjectPermission(GroupObjectPermissionBase):
    """A gathering shared with a department outside its default scope (django-guardian, direct FK on a hot
    table), e.g. one opened to the culture and tourism bureau of the district."""

    content_object = models.ForeignKey(Gathering, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("gathering permission of a department")
        verbose_name_plural = _("gathering permissions of departments")
