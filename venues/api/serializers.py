"""API serializers for venues: filter, input and output kept apart (HackSoft). Outputs carry the capacity
computed with its working; the view attaches it (``venue.capacity``, ``zone.capacity``) before serializing."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crowdsafe.common.identifiers import CreditCodeSerializerField
from crowdsafe.common.pii import PHONE, masked_field
from crowdsafe.common.validators import PhoneSerializerField
from crowdsafe.org.models import Jurisdiction, Organisation
from venues.choices import (
    VENUE_LEVELS,
    BindingLimit,
    EquipmentKind,
    ExitKind,
    FireInspectionStatus,
    RiskPointKind,
    VenueKind,
    ZoneKind,
)
from venues.models import Exit, RiskPoint, SpecialEquipment, TemporaryStructure, Venue, Zone

# --- choice fields ---------------------------------------------------------------------------------------
# Each choice set is its own named schema component (VenueKind, ZoneKind, ...): several of them sit in fields
# called "kind", and drf-spectacular would otherwise have to invent names for the clashing enums.


def _choice_field(choices, component: str) -> type[serializers.ChoiceField]:
    schema = {
        "type": "string",
        "enum": list(choices.values),
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
    }
    field = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field)


VenueKindField = _choice_field(VenueKind, "VenueKind")
ZoneKindField = _choice_field(ZoneKind, "ZoneKind")
ExitKindField = _choice_field(ExitKind, "ExitKind")
RiskPointKindField = _choice_field(RiskPointKind, "RiskPointKind")
EquipmentKindField = _choice_field(EquipmentKind, "EquipmentKind")
FireInspectionStatusField = _choice_field(FireInspectionStatus, "FireInspectionStatus")
BindingLimitField = _choice_field(BindingLimit, "BindingLimit")


# --- inputs -----------------------------------------------------------------------------------------------


class VenueInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    kind = VenueKindField(choices=VenueKind.choices)
    grid = serializers.CharField(max_length=20, help_text="Division code of the grid or village/community.")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal("-90"),
        max_value=Decimal("90"),
        required=False,
        allow_null=True,
        default=None,
        help_text="WGS-84.",
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal("-180"),
        max_value=Decimal("180"),
        required=False,
        allow_null=True,
        default=None,
        help_text="WGS-84.",
    )
    operator_credit_code = CreditCodeSerializerField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="Unified social credit code of the operator organisation (it must be registered).",
    )
    responsible_person_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    responsible_person_phone = PhoneSerializerField(required=False, allow_blank=True, default="")
    declared_capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    fire_inspection_status = FireInspectionStatusField(
        choices=FireInspectionStatus.choices, required=False, default=FireInspectionStatus.NOT_INSPECTED
    )
    fire_inspection_date = serializers.DateField(required=False, allow_null=True, default=None)
    completion_acceptance_date = serializers.DateField(required=False, allow_null=True, default=None)
    completion_acceptance_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    built_year = serializers.IntegerField(min_value=1000, max_value=2100, required=False, allow_null=True, default=None)
    design_service_life_years = serializers.IntegerField(
        min_value=1, max_value=300, required=False, allow_null=True, default=None
    )
    safety_appraisal_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_grid(self, value: str) -> Jurisdiction:
        grid = Jurisdiction.objects.filter(code=value.strip().upper()).first()
        if grid is None:
            raise serializers.ValidationError(_("No grid or community has this code."))
        if grid.level not in VENUE_LEVELS:
            raise serializers.ValidationError(_("A venue is placed in a grid or a village/community."))
        return grid

    def validate_operator_credit_code(self, value: str | None) -> Organisation | None:
        if not value:
            return None
        organisation = Organisation.objects.filter(credit_code=value).first()
        if organisation is None:
            raise serializers.ValidationError(_("No organisation is registered with this unified social credit code."))
        return organisation

    def validate(self, attrs: dict) -> dict:
        # The services take the operator itself (``validate_operator_credit_code`` found it).
        attrs = super().validate(attrs)
        if "operator_credit_code" in attrs:
            attrs["operator"] = attrs.pop("operator_credit_code")
        return attrs


class VenueDeactivateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ZoneInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    kind = ZoneKindField(choices=ZoneKind.choices)
    usable_area_m2 = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    seats = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text="Required when seated.")


class ExitInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    kind = ExitKindField(choices=ExitKind.choices, default=ExitKind.LEVEL)
    clear_width_m = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"))
    zones = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="Ids of the zones (of this venue) that the exit serves.",
    )


# --- outputs ----------------------------------------------------------------------------------------------


class CapacityFieldsMixin(serializers.Serializer):
    """The capacity figures of a venue or zone, from ``obj.capacity_result`` (a ``CapacityResult``)."""

    area_capacity = serializers.IntegerField(source="capacity_result.area_capacity", allow_null=True, read_only=True)
    exit_capacity = serializers.IntegerField(source="capacity_result.exit_capacity", allow_null=True, read_only=True)
    safe_capacity = serializers.IntegerField(source="capacity_result.safe_capacity", allow_null=True, read_only=True)
    binding_limit = BindingLimitField(
        source="capacity_result.binding_limit",
        choices=BindingLimit.choices,
        allow_null=True,
        read_only=True,
        help_text="Which figure sets the safe capacity: area, exits, or (seated zones) seats.",
    )
    working = serializers.ListField(
        source="capacity_result.working",
        child=serializers.CharField(),
        read_only=True,
        help_text="How the figures were reached, step by step, in words.",
    )


class JurisdictionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "level"]


class OperatorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "credit_code"]


class ZoneOutputSerializer(CapacityFieldsMixin, serializers.ModelSerializer):
    kind = ZoneKindField(choices=ZoneKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Zone
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "usable_area_m2",
            "seats",
            "area_capacity",
            "exit_capacity",
            "safe_capacity",
            "binding_limit",
            "working",
        ]


class ExitOutputSerializer(serializers.ModelSerializer):
    kind = ExitKindField(choices=ExitKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    zones = serializers.SerializerMethodField(help_text="Ids of the zones the exit serves.")

    class Meta:
        model = Exit
        fields = ["id", "name", "kind", "kind_label", "clear_width_m", "zones"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_zones(self, obj: Exit) -> list[int]:
        return sorted(z.pk for z in obj.zones.all())


class RiskPointOutputSerializer(serializers.ModelSerializer):
    kind = RiskPointKindField(choices=RiskPointKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    photo = serializers.SerializerMethodField(help_text="URL of the photo (served to those who may see the venue).")

    class Meta:
        model = RiskPoint
        fields = ["id", "kind", "kind_label", "notes", "photo", "created_at"]

    def get_photo(self, obj: RiskPoint) -> str | None:
        if not obj.photo:
            return None
        url = reverse("venues:risk_photo", args=[obj.venue_id, obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class TemporaryStructureOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemporaryStructure
        fields = ["id", "name", "erected_on", "accepted_on", "accepted_by", "is_accepted", "notes"]


class SpecialEquipmentOutputSerializer(serializers.ModelSerializer):
    kind = EquipmentKindField(choices=EquipmentKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    inspection_overdue = serializers.SerializerMethodField()

    class Meta:
        model = SpecialEquipment
        fields = [
            "id",
            "kind",
            "kind_label",
            "name",
            "registration_no",
            "last_inspected_on",
            "next_inspection_due",
            "inspection_overdue",
        ]

    def get_inspection_overdue(self, obj: SpecialEquipment) -> bool:
        return obj.inspection_overdue()


class VenueOutputSerializer(CapacityFieldsMixin, serializers.ModelSerializer):
    responsible_person_phone = masked_field(PHONE)
    kind = VenueKindField(choices=VenueKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    grid = JurisdictionBriefSerializer(read_only=True)
    operator = OperatorBriefSerializer(read_only=True, allow_null=True)
    capacity_warning = serializers.BooleanField(
        source="capacity_result.declared_exceeds_computed",
        read_only=True,
        help_text="The declared capacity exceeds the computed safe capacity.",
    )

    class Meta:
        model = Venue
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "grid",
            "jurisdiction_path",
            "address",
            "latitude",
            "longitude",
            "operator",
            "responsible_person_name",
            "responsible_person_phone",
            "declared_capacity",
            "area_capacity",
            "exit_capacity",
            "safe_capacity",
            "binding_limit",
            "working",
            "capacity_warning",
            "is_active",
            "created_at",
            "updated_at",
        ]


class VenueDetailOutputSerializer(VenueOutputSerializer):
    fire_inspection_status = FireInspectionStatusField(choices=FireInspectionStatus.choices, read_only=True)
    zones = ZoneOutputSerializer(many=True, read_only=True)
    exits = ExitOutputSerializer(many=True, read_only=True)
    risk_points = RiskPointOutputSerializer(many=True, read_only=True)
    temporary_structures = TemporaryStructureOutputSerializer(many=True, read_only=True)
    special_equipment = SpecialEquipmentOutputSerializer(many=True, read_only=True)
    safety_appraisal_required = serializers.SerializerMethodField(
        help_text="The design service life is reached and no safety appraisal has been made since."
    )

    class Meta(VenueOutputSerializer.Meta):
        fields = [
            *VenueOutputSerializer.Meta.fields,
            "fire_inspection_status",
            "fire_inspection_date",
            "completion_acceptance_date",
            "completion_acceptance_ref",
            "built_year",
            "design_service_life_years",
            "safety_appraisal_date",
            "safety_appraisal_required",
            "zones",
            "exits",
            "risk_points",
            "temporary_structures",
            "special_equipment",
        ]

    def get_safety_appraisal_required(self, obj: Venue) -> bool:
        return obj.safety_appraisal_required()
