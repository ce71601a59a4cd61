"""Input and output serializers of the inspections API (separate, HackSoft's style)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inspections.models import Inspection, InspectionAnswer, InspectionPart


class PartOutputSerializer(serializers.ModelSerializer[InspectionPart]):
    department = serializers.CharField(source="department.name")
    signed = serializers.BooleanField(source="is_signed")

    class Meta:
        model = InspectionPart
        fields = ["id", "department", "signed", "signed_at", "note"]


class AnswerOutputSerializer(serializers.ModelSerializer[InspectionAnswer]):
    item = serializers.IntegerField(source="item_id")
    item_key = serializers.CharField(source="item.key")
    text = serializers.CharField(source="item.text")
    severity = serializers.CharField(source="item.severity")
    hazard = serializers.IntegerField(source="hazard_id", allow_null=True)

    class Meta:
        model = InspectionAnswer
        fields = ["id", "item", "item_key", "text", "answer", "number", "passed", "note", "severity", "hazard"]


class InspectionOutputSerializer(serializers.ModelSerializer[Inspection]):
    # Plain strings, not enums: their choices are documented on the pages (and "state" and "subject_type" are other
    # apps' enum names in the schema).
    subject_type = serializers.CharField()
    state = serializers.CharField()
    origin = serializers.CharField()
    template = serializers.CharField(source="template.name")
    template_version = serializers.IntegerField(source="template.version")
    jurisdiction = serializers.CharField(source="jurisdiction.name")

    class Meta:
        model = Inspection
        fields = [
            "id",
            "subject_type",
            "subject_label",
            "venue",
            "application",
            "template",
            "template_version",
            "jurisdiction",
            "state",
            "origin",
            "failed_count",
            "answered_count",
            "started_at",
            "completed_at",
            "latitude",
            "longitude",
            "device_time",
        ]


class InspectionDetailOutputSerializer(InspectionOutputSerializer):
    parts = PartOutputSerializer(many=True, read_only=True)
    answers = AnswerOutputSerializer(many=True, read_only=True)

    class Meta(InspectionOutputSerializer.Meta):
        fields = [*InspectionOutputSerializer.Meta.fields, "parts", "answers"]


class AnswerInputSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    answer = serializers.ChoiceField(choices=["yes", "no", "na", ""], required=False, allow_blank=True, default="")
    number = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    device_time = serializers.DateTimeField(required=False, allow_null=True)


class AnswersInputSerializer(serializers.Serializer[Any]):
    key = serializers.UUIDField(help_text="The batch's idempotency key, made by the client; a repeat is not applied.")
    answers = AnswerInputSerializer(many=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True)
    device_time = serializers.DateTimeField(required=False, allow_null=True)


class AnswersOutputSerializer(serializers.Serializer[Any]):
    key = serializers.UUIDField()
    answered = serializers.IntegerField()
    failed = serializers.IntegerField()
    repeat = serializers.BooleanField(help_text="True when this key had been applied before (nothing changed now).")


class InspectionHazardInputSerializer(serializers.Serializer[Any]):
    answer = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class InspectionHazardOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    level = serializers.CharField()
    rectification_deadline = serializers.DateField()
    supervising_department = serializers.CharField(source="supervising_department.name", allow_null=True, default=None)


class SignInputSerializer(serializers.Serializer[Any]):
    part = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
