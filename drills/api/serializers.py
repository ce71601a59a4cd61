"""API serializers of plans, drills and after-action items: filters, inputs and outputs kept apart (HackSoft).
Inputs parse and look up ids; the services check the domain rules."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crowdsafe.common.pii import PHONE, masked_field
from crowdsafe.common.validators import PhoneSerializerField
from crowdsafe.org.models import Department, Jurisdiction, Organisation
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
from drills.models import AfterActionItem, Drill, EmergencyPlan, PlanContact, PlanMeasure, PlanVersion

# Each choice set is its own named schema component: several sit in fields called "kind" or "status".


def _choice_field(choices, component: str, *, blank: str = "") -> type[serializers.ChoiceField]:
    """``blank``: what an empty string means, for a choice that may be left empty (its enum then lists "")."""
    lines = [f"* `{value}` - {label}" for value, label in choices.choices]
    schema = {
        "type": "string",
        "enum": [*([""] if blank else []), *choices.values],
        "description": "\n".join([*([f"* `` - {blank}"] if blank else []), *lines]),
    }
    field = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field)


PlanKindField = _choice_field(PlanKind, "PlanKind")
OwnerKindField = _choice_field(OwnerKind, "PlanOwnerKind")
ScopeKindField = _choice_field(ScopeKind, "PlanScopeKind")
GatheringKindField = _choice_field(
    GatheringKind, "PlanGatheringKind", blank="none (the plan is not about a kind of spontaneous gathering)"
)
AlertLevelField = _choice_field(AlertLevel, "PlanAlertLevel")
MeasureKindField = _choice_field(MeasureKind, "PlanMeasureKind")
DrillFormField = _choice_field(DrillForm, "DrillForm")
DrillStatusField = _choice_field(DrillStatus, "DrillStatus")
ItemStatusField = _choice_field(ItemStatus, "AfterActionItemStatus")
VersionSourceField = _choice_field(VersionSource, "PlanVersionSource")

PARTY_TYPES = ("department", "organisation", "jurisdiction")
PartyTypeField = extend_schema_field(
    {"type": "string", "enum": list(PARTY_TYPES), "description": "department, organisation or jurisdiction"},
    component_name="DrillPartyType",
)(type("PartyTypeField", (serializers.ChoiceField,), {}))


class DrillPartyInputSerializer(serializers.Serializer):
    """A party by type and id: a department, an organisation, or a jurisdiction (a township/street)."""

    type = PartyTypeField(choices=PARTY_TYPES)
    id = serializers.IntegerField(min_value=1)

    def validate(self, attrs):
        model = {"department": Department, "organisation": Organisation, "jurisdiction": Jurisdiction}[attrs["type"]]
        party = model.objects.filter(pk=attrs["id"]).first()
        if party is None:
            raise serializers.ValidationError({"id": _("No such %(type)s.") % {"type": attrs["type"]}})
        return party


class DrillPartyOutputSerializer(serializers.Serializer):
    type = serializers.SerializerMethodField()
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_type(self, obj) -> str:
        if isinstance(obj, Department):
            return "department"
        if isinstance(obj, Organisation):
            return "organisation"
        return "jurisdiction"

    def get_name(self, obj) -> str:
        return str(obj)


# --- inputs -----------------------------------------------------------------------------------------------


class PlanMeasureInputSerializer(serializers.Serializer):
    alert_level = AlertLevelField(choices=AlertLevel.choices)
    kind = MeasureKindField(choices=MeasureKind.choices)
    trigger = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    action = serializers.CharField(max_length=5000)
    responsible = serializers.CharField(max_length=200)


class PlanContactInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    role = serializers.CharField(max_length=100)
    phone = PhoneSerializerField()
    duty_phone = PhoneSerializerField(required=False, allow_blank=True, default="")


class EmergencyPlanInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = PlanKindField(choices=PlanKind.choices)
    owner = DrillPartyInputSerializer()
    scope_kind = ScopeKindField(choices=ScopeKind.choices)
    venue = serializers.IntegerField(required=False, min_value=1, allow_null=True)
    application = serializers.IntegerField(required=False, min_value=1, allow_null=True)
    gathering_kind = GatheringKindField(choices=GatheringKind.choices, required=False, allow_blank=True)
    territory = serializers.CharField(required=False, max_length=20, allow_blank=True, help_text="Division code.")
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    evacuation_target_minutes = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        required=False,
        allow_null=True,
        min_value=Decimal("0.1"),
        max_value=Decimal("1440"),
    )
    review_due = serializers.DateField(required=False, allow_null=True)
    drill_interval_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=120)
    measures = PlanMeasureInputSerializer(many=True, required=False)
    contacts = PlanContactInputSerializer(many=True, required=False)


class EmergencyPlanUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    kind = PlanKindField(choices=PlanKind.choices, required=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    evacuation_target_minutes = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        required=False,
        allow_null=True,
        min_value=Decimal("0.1"),
        max_value=Decimal("1440"),
    )
    review_due = serializers.DateField(required=False, allow_null=True)
    drill_interval_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=120)
    measures = PlanMeasureInputSerializer(many=True, required=False)
    contacts = PlanContactInputSerializer(many=True, required=False)


class PlanVersionInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, Word (.docx, .doc) or WPS, at most 20 MB.")
    summary_of_changes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class DrillScheduleInputSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1)
    scheduled_for = serializers.DateTimeField()
    scenario = serializers.CharField(max_length=5000)
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    form = DrillFormField(choices=DrillForm.choices, required=False, default=DrillForm.FUNCTIONAL)
    departments = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    units = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    other_units = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    public_participation = serializers.BooleanField(required=False, default=False)
    public_participants = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class AfterActionItemInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner = DrillPartyInputSerializer()
    due_date = serializers.DateField()
    requires_plan_revision = serializers.BooleanField(required=False, default=False)


class DrillRecordInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    narrative = serializers.CharField(max_length=5000)
    scenario = serializers.CharField(required=False, max_length=5000, help_text="Required for a drill not planned.")
    form = DrillFormField(choices=DrillForm.choices, required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1440)
    participants_count = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    participants_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    departments = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    units = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    other_units = serializers.CharField(required=False, allow_blank=True, max_length=255)
    public_participation = serializers.BooleanField(required=False)
    public_participants = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    evacuation_minutes = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        required=False,
        allow_null=True,
        min_value=Decimal("0.1"),
        max_value=Decimal("1440"),
    )
    evacuated_people = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    problems = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    items = AfterActionItemInputSerializer(many=True, required=False, default=list)


class DrillPhotosInputSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=12)


class DrillCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AfterActionItemCloseInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="For an item requiring a revision: the plan's revised version number."
    )
    file = serializers.FileField(required=False, help_text="Or upload the revised plan here (a new version).")
    summary_of_changes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


# --- outputs ----------------------------------------------------------------------------------------------


class PlanTerritorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PlanMeasureOutputSerializer(serializers.ModelSerializer):
    alert_level = AlertLevelField(choices=AlertLevel.choices)
    kind = MeasureKindField(choices=MeasureKind.choices)

    class Meta:
        model = PlanMeasure
        fields = ["alert_level", "kind", "trigger", "action", "responsible"]


class PlanContactOutputSerializer(serializers.ModelSerializer):
    phone = masked_field(PHONE)

    class Meta:
        model = PlanContact
        fields = ["name", "role", "phone", "duty_phone"]


class PlanVersionOutputSerializer(serializers.ModelSerializer):
    source = VersionSourceField(choices=VersionSource.choices)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = [
            "number",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "summary_of_changes",
            "source",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str:
        return reverse("drills:version_download", args=[obj.plan_id, obj.number])


class EmergencyPlanOutputSerializer(serializers.ModelSerializer):
    kind = PlanKindField(choices=PlanKind.choices)
    owner_kind = OwnerKindField(choices=OwnerKind.choices)
    owner = serializers.SerializerMethodField()
    scope_kind = ScopeKindField(choices=ScopeKind.choices)
    gathering_kind = GatheringKindField(choices=GatheringKind.choices, allow_blank=True)
    venue = serializers.SerializerMethodField()
    territory = PlanTerritorySerializer(source="jurisdiction")
    next_drill_due = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = EmergencyPlan
        fields = [
            "id",
            "title",
            "kind",
            "owner_kind",
            "owner",
            "scope_kind",
            "venue",
            "application_id",
            "gathering_kind",
            "territory",
            "summary",
            "evacuation_target_minutes",
            "review_due",
            "drill_interval_months",
            "is_active",
            "current_version",
            "last_drilled_on",
            "next_drill_due",
        ]

    @extend_schema_field(DrillPartyOutputSerializer)
    def get_owner(self, obj):
        return DrillPartyOutputSerializer(obj.owner).data

    @extend_schema_field(
        {"type": "object", "nullable": True, "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    )
    def get_venue(self, obj):
        return {"id": obj.venue_id, "name": obj.venue.name} if obj.venue_id else None


class EmergencyPlanDetailOutputSerializer(EmergencyPlanOutputSerializer):
    measures = PlanMeasureOutputSerializer(many=True)
    contacts = PlanContactOutputSerializer(many=True)
    versions = PlanVersionOutputSerializer(many=True)

    class Meta(EmergencyPlanOutputSerializer.Meta):
        fields = [*EmergencyPlanOutputSerializer.Meta.fields, "measures", "contacts", "versions"]


class AfterActionItemOutputSerializer(serializers.ModelSerializer):
    status = ItemStatusField(choices=ItemStatus.choices)
    owner = serializers.SerializerMethodField()
    resolved_by_version = serializers.SerializerMethodField()

    class Meta:
        model = AfterActionItem
        fields = [
            "id",
            "drill_id",
            "plan_id",
            "description",
            "owner",
            "due_date",
            "requires_plan_revision",
            "status",
            "closing_note",
            "closed_at",
            "resolved_by_version",
        ]

    @extend_schema_field(DrillPartyOutputSerializer)
    def get_owner(self, obj):
        return DrillPartyOutputSerializer(obj.owner).data

    def get_resolved_by_version(self, obj) -> int | None:
        return obj.resolved_by_version.number if obj.resolved_by_version_id else None


class DrillOutputSerializer(serializers.ModelSerializer):
    status = DrillStatusField(choices=DrillStatus.choices)
    form = DrillFormField(choices=DrillForm.choices)
    plan_title = serializers.CharField(source="plan.title")
    evacuation_met = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "plan_id",
            "plan_title",
            "status",
            "form",
            "scenario",
            "place",
            "scheduled_for",
            "on_date",
            "held_on",
            "duration_minutes",
            "evacuation_minutes",
            "evacuation_target_minutes",
            "evacuation_met",
            "participants_count",
            "public_participation",
            "public_participants",
        ]


class DrillDetailOutputSerializer(DrillOutputSerializer):
    departments = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    items = AfterActionItemOutputSerializer(many=True)

    class Meta(DrillOutputSerializer.Meta):
        fields = [
            *DrillOutputSerializer.Meta.fields,
            "narrative",
            "participants_note",
            "other_units",
            "evacuated_people",
            "problems",
            "plan_version",
            "cancel_reason",
            "departments",
            "units",
            "photos",
            "items",
        ]

    @extend_schema_field(DrillPartyOutputSerializer(many=True))
    def get_departments(self, obj):
        return DrillPartyOutputSerializer(obj.departments.all(), many=True).data

    @extend_schema_field(DrillPartyOutputSerializer(many=True))
    def get_units(self, obj):
        return DrillPartyOutputSerializer(obj.units.all(), many=True).data

    def get_photos(self, obj) -> list[str]:
        return [reverse("drills:drill_photo", args=[obj.pk, photo.pk]) for photo in obj.photos.all()]


class DrillComplianceRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    plans = serializers.IntegerField()
    drilled = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    overdue_drills = serializers.IntegerField()
    open_items = serializers.IntegerField()
    overdue_items = serializers.IntegerField()


class DrillComplianceOutputSerializer(serializers.Serializer):
    today = serializers.DateField()
    totals = DrillComplianceRowSerializer()
    by_department = DrillComplianceRowSerializer(many=True)
    by_township = DrillComplianceRowSerializer(many=True)
    by_venue_kind = DrillComplianceRowSerializer(many=True)


class PreEventDrillGapOutputSerializer(serializers.Serializer):
    application_id = serializers.IntegerField(source="application.pk")
    event_name = serializers.CharField(source="application.event_name")
    first_session = serializers.DateField(allow_null=True)
    due = serializers.DateField(allow_null=True)
    plan_id = serializers.SerializerMethodField()
    planned_drill_id = serializers.SerializerMethodField()

    def get_plan_id(self, obj) -> int | None:
        return obj.plan.pk if obj.plan else None

    def get_planned_drill_id(self, obj) -> int | None:
        return obj.planned.pk if obj.planned else None
