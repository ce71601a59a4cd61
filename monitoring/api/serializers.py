from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monitoring.choices import AlertState, SourceKind, ZoneKind
from monitoring.models import MonitoringAlert, Source, Zone


class ReadingRowSerializer(serializers.Serializer[Any]):
    """One reading: ``count``, or ``entered`` and ``exited`` (a gate pair), or ``density`` (p/m²)."""

    zone = serializers.IntegerField()
    observed_at = serializers.CharField(help_text="ISO 8601 with offset")
    count = serializers.IntegerField(required=False)
    entered = serializers.IntegerField(required=False)
    exited = serializers.IntegerField(required=False)
    density = serializers.FloatField(required=False)


class ReadingsInputSerializer(serializers.Serializer[Any]):
    readings = ReadingRowSerializer(many=True)


class RejectedSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    code = serializers.CharField()
    reason = serializers.CharField()


class AcceptedSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    zone = serializers.IntegerField()
    observed_at = serializers.CharField()
    duplicate = serializers.BooleanField()


class ReadingsOutputSerializer(serializers.Serializer[Any]):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = RejectedSerializer(many=True)
    rows = AcceptedSerializer(many=True)


class WorkingField(serializers.JSONField):
    """A zone state's working, each measure with its band's thresholds and cited source put back (the state stores
    the band's name only: ``monitoring.levels.working_stored``), and the sources' estimates the count was reconciled
    from (``candidates``) from the state's latest estimates. The bands are read once per response."""

    def to_representation(self, value: Any) -> Any:
        from monitoring.levels import load_bands, working_in_full
        from monitoring.services.evaluation import reconcile

        root = self.root
        bands = getattr(root, "_monitoring_bands", None)
        if bands is None:
            bands = load_bands()
            root._monitoring_bands = bands  # type: ignore[attr-defined]
        working = working_in_full(value.working or {}, bands)
        if working and "candidates" not in working and value.observed_at is not None:
            working = {**working, "candidates": reconcile(value.latest, at=value.observed_at)[2]}
        return super().to_representation(working)


class MonitoredZoneOutputSerializer(serializers.ModelSerializer[Zone]):
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    level = serializers.CharField(source="state.level", default="blue")
    count = serializers.IntegerField(source="state.count", default=None)
    density = serializers.FloatField(source="state.density", default=None)
    utilisation = serializers.FloatField(source="state.utilisation", default=None)
    observed_at = serializers.DateTimeField(source="state.observed_at", default=None)
    forecast = serializers.JSONField(source="state.forecast", default=dict)
    working = WorkingField(source="state", default=dict)
    interrupted = serializers.BooleanField(source="state.interrupted", default=False)

    class Meta:
        model = Zone
        fields = [
            "id",
            "name",
            "jurisdiction",
            "kind",
            "area_m2",
            "area_source",
            "polygon",
            "declared_capacity",
            "safe_capacity",
            "approved_capacity",
            "venue_zone",
            "application",
            "gathering",
            "level",
            "count",
            "density",
            "utilisation",
            "observed_at",
            "forecast",
            "working",
            "interrupted",
        ]


class MonitoringAlertOutputSerializer(serializers.ModelSerializer[MonitoringAlert]):
    class Meta:
        model = MonitoringAlert
        fields = [
            "id",
            "zone",
            "source",
            "kind",
            "level",
            "state",
            "raised_at",
            "observed_at",
            "reason",
            "working",
            "exercise",
        ]


# --- writes -----------------------------------------------------------------------------------------------------


class MonitoredZoneInputSerializer(serializers.Serializer[Any]):
    """A monitored zone. Its area comes from ``polygon`` (GeoJSON Polygon/MultiPolygon in WGS 84, geodesic m²),
    else ``area_m2``, else the venue zone's usable area."""

    name = serializers.CharField(max_length=128)
    jurisdiction = serializers.CharField(max_length=32, help_text="Division code of the territory (行政区划代码)")
    kind = serializers.ChoiceField(choices=ZoneKind.choices)
    area_m2 = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    declared_capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    polygon = serializers.JSONField(required=False, allow_null=True, help_text="GeoJSON Polygon or MultiPolygon")
    venue_zone = serializers.IntegerField(required=False, allow_null=True, help_text="id of a venue's zone")
    application = serializers.IntegerField(required=False, allow_null=True, help_text="id of a permit application")
    gathering = serializers.IntegerField(required=False, allow_null=True, help_text="id of a gathering")


class MonitoredZoneUpdateSerializer(serializers.Serializer[Any]):
    """What may change on a zone (its territory may not)."""

    name = serializers.CharField(max_length=128, required=False)
    kind = serializers.ChoiceField(choices=ZoneKind.choices, required=False)
    area_m2 = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    declared_capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    polygon = serializers.JSONField(required=False, allow_null=True)
    venue_zone = serializers.IntegerField(required=False, allow_null=True)
    application = serializers.IntegerField(required=False, allow_null=True)
    gathering = serializers.IntegerField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class ZoneCountInputSerializer(serializers.Serializer[Any]):
    """A manual count by a person (steward, grid worker): the people in the zone now (or at ``observed_at``)."""

    count = serializers.IntegerField(min_value=0, max_value=10_000_000)
    observed_at = serializers.DateTimeField(required=False, allow_null=True)


class WatcherPartySerializer(serializers.Serializer[Any]):
    party = serializers.CharField()
    from_level = serializers.CharField()
    people = serializers.ListField(child=serializers.CharField())


class WatcherSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    reason = serializers.CharField()
    parties = WatcherPartySerializer(many=True)


class MonitoredZoneDetailOutputSerializer(MonitoredZoneOutputSerializer):
    """One zone with who is alerted for it (from the alert rules, with the reason)."""

    watchers = serializers.SerializerMethodField()

    class Meta(MonitoredZoneOutputSerializer.Meta):
        fields = [*MonitoredZoneOutputSerializer.Meta.fields, "watchers"]

    @extend_schema_field(WatcherSerializer(many=True))
    def get_watchers(self, zone: Zone) -> list[dict[str, Any]]:
        from monitoring.selectors import zone_watchers

        return zone_watchers(zone)


class MonitoringSourceOutputSerializer(serializers.ModelSerializer[Source]):
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    zones: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    revoked = serializers.BooleanField(source="is_revoked")

    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "kind",
            "jurisdiction",
            "zones",
            "interval_s",
            "token_prefix",
            "revoked",
            "revoked_at",
            "last_seen_at",
            "suspect",
            "suspect_reason",
        ]


class MonitoringSourceCreatedSerializer(MonitoringSourceOutputSerializer):
    """The new source with its token: shown this once, only its hash is kept."""

    token = serializers.CharField()

    class Meta(MonitoringSourceOutputSerializer.Meta):
        fields = [*MonitoringSourceOutputSerializer.Meta.fields, "token"]


class MonitoringSourceInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=128)
    kind = serializers.ChoiceField(choices=[c for c in SourceKind.choices if c[0] != SourceKind.HEADCOUNT])
    zones = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=500)
    interval_s = serializers.IntegerField(min_value=1, max_value=86400, default=60)
    jurisdiction = serializers.CharField(
        max_length=32, required=False, help_text="Division code; default: the first zone's territory"
    )


class MonitoringAlertAdvanceInputSerializer(serializers.Serializer[Any]):
    to = serializers.ChoiceField(choices=[c for c in AlertState.choices if c[0] != AlertState.RAISED])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
