from __future__ import annotations

from typing import Any

from rest_framework import serializers

from monitoring.models import MonitoringAlert, Zone


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


class ZoneOutputSerializer(serializers.ModelSerializer[Zone]):
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    level = serializers.CharField(source="state.level", default="blue")
    count = serializers.IntegerField(source="state.count", default=None)
    density = serializers.FloatField(source="state.density", default=None)
    utilisation = serializers.FloatField(source="state.utilisation", default=None)
    observed_at = serializers.DateTimeField(source="state.observed_at", default=None)
    forecast = serializers.JSONField(source="state.forecast", default=dict)
    working = serializers.JSONField(source="state.working", default=dict)
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


class AlertOutputSerializer(serializers.ModelSerializer[MonitoringAlert]):
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
