"""API serializers of gatherings: inputs and outputs kept apart (HackSoft; the list's filters are
``events.filters``). ``risk_reasons`` are the reasons of the current level in words, in the caller's language (the
automatic pre-level's facts rendered per request; staff's and assessments' reasons as given)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crowdsafe.common.api import api_date, api_datetime, paths_of
from crowdsafe.common.pii import PHONE, masked_field, shown
from crowdsafe.common.validators import PhoneSerializerField
from events.choices import (
    DateRule,
    DecisionKind,
    GatheringKind,
    GatheringSource,
    GatheringStatus,
    MeasureKind,
    Recurrence,
    RiskLevel,
    RiskSource,
)
from events.models import MAX_ATTENDANCE, Gathering, GatheringDecision, HeadcountUpdate, KeyDate, Measure
from events.triage import display_reasons


def _choice_field(choices, component: str) -> type[serializers.ChoiceField]:
    """A choice field that is its own named schema component (several enums sit in fields called "kind")."""
    schema = {
        "type": "string",
        "enum": list(choices.values),
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
    }
    field = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field)


GatheringKindField = _choice_field(GatheringKind, "GatheringKind")
GatheringStatusField = _choice_field(GatheringStatus, "GatheringStatus")
GatheringSourceField = _choice_field(GatheringSource, "GatheringSource")
RecurrenceField = _choice_field(Recurrence, "GatheringRecurrence")
RiskLevelField = _choice_field(RiskLevel, "GatheringRiskLevel")
RiskSourceField = _choice_field(RiskSource, "GatheringRiskSource")
DecisionKindField = _choice_field(DecisionKind, "GatheringDecisionKind")
MeasureKindField = _choice_field(MeasureKind, "MeasureKind")
DateRuleField = _choice_field(DateRule, "KeyDateRule")


# --- inputs -----------------------------------------------------------------------------------------------


class GatheringInputSerializer(serializers.Serializer):
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Made once per form instance by the client: sending the same key again returns the record the "
        "first call made (200 instead of 201).",
    )
    title = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    kind = GatheringKindField(choices=GatheringKind.choices)
    grid = serializers.CharField(
        max_length=20, required=False, help_text="Division code of the grid or village/community (or give a venue)."
    )
    venue = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Id of a registered venue."
    )
    location_name = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    location_accuracy_m = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    recurrence = RecurrenceField(choices=Recurrence.choices, required=False, default=Recurrence.ONCE)
    organizer_name = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    organizer_phone = PhoneSerializerField(required=False, allow_blank=True, default="")
    estimated_attendance_min = serializers.IntegerField(
        min_value=0, max_value=MAX_ATTENDANCE, required=False, allow_null=True
    )
    estimated_attendance_max = serializers.IntegerField(min_value=1, max_value=MAX_ATTENDANCE)
    source = GatheringSourceField(choices=GatheringSource.choices[:5])
    source_reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    online_hype = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class GatheringUpdateSerializer(GatheringInputSerializer):
    source = GatheringSourceField(choices=GatheringSource.choices)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RiskLevelInputSerializer(serializers.Serializer):
    level = RiskLevelField(choices=RiskLevel.choices)
    reason = serializers.CharField(max_length=2000, help_text="Why the level is changed (kept on the timeline).")


class DecisionInputSerializer(serializers.Serializer):
    kind = DecisionKindField(choices=DecisionKind.choices)
    reason = serializers.CharField(max_length=2000)
    decided_at = serializers.DateTimeField(required=False, allow_null=True)
    new_starts_at = serializers.DateTimeField(required=False, allow_null=True)
    new_ends_at = serializers.DateTimeField(required=False, allow_null=True)


class MergeInputSerializer(serializers.Serializer):
    into = serializers.IntegerField(min_value=1, help_text="Id of the gathering this one duplicates.")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MeasureInputSerializer(serializers.Serializer):
    kind = MeasureKindField(choices=MeasureKind.choices)
    applied_at = serializers.DateTimeField(required=False, allow_null=True)
    applied_by_unit = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    effect = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MeasureUpdateInputSerializer(serializers.Serializer):
    effect = serializers.CharField(max_length=2000, required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, help_text="When the measure was lifted.")


class HeadcountInputSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0, max_value=MAX_ATTENDANCE)
    observed_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class PhotoInputSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), min_length=1)


# --- outputs ----------------------------------------------------------------------------------------------


class PlaceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class GridOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class GatheringOutputSerializer(serializers.ModelSerializer):
    organizer_phone = masked_field(PHONE)
    kind = GatheringKindField(choices=GatheringKind.choices)
    status = GatheringStatusField(choices=GatheringStatus.choices)
    source = GatheringSourceField(choices=GatheringSource.choices)
    recurrence = RecurrenceField(choices=Recurrence.choices)
    risk_level = RiskLevelField(choices=RiskLevel.choices)
    risk_source = RiskSourceField(choices=RiskSource.choices)
    risk_reasons = serializers.SerializerMethodField()
    venue = serializers.SerializerMethodField()
    grid = GridOutputSerializer()
    key_date = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Gathering
        fields = [
            "id",
            "url",
            "title",
            "kind",
            "status",
            "venue",
            "grid",
            "location_name",
            "latitude",
            "longitude",
            "starts_at",
            "ends_at",
            "recurrence",
            "organizer_name",
            "organizer_phone",
            "estimated_attendance_min",
            "estimated_attendance_max",
            "source",
            "source_reference",
            "online_hype",
            "description",
            "risk_level",
            "risk_reasons",
            "risk_source",
            "risk_set_at",
            "risk_assessment_id",
            "latest_headcount",
            "latest_headcount_at",
            "merged_into",
            "key_date",
            "occurrence_on",
            "created_at",
            "updated_at",
        ]

    def get_risk_reasons(self, obj) -> list[str]:
        return display_reasons(obj)

    @extend_schema_field(PlaceOutputSerializer(allow_null=True))
    def get_venue(self, obj):
        return {"id": obj.venue_id, "name": obj.venue.name} if obj.venue_id else None

    def get_key_date(self, obj) -> str | None:
        return obj.key_date.name if obj.key_date_id else None

    def get_url(self, obj) -> str:
        return reverse("events:gathering_detail", args=[obj.pk])

    @cached_property
    def _per_request(self) -> tuple:
        """What every item of one answer shares: the time zone, the detail pages' paths, what may be shown in full."""
        return timezone.get_current_timezone(), paths_of("events:gathering_detail"), self.context.get("reveal", ())

    def to_representation(self, obj: Gathering) -> dict:
        """What DRF's generic ``to_representation`` makes of the fields above, written out (issue 19: the list API
        is 50 items of 33 fields; building the fields and calling each one's ``get_attribute`` and
        ``to_representation`` per item were most of its Python time). The declared fields stay: they are the schema.
        tests/events/test_api.py checks that both give the same for gatherings of every kind."""
        zone, path, reveal = self._per_request
        grid = obj.grid
        return {
            "id": obj.pk,
            "url": path(obj.pk),
            "title": obj.title,
            "kind": _choice(obj.kind),
            "status": _choice(obj.status),
            "venue": {"id": obj.venue_id, "name": obj.venue.name} if obj.venue_id else None,
            "grid": {"code": grid.code, "name": grid.name} if grid is not None else None,
            "location_name": obj.location_name,
            "latitude": _coordinate(obj.latitude),
            "longitude": _coordinate(obj.longitude),
            "starts_at": api_datetime(obj.starts_at, zone),
            "ends_at": api_datetime(obj.ends_at, zone),
            "recurrence": _choice(obj.recurrence),
            "organizer_name": obj.organizer_name,
            "organizer_phone": shown(PHONE, obj.organizer_phone, reveal),
            "estimated_attendance_min": obj.estimated_attendance_min,
            "estimated_attendance_max": obj.estimated_attendance_max,
            "source": _choice(obj.source),
            "source_reference": obj.source_reference,
            "online_hype": obj.online_hype,
            "description": obj.description,
            "risk_level": _choice(obj.risk_level),
            "risk_reasons": display_reasons(obj),
            "risk_source": _choice(obj.risk_source),
            "risk_set_at": api_datetime(obj.risk_set_at, zone),
            "risk_assessment_id": obj.risk_assessment_id,
            "latest_headcount": obj.latest_headcount,
            "latest_headcount_at": api_datetime(obj.latest_headcount_at, zone),
            "merged_into": obj.merged_into_id,
            "key_date": obj.key_date.name if obj.key_date_id else None,
            "occurrence_on": api_date(obj.occurrence_on),
            "created_at": api_datetime(obj.created_at, zone),
            "updated_at": api_datetime(obj.updated_at, zone),
        }


def _choice(value: str | None) -> str | None:
    """As DRF's ``ChoiceField`` writes a stored choice: its value as a plain string."""
    return None if value is None else str(value)


#: DRF's field for the model's coordinates (9 digits, 6 places): a string, as the settings say decimals are written.
_COORDINATE = serializers.DecimalField(
    max_digits=Gathering._meta.get_field("latitude").max_digits,
    decimal_places=Gathering._meta.get_field("latitude").decimal_places,
)


def _coordinate(value) -> str | None:
    return None if value is None else _COORDINATE.to_representation(value)


class MeasureOutputSerializer(serializers.ModelSerializer):
    kind = MeasureKindField(choices=MeasureKind.choices)
    applied_by = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = ["id", "kind", "description", "applied_by", "applied_by_unit", "applied_at", "ended_at", "effect"]

    def get_applied_by(self, obj) -> str:
        return obj.applied_by.display_name if obj.applied_by_id else ""


class HeadcountOutputSerializer(serializers.ModelSerializer):
    reported_by = serializers.SerializerMethodField()

    class Meta:
        model = HeadcountUpdate
        fields = ["id", "count", "observed_at", "reported_by", "note"]

    def get_reported_by(self, obj) -> str:
        return obj.reported_by.display_name if obj.reported_by_id else ""


class DecisionOutputSerializer(serializers.ModelSerializer):
    kind = DecisionKindField(choices=DecisionKind.choices)
    from_status = GatheringStatusField(choices=GatheringStatus.choices)
    to_status = GatheringStatusField(choices=GatheringStatus.choices)

    class Meta:
        model = GatheringDecision
        fields = [
            "id",
            "kind",
            "reason",
            "decided_by_label",
            "decided_at",
            "new_starts_at",
            "new_ends_at",
            "from_status",
            "to_status",
        ]


class PhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("events:gathering_photo", args=[obj.gathering_id, obj.pk])


class GatheringDetailOutputSerializer(GatheringOutputSerializer):
    measures = MeasureOutputSerializer(many=True)
    headcounts = HeadcountOutputSerializer(many=True)
    decisions = DecisionOutputSerializer(many=True)
    photos = PhotoOutputSerializer(many=True)

    def to_representation(self, obj: Gathering) -> dict:
        # One gathering at a time: DRF's generic path, field by field.
        return serializers.ModelSerializer.to_representation(self, obj)

    class Meta(GatheringOutputSerializer.Meta):
        fields = [*GatheringOutputSerializer.Meta.fields, "measures", "headcounts", "decisions", "photos"]


class KeyDateOutputSerializer(serializers.ModelSerializer):
    rule = DateRuleField(choices=DateRule.choices)
    festival = serializers.CharField(help_text="A statutory holiday (KeyDateFestival value), or empty.")
    next_starts_on = serializers.DateField(allow_null=True)
    next_ends_on = serializers.DateField(allow_null=True)

    class Meta:
        model = KeyDate
        fields = [
            "id",
            "name",
            "rule",
            "month",
            "day",
            "festival",
            "offset_days",
            "span_days",
            "lead_days",
            "gathering_kinds",
            "venue_kinds",
            "is_active",
            "next_starts_on",
            "next_ends_on",
        ]
