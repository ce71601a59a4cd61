"""API serializers of the risk app: filters, inputs and outputs kept apart (HackSoft). Outputs of assessments
carry ``score`` and ``level`` (after controls) beside the figures before controls."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from risk.choices import (
    AssessedSubject,
    AssessmentState,
    AssessorKind,
    CampaignAssignment,
    CampaignPurpose,
    CampaignState,
    ExtensionState,
    HazardLevel,
    HazardSource,
    HazardState,
    PhotoStage,
    RiskLevel,
    TargetStatus,
    VerificationOutcome,
)
from risk.models import (
    AssessmentCampaign,
    Hazard,
    HazardExtension,
    HazardPhoto,
    HazardVerification,
    RectificationPlan,
    RiskAssessment,
    RiskBand,
    RiskLevelChange,
    SubjectRiskLevel,
)
from risk.scoring import CONTROL_KEYS, FACTOR_KEYS


def _choice_field(choices, component: str) -> type[serializers.ChoiceField]:
    """A choice field that is its own named schema component (several enums share field names like "level")."""
    schema = {
        "type": "string",
        "enum": list(choices.values),
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
    }
    field = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field)


RiskLevelField = _choice_field(RiskLevel, "RiskLevel")
AssessedSubjectField = _choice_field(AssessedSubject, "AssessedSubject")
AssessmentStateField = _choice_field(AssessmentState, "AssessmentState")
AssessorKindField = _choice_field(AssessorKind, "AssessorKind")
HazardLevelField = _choice_field(HazardLevel, "HazardLevel")
HazardSourceField = _choice_field(HazardSource, "HazardSource")
HazardStateField = _choice_field(HazardState, "HazardState")
PhotoStageField = _choice_field(PhotoStage, "HazardPhotoStage")
VerificationOutcomeField = _choice_field(VerificationOutcome, "VerificationOutcome")
ExtensionStateField = _choice_field(ExtensionState, "ExtensionState")
CampaignPurposeField = _choice_field(CampaignPurpose, "CampaignPurpose")
CampaignAssignmentField = _choice_field(CampaignAssignment, "CampaignAssignment")
CampaignStateField = _choice_field(CampaignState, "CampaignState")
TargetStatusField = _choice_field(TargetStatus, "CampaignTargetStatus")


def _rating(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None, **kwargs)


# --- bands -----------------------------------------------------------------------------------------------------


class BandOutputSerializer(serializers.ModelSerializer):
    level = RiskLevelField(choices=RiskLevel.choices)

    class Meta:
        model = RiskBand
        fields = ["level", "min_score", "max_score"]


# --- assessments ------------------------------------------------------------------------------------------------


class FactorsSerializer(serializers.Serializer):
    """Each factor scored 0 (none) to 3 (high); a factor left out takes the platform's suggestion, or 0."""

    def get_fields(self):
        return {
            key: serializers.IntegerField(min_value=0, max_value=3, required=False, allow_null=True)
            for key in FACTOR_KEYS
        }


class AssessmentInputSerializer(serializers.Serializer):
    scenario = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    assessed_for = serializers.DateTimeField(required=False, allow_null=True, default=None)
    assessed_on = serializers.DateField(required=False, allow_null=True, default=None)
    expected_attendance = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    factors = FactorsSerializer(required=False, default=dict)
    controls = serializers.ListField(
        child=serializers.ChoiceField(choices=list(CONTROL_KEYS)), required=False, default=list
    )
    controls_other = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    likelihood = _rating(help_text="1–5 before controls; empty: as suggested.")
    severity = _rating(help_text="1–5 before controls; empty: as suggested.")
    residual_likelihood = _rating(help_text="1–5 after controls; empty: as suggested.")
    residual_severity = _rating(help_text="1–5 after controls; empty: as suggested.")
    judgement = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    def validate(self, attrs: dict) -> dict:
        # A factor sent as null takes the platform's suggestion: the service is given only the scored ones.
        attrs = super().validate(attrs)
        attrs["factors"] = {k: v for k, v in (attrs.get("factors") or {}).items() if v is not None}
        return attrs


class AssessmentCreateInputSerializer(AssessmentInputSerializer):
    subject_type = AssessedSubjectField(choices=AssessedSubject.choices)
    subject_id = serializers.IntegerField(min_value=1)
    campaign_target = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="Id of the campaign item it answers."
    )


class RiskReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class RiskNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AssessmentOutputSerializer(serializers.ModelSerializer):
    subject_type = AssessedSubjectField(choices=AssessedSubject.choices)
    assessor_kind = AssessorKindField(choices=AssessorKind.choices)
    state = AssessmentStateField(choices=AssessmentState.choices)
    level = RiskLevelField(choices=RiskLevel.choices, help_text="The level after controls.")
    inherent_level = RiskLevelField(choices=RiskLevel.choices)
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    assessor = serializers.CharField(source="assessor.display_name")
    reviewer = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "url",
            "subject_type",
            "subject_id",
            "subject_label",
            "venue",
            "jurisdiction",
            "organisation",
            "assessor_kind",
            "assessor",
            "assessor_department",
            "review_department",
            "campaign_target",
            "state",
            "scenario",
            "assessed_on",
            "assessed_for",
            "expected_attendance",
            "safe_capacity",
            "factors",
            "controls",
            "controls_other",
            "findings",
            "suggested_likelihood",
            "suggested_severity",
            "suggested_residual_likelihood",
            "suggested_residual_severity",
            "likelihood",
            "severity",
            "inherent_score",
            "inherent_level",
            "residual_likelihood",
            "residual_severity",
            "score",
            "level",
            "judgement",
            "submitted_at",
            "reviewer",
            "reviewed_at",
            "review_note",
            "signed_off_at",
        ]

    def get_reviewer(self, obj) -> str | None:
        return obj.reviewer.display_name if obj.reviewer_id else None

    def get_url(self, obj) -> str:
        return reverse("risk:assessment_detail", args=[obj.pk])


# --- register -------------------------------------------------------------------------------------------------


class RegisterOutputSerializer(serializers.ModelSerializer):
    subject_type = AssessedSubjectField(choices=AssessedSubject.choices)
    level = RiskLevelField(choices=RiskLevel.choices)
    jurisdiction = serializers.CharField(source="jurisdiction.code")

    class Meta:
        model = SubjectRiskLevel
        fields = [
            "subject_type",
            "subject_id",
            "subject_label",
            "venue",
            "jurisdiction",
            "level",
            "score",
            "assessment",
            "assessed_on",
            "since",
            "latitude",
            "longitude",
        ]


class LevelChangeOutputSerializer(serializers.ModelSerializer):
    from_level = serializers.CharField(help_text="Empty for the first level.")
    to_level = RiskLevelField(choices=RiskLevel.choices)

    class Meta:
        model = RiskLevelChange
        fields = ["from_level", "to_level", "score", "assessment", "changed_at"]


# --- hazards --------------------------------------------------------------------------------------------------


class HazardInputSerializer(serializers.Serializer):
    """Report a hazard about a subject (``subject_type`` + ``subject_id``) or at a place (``jurisdiction``, a
    division code). Photos as multipart ``photos`` parts."""

    subject_type = AssessedSubjectField(choices=AssessedSubject.choices, required=False, allow_null=True, default=None)
    subject_id = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    jurisdiction = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    assessment = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    level = HazardLevelField(choices=HazardLevel.choices)
    source = HazardSourceField(choices=HazardSource.choices, required=False, default=HazardSource.INSPECTION)
    found_on = serializers.DateField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=255)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    responsible_unit_name = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    rectification_deadline = serializers.DateField()
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    fixed_on_spot = serializers.BooleanField(required=False, default=False)
    fix_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    fix_photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    def validate(self, attrs):
        if bool(attrs.get("subject_type")) != bool(attrs.get("subject_id")):
            raise serializers.ValidationError({"subject_id": [_("Give both the subject type and its id.")]})
        if not attrs.get("subject_type") and not attrs.get("jurisdiction"):
            raise serializers.ValidationError({"jurisdiction": [_("Give the subject, or the grid or community.")]})
        return attrs


class HazardPhotosInputSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), min_length=1)


class HazardFixInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RectificationPlanInputSerializer(serializers.Serializer):
    goal = serializers.CharField(max_length=5000)
    measures = serializers.CharField(max_length=5000)
    funds_yuan = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    people = serializers.CharField(max_length=5000)
    deadline = serializers.DateField()
    interim_measures = serializers.CharField(max_length=5000)


class HazardVerifyInputSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    outcome = VerificationOutcomeField(choices=VerificationOutcome.choices)
    findings = serializers.CharField(max_length=5000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class HazardExtensionInputSerializer(serializers.Serializer):
    requested_deadline = serializers.DateField()
    reason = serializers.CharField(max_length=5000)


class HazardConfirmClosureInputSerializer(serializers.Serializer):
    confirmed = serializers.BooleanField(help_text="True: the fix is accepted and the hazard closed; false: refused.")
    note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", help_text="Required when refusing."
    )


class HazardExtensionDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RectificationOrderInputSerializer(serializers.Serializer):
    measures_required = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1, max_length=50)
    legal_basis = serializers.CharField(max_length=255, required=False, default="")


class RectificationOrderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    recipient = serializers.CharField()


class HazardPhotoOutputSerializer(serializers.ModelSerializer):
    stage = PhotoStageField(choices=PhotoStage.choices)
    url = serializers.SerializerMethodField()

    class Meta:
        model = HazardPhoto
        fields = ["id", "stage", "original_name", "size", "uploaded_at", "url"]

    def get_url(self, obj) -> str:
        return reverse("risk:hazard_photo", args=[obj.hazard_id, obj.pk])


class RectificationPlanOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationPlan
        fields = ["goal", "measures", "funds_yuan", "people", "deadline", "interim_measures", "submitted_at"]


class HazardVerificationOutputSerializer(serializers.ModelSerializer):
    outcome = VerificationOutcomeField(choices=VerificationOutcome.choices)
    inspector = serializers.CharField(source="inspector.display_name")

    class Meta:
        model = HazardVerification
        fields = ["id", "inspected_on", "inspector", "department", "outcome", "findings", "created_at"]


class HazardExtensionOutputSerializer(serializers.ModelSerializer):
    state = ExtensionStateField(choices=ExtensionState.choices)

    class Meta:
        model = HazardExtension
        fields = [
            "id",
            "reason",
            "previous_deadline",
            "requested_deadline",
            "requested_at",
            "state",
            "decided_at",
            "decision_note",
        ]


class HazardOutputSerializer(serializers.ModelSerializer):
    subject_type = serializers.CharField(help_text="venue, gathering, permit_application, or empty.")
    level = HazardLevelField(choices=HazardLevel.choices)
    source = HazardSourceField(choices=HazardSource.choices)
    state = HazardStateField(choices=HazardState.choices)
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    responsible_unit = serializers.CharField(source="responsible_label")
    supervisor = serializers.CharField(source="supervisor_label")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id",
            "url",
            "title",
            "description",
            "level",
            "source",
            "state",
            "subject_type",
            "subject_id",
            "subject_label",
            "venue",
            "jurisdiction",
            "location",
            "latitude",
            "longitude",
            "found_on",
            "organisation",
            "responsible_unit",
            "supervising_department",
            "supervisor",
            "rectification_deadline",
            "assessment",
            "closed_at",
            "close_note",
            "cancel_reason",
        ]

    def get_url(self, obj) -> str:
        return reverse("risk:hazard_detail", args=[obj.pk])


class HazardDetailOutputSerializer(HazardOutputSerializer):
    photos = HazardPhotoOutputSerializer(many=True, read_only=True)
    plan = serializers.SerializerMethodField()
    verifications = HazardVerificationOutputSerializer(many=True, read_only=True)
    extensions = HazardExtensionOutputSerializer(many=True, read_only=True)

    class Meta(HazardOutputSerializer.Meta):
        fields = [*HazardOutputSerializer.Meta.fields, "photos", "plan", "verifications", "extensions"]

    @extend_schema_field(RectificationPlanOutputSerializer(allow_null=True))
    def get_plan(self, obj):
        plan = RectificationPlan.objects.filter(hazard=obj).first()
        return RectificationPlanOutputSerializer(plan).data if plan else None


# --- campaigns ----------------------------------------------------------------------------------------------


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    purpose = CampaignPurposeField(choices=CampaignPurpose.choices)
    territory = serializers.CharField(max_length=20, help_text="Division code of the territory.")
    venue_kinds = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)
    deadline = serializers.DateField()
    assignment = CampaignAssignmentField(choices=CampaignAssignment.choices, default=CampaignAssignment.TERRITORIAL)
    assigned_department = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class CampaignProgressRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    due = serializers.IntegerField()
    overdue = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class CampaignProgressSerializer(serializers.Serializer):
    total = CampaignProgressRowSerializer()
    by_township = CampaignProgressRowSerializer(many=True)
    by_department = CampaignProgressRowSerializer(many=True)
    unassigned = serializers.IntegerField()


class CampaignOutputSerializer(serializers.ModelSerializer):
    purpose = CampaignPurposeField(choices=CampaignPurpose.choices)
    assignment = CampaignAssignmentField(choices=CampaignAssignment.choices)
    state = CampaignStateField(choices=CampaignState.choices)
    territory = serializers.CharField(source="territory.code")

    class Meta:
        model = AssessmentCampaign
        fields = [
            "id",
            "name",
            "purpose",
            "description",
            "territory",
            "venue_kinds",
            "deadline",
            "assignment",
            "assigned_department",
            "launched_by_department",
            "launched_by_jurisdiction",
            "state",
            "launched_at",
            "closed_at",
            "target_count",
            "unassigned_count",
        ]


class CampaignDetailOutputSerializer(CampaignOutputSerializer):
    progress = serializers.SerializerMethodField()

    class Meta(CampaignOutputSerializer.Meta):
        fields = [*CampaignOutputSerializer.Meta.fields, "progress"]

    @extend_schema_field(CampaignProgressSerializer)
    def get_progress(self, obj):
        from risk.selectors import campaign_progress

        return CampaignProgressSerializer(campaign_progress(campaign=obj)).data


class RelaunchOutputSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    campaign = CampaignDetailOutputSerializer()
