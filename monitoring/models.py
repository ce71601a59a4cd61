"""The monitoring app's tables (人流密度实时监测预警, issue 15).

- ``Band``: the level bands per zone kind and measure (density, share of capacity, share of the approved
  capacity), data with their sources, edited by administrators and logged.
- ``Zone``: a monitored zone (监测区域) with its area, capacities and what it belongs to.
- ``ZoneState``: the current state of one zone (level, count, density, forecast, working), updated on ingest,
  so the board never scans readings.
- ``Source``: a sensor feed (摄像头AI计数、闸机、热力图、人工计数) with its own revocable token, scoped to zones.
- ``Reading``: one raw reading. On PostgreSQL a table range-partitioned by day (migration 0002); plain elsewhere.
- ``Rollup``: one minute of one zone (kept two years; every chart reads these).
- ``MonitoringAlert``: one episode of a zone (or of a silent source) with its states, raised through alerts'
  ``alert_raise``; ``MeasureTick``: a plan measure ticked on it (recorded as a crowd-control measure).
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.scoping import ScopedQuerySet
from monitoring.choices import AlertKind, AlertState, AreaSource, Level, Measure, SourceKind, ZoneKind


class Band(models.Model):
    """A level band (分级阈值): from which value a zone is yellow, orange, red, for one measure and zone kind
    (blank: every kind). Data with its source, shown in the admin; every change is logged."""

    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices)
    zone_kind = models.CharField(_("zone kind"), max_length=12, choices=ZoneKind.choices, blank=True)
    yellow = models.DecimalField(_("yellow from"), max_digits=6, decimal_places=3, null=True, blank=True)
    orange = models.DecimalField(_("orange from"), max_digits=6, decimal_places=3)
    red = models.DecimalField(_("red from"), max_digits=6, decimal_places=3)
    source = models.TextField(_("source"), help_text=_("Where the figures come from (standard, guide, article)."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("level band")
        verbose_name_plural = _("level bands")
        ordering = ["measure", "zone_kind"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "zone_kind"], name="monitoring_band_once"),
            models.CheckConstraint(condition=Q(orange__lt=models.F("red")), name="monitoring_band_orange_below_red"),
            models.CheckConstraint(
                condition=Q(yellow__isnull=True) | Q(yellow__lt=models.F("orange")),
                name="monitoring_band_yellow_below_orange",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} · {self.get_zone_kind_display() or '—'}"

    def thresholds(self) -> dict[str, Decimal]:
        out = {Level.ORANGE.value: self.orange, Level.RED.value: self.red}
        if self.yellow is not None:
            out[Level.YELLOW.value] = self.yellow
        return out


class ZoneQuerySet(ScopedQuerySet["Zone"]):
    visibility_rule = "monitoring.access.zone_visible_q"


class Zone(models.Model):
    """A monitored zone (监测区域): a venue zone, a zone of a permitted event, the place of a spontaneous
    gathering, or a free polygon (a street section, a stairway, a bridge, a slope). Its area is computed from
    the polygon (geodesic, m²), taken from the venue zone, or typed in; ``declared_capacity`` is a capacity
    declared for it (a scenic area's approved maximum, Tourism Law Art. 45; a square's design capacity)."""

    name = models.CharField(_("name"), max_length=128)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ZoneKind.choices)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    area_source = models.CharField(_("area from"), max_length=8, choices=AreaSource.choices, default=AreaSource.TYPED)
    polygon = models.JSONField(_("polygon (GeoJSON)"), null=True, blank=True)
    declared_capacity = models.PositiveIntegerField(_("declared capacity"), null=True, blank=True)
    safe_capacity = models.PositiveIntegerField(_("safe capacity (computed)"), null=True, blank=True, editable=False)
    approved_capacity = models.PositiveIntegerField(
        _("approved capacity (permit)"), null=True, blank=True, editable=False
    )
    venue_zone = models.ForeignKey(
        "venues.Zone", verbose_name=_("venue zone"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    application = models.ForeignKey(
        "permits.PermitApplication",
        verbose_name=_("permit application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    gathering = models.ForeignKey(
        "events.Gathering",
        verbose_name=_("gathering"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The venue operator or organizer whose people see the zone (and are its "owner" party).
    organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # An exercise copy of a zone (演练): its alerts are marked and reach only the exercise's participants.
    exercise = models.BooleanField(_("exercise copy"), default=False)
    exercise_of = models.ForeignKey(
        "self",
        verbose_name=_("copy of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exercise_copies",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitored zone")
        verbose_name_plural = _("monitored zones")
        ordering = ["jurisdiction_path", "name", "id"]
        constraints = [models.CheckConstraint(condition=Q(area_m2__gt=0), name="monitoring_zone_area_positive")]
        indexes = [
            models.Index(
                fields=["jurisdiction_path"], opclasses=["varchar_pattern_ops"], name="monitoring_zone_path_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/api/v1/monitoring/zones/{self.pk}/"


class RewrittenJSONField(models.JSONField):
    """JSON stored as PostgreSQL ``json`` (the text, checked) rather than ``jsonb``, for the zone state's columns that
    every batch rewrites whole and only ever reads whole (or one key with ``->>``): ``jsonb`` parses each value into
    its binary tree on write — measured, 70 of the ~100 ms that a 1,000-zone batch's state update took in
    PostgreSQL — for containment and key indexes these columns never use. Elsewhere (SQLite) a JSON field as any."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # psycopg2 decodes ``json`` itself (jsonb is handed over as text and decoded by JSONField).
        if value is not None and not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)


class ZoneState(models.Model):
    """The current state of one zone (监测现状), one row per zone, updated on ingest in the batch's transaction:
    what the board and the zone API read (never the raw readings)."""

    zone = models.OneToOneField(Zone, primary_key=True, on_delete=models.CASCADE, related_name="state")
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.BLUE)
    level_since = models.DateTimeField(_("level since"), null=True, blank=True)
    count = models.PositiveIntegerField(_("people"), null=True, blank=True)
    observed_at = models.DateTimeField(_("observed at"), null=True, blank=True)
    density = models.FloatField(_("density (p/m²)"), null=True, blank=True)
    utilisation = models.FloatField(_("share of capacity"), null=True, blank=True)
    source = models.ForeignKey(
        "Source",
        verbose_name=_("level from source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        # No index: every batch rewrites a zone's row, and with no indexed column changing the new version stays on
        # its page (a HOT update; see migration 0006), so the table does not swell between vacuums.
        db_index=False,
    )
    # Since when the count has been below the current level's band (less the margin): the level falls only once
    # this is older than the hysteresis time.
    below_since = models.DateTimeField(null=True, blank=True)
    # Gate counters: people inside as the running balance since the last manual count (``gate_base_at``).
    gate_inside = models.IntegerField(null=True, blank=True)
    gate_base_at = models.DateTimeField(null=True, blank=True)
    # The latest estimate of each source: {source_id: [count, observed_at ISO, kind]}.
    latest = RewrittenJSONField(default=dict, blank=True)
    # The reconciled count over time, thinned (one point per 20 s, 40 points): the trend fit's input.
    recent = RewrittenJSONField(default=list, blank=True)
    forecast = RewrittenJSONField(default=dict, blank=True)
    working = RewrittenJSONField(default=dict, blank=True)
    interrupted = models.BooleanField(_("monitoring interrupted"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("zone state")
        verbose_name_plural = _("zone states")

    def __str__(self) -> str:
        return f"{self.zone_id}: {self.level}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_source_token() -> str:
    return "cs_" + secrets.token_urlsafe(30)


class SourceQuerySet(ScopedQuerySet["Source"]):
    visibility_rule = "monitoring.access.source_visible_q"


class Source(models.Model):
    """A sensor feed (监测数据源): a camera's AI count, a gate counter, a heat-map cell, a steward's clicker, or
    a gathering's headcounts. It writes with its own token (not a person's), only to its zones; the token is
    stored hashed, shown once, and revoked by setting ``revoked_at``."""

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=12, choices=SourceKind.choices)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    zones = models.ManyToManyField(Zone, verbose_name=_("zones"), related_name="sources", blank=True)
    interval_s = models.PositiveIntegerField(_("reporting interval (s)"), default=60, validators=[MinValueValidator(1)])
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_prefix = models.CharField(_("token starts with"), max_length=12, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    suspect = models.BooleanField(_("suspect"), default=False)
    suspect_reason = models.CharField(_("why suspect"), max_length=255, blank=True)
    implausible_streak = models.PositiveIntegerField(default=0, editable=False)
    # A source the platform made for a zone (manual counts through the API, a gathering's headcounts).
    is_builtin = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring source")
        verbose_name_plural = _("monitoring sources")
        ordering = ["jurisdiction_path", "name", "id"]
        indexes = [
            models.Index(
                fields=["jurisdiction_path"], opclasses=["varchar_pattern_ops"], name="monitoring_src_path_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Reading(models.Model):
    """One raw reading (原始读数) of a source for a zone at a moment: a count, a gate pair (entered/exited), or a
    density; ``people`` is the count it stands for (the gate balance for a gate pair). Unique on (source, zone,
    observed_at): a batch sent again stores nothing twice. On PostgreSQL the table is range-partitioned by day
    (created by migration 0002, maintained by ``monitoring.tasks.partitions``); the foreign keys are not enforced
    by the database (the ingest checks them) so that writing and dropping partitions stays cheap."""

    id = models.BigAutoField(primary_key=True)
    source = models.ForeignKey(Source, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    zone = models.ForeignKey(Zone, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    observed_at = models.DateTimeField()
    received_at = models.DateTimeField()
    count = models.IntegerField(null=True)
    entered = models.IntegerField(null=True)
    exited = models.IntegerField(null=True)
    density = models.FloatField(null=True)
    people = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        constraints = [
            models.UniqueConstraint(fields=["source", "zone", "observed_at"], name="monitoring_reading_once")
        ]
        indexes = [models.Index(fields=["zone", "observed_at"], name="monitoring_reading_zone_idx")]

    def __str__(self) -> str:
        return f"{self.zone_id} @ {self.observed_at}"


class Rollup(models.Model):
    """One minute of one zone (分钟汇总): how many readings, and the people they stood for (sum, min, max, the
    last). Kept two years; every chart reads these."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    n = models.PositiveIntegerField(default=0)
    people_sum = models.BigIntegerField(default=0)
    people_min = models.IntegerField(null=True)
    people_max = models.IntegerField(null=True)
    last_people = models.IntegerField(null=True)
    last_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("one-minute rollup")
        verbose_name_plural = _("one-minute rollups")
        constraints = [models.UniqueConstraint(fields=["zone", "minute"], name="monitoring_rollup_once")]

    def __str__(self) -> str:
        return f"{self.zone_id} @ {self.minute}"


class MonitoringAlertQuerySet(ScopedQuerySet["MonitoringAlert"]):
    visibility_rule = "monitoring.access.alert_visible_q"


class MonitoringAlert(models.Model):
    """One alert episode of a zone (监测预警): a level episode (from orange until it eases), an early warning
    (red forecast within the horizon) or an interruption (监测中断, a source silent for 3× its interval). States:
    raised → acknowledged → measures under way → eased → closed, each change in the action log. The urgent
    messages are ``alerts.Alert`` rows whose subject is this episode (orange and red each once)."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    state = models.CharField(_("state"), max_length=16, choices=AlertState.choices, default=AlertState.RAISED)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    organisation_id_snapshot = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    exercise = models.BooleanField(_("exercise"), default=False)
    raised_at = models.DateTimeField(_("raised at"))
    observed_at = models.DateTimeField(_("reading observed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    working = models.JSONField(_("working"), default=dict, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    eased_at = models.DateTimeField(_("eased at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = MonitoringAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring alert")
        verbose_name_plural = _("monitoring alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            # One open episode per zone and kind (and per silent source): the ingest and the silence scan lock
            # the zone state / source row first, and this makes a lost race an IntegrityError, not a duplicate.
            models.UniqueConstraint(
                fields=["zone", "kind", "exercise"],
                condition=Q(state__in=["raised", "acknowledged", "measures"], source__isnull=True),
                name="monitoring_alert_one_open_per_zone",
            ),
            models.UniqueConstraint(
                fields=["source", "kind"],
                condition=Q(state__in=["raised", "acknowledged", "measures"], source__isnull=False),
                name="monitoring_alert_one_open_per_source",
            ),
        ]
        indexes = [
            models.Index(
                fields=["jurisdiction_path"], opclasses=["varchar_pattern_ops"], name="monitoring_alert_path_idx"
            ),
            models.Index(fields=["zone", "-raised_at"], name="monitoring_alert_zone_idx"),
        ]

    def __str__(self) -> str:
        where = self.zone.name if self.zone_id and self.zone else (self.source.name if self.source else "")
        return f"{self.get_kind_display()} · {self.get_level_display()} · {where}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("monitoring:alert_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in (AlertState.RAISED, AlertState.ACKNOWLEDGED, AlertState.MEASURES)


class MeasureTick(models.Model):
    """A plan measure (drills.PlanMeasure) ticked on an alert by field staff: recorded as a crowd-control
    measure on the gathering (events.Measure) or noted on the event's timeline."""

    alert = models.ForeignKey(MonitoringAlert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="ticks")
    plan_measure = models.ForeignKey(
        "drills.PlanMeasure", verbose_name=_("plan measure"), on_delete=models.PROTECT, related_name="+"
    )
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ticked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticked_at = models.DateTimeField(_("ticked at"))
    gathering_measure_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("measure ticked")
        verbose_name_plural = _("measures ticked")
        ordering = ["alert_id", "ticked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "plan_measure"], name="monitoring_tick_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} · {self.plan_measure_id}"
