"""Serializers of the permits API: input serializers parse (every rule is checked by the services), output
serializers render. The legal checks of Order 505 are part of every application's output, as the issue asks:
``permit_required``, ``licensing_level``, ``licensing_department``, ``latest_filing_date``, ``filed_in_time``,
``statutory_decision_due``, ``promised_decision_due``, ``capacity_ok``."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crowdsafe.common.api import SITE_PATH
from crowdsafe.common.identifiers import CreditCodeSerializerField, ResidentIdSerializerField
from crowdsafe.common.pii import PHONE, RESIDENT_ID, masked_field
from crowdsafe.common.validators import PhoneSerializerField
from permits.choices import (
    ApplicationState,
    ChangeKind,
    ChangeStatus,
    CommentSection,
    ConditionStatus,
    DecisionOutcome,
    EventKind,
    InspectionResult,
    LicensingLevel,
    MaterialKind,
    PlanMode,
    PlanSection,
    SupervisionKind,
)

# --- choice fields: each choice set its own named component (several sit in fields called "kind" or "state") --


def _choice_field(choices, component: str) -> type[serializers.ChoiceField]:
    schema = {
        "type": "string",
        "enum": list(choices.values),
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
    }
    field = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field)


StateField = _choice_field(ApplicationState, "PermitApplicationState")
EventKindField = _choice_field(EventKind, "PermitEventKind")
LicensingLevelField = _choice_field(LicensingLevel, "PermitLicensingLevel")
MaterialKindField = _choice_field(MaterialKind, "PermitMaterialKind")
PlanModeField = _choice_field(PlanMode, "PermitPlanMode")
PlanSectionField = _choice_field(PlanSection, "PermitPlanSection")
InspectionResultField = _choice_field(InspectionResult, "PermitInspectionResult")
ConditionStatusField = _choice_field(ConditionStatus, "PermitConditionStatus")
ChangeKindField = _choice_field(ChangeKind, "PermitChangeKind")
ChangeStatusField = _choice_field(ChangeStatus, "PermitChangeStatus")
CommentSectionField = _choice_field(CommentSection, "PermitCommentSection")
SupervisionKindField = _choice_field(SupervisionKind, "PermitSupervisionKind")
DecisionOutcomeField = _choice_field(DecisionOutcome, "PermitDecisionOutcome")


class PermitNamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _ref(obj):
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


# --- inputs ----------------------------------------------------------------------------------------------


class PermitApplicationInputSerializer(serializers.Serializer):
    """The event, its venue and its safety-responsible person. On create, ``organisation`` (the applicant) is
    required unless the caller organizes for exactly one organisation."""

    organisation = serializers.IntegerField(required=False, min_value=1, write_only=True)
    event_name = serializers.CharField(max_length=128, required=False)
    event_kind = EventKindField(choices=EventKind.choices, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    venue = serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text="Venue id.")
    organized_by_government = serializers.BooleanField(required=False)
    regular_business = serializers.BooleanField(required=False)
    across_provinces = serializers.BooleanField(required=False)
    safety_person_name = serializers.CharField(required=False, allow_blank=True, max_length=64)
    safety_person_phone = PhoneSerializerField(required=False, allow_blank=True)
    safety_person_id_number = ResidentIdSerializerField(required=False, allow_blank=True)
    plan_mode = PlanModeField(choices=PlanMode.choices, required=False)


class PermitSessionInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    expected_attendance = serializers.IntegerField(min_value=1)


class PermitUndertakerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    credit_code = CreditCodeSerializerField()
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    contact_phone = PhoneSerializerField(required=False, allow_blank=True, default="")


class PermitZoneTicketsInputSerializer(serializers.Serializer):
    zone = serializers.IntegerField(min_value=1)
    tickets = serializers.IntegerField(min_value=0)


class PermitTicketsInputSerializer(serializers.Serializer):
    tickets = PermitZoneTicketsInputSerializer(many=True)


class PermitMaterialInputSerializer(serializers.Serializer):
    kind = MaterialKindField(choices=MaterialKind.choices)
    file = serializers.FileField()


class PermitPlanSectionInputSerializer(serializers.Serializer):
    section = PlanSectionField(choices=PlanSection.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    page = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)


class PermitPlanInputSerializer(serializers.Serializer):
    mode = PlanModeField(choices=PlanMode.choices)
    sections = PermitPlanSectionInputSerializer(many=True)


class PermitReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PermitRequiredReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PermitCorrectionInputSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)
    correction_due = serializers.DateField(required=False, allow_null=True, default=None)


class PermitReasonsInputSerializer(serializers.Serializer):
    reasons = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)


class PermitApprovedTicketsInputSerializer(serializers.Serializer):
    zone = serializers.IntegerField(min_value=1, help_text="Zone id.")
    tickets = serializers.IntegerField(min_value=0)


class PermitDecisionInputSerializer(serializers.Serializer):
    outcome = DecisionOutcomeField(choices=DecisionOutcome.choices)
    approved_capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    tickets = PermitApprovedTicketsInputSerializer(many=True, required=False, default=list)
    conditions = serializers.ListField(child=serializers.CharField(max_length=500), required=False, default=list)
    reasons = serializers.ListField(child=serializers.CharField(max_length=500), required=False, default=list)


class PermitCommentInputSerializer(serializers.Serializer):
    section = CommentSectionField(choices=CommentSection.choices)
    body = serializers.CharField(max_length=5000)
    visible_to_organizer = serializers.BooleanField(required=False, default=False)


class PermitInspectionInputSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    findings = serializers.CharField(max_length=5000)
    inspected_on = serializers.DateField(required=False, allow_null=True, default=None)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class PermitConditionReportInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class PermitConditionCheckInputSerializer(serializers.Serializer):
    done = serializers.BooleanField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class PermitSupervisionInputSerializer(serializers.Serializer):
    kind = SupervisionKindField(choices=SupervisionKind.choices)
    findings = serializers.CharField(max_length=5000)
    passed = serializers.BooleanField(required=False, default=True)


class PermitChangeRequestInputSerializer(serializers.Serializer):
    kind = ChangeKindField(choices=ChangeKind.choices)
    session = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    new_starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    new_ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000)


class PermitChangeDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- outputs ---------------------------------------------------------------------------------------------


class PermitCheckOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    ok = serializers.BooleanField(allow_null=True)
    status = serializers.CharField(help_text="ok, fail (blocks submission), warn (flagged) or na (cannot tell yet).")
    message = serializers.CharField()
    article = serializers.CharField(help_text="The article the check comes from.")
    blocking = serializers.BooleanField()


class PermitMissingOutputSerializer(serializers.Serializer):
    text = serializers.CharField()
    article = serializers.CharField()
    section = serializers.CharField()


class PermitApplicationOutputSerializer(serializers.Serializer):
    """An application with the legal checks computed for it (``checks`` is attached by the view)."""

    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    state = StateField(choices=ApplicationState.choices)
    event_kind = serializers.CharField()
    event_name = serializers.CharField()
    organisation = serializers.SerializerMethodField()
    venue = serializers.SerializerMethodField()
    expected_attendance = serializers.IntegerField()
    first_session_start = serializers.DateTimeField(allow_null=True)
    last_session_end = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    filed_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    review_due = serializers.DateField(allow_null=True)
    approved_capacity = serializers.IntegerField(allow_null=True)
    permit_required = serializers.SerializerMethodField()
    licensing_level = serializers.SerializerMethodField()
    licensing_department = serializers.SerializerMethodField()
    latest_filing_date = serializers.SerializerMethodField()
    filed_in_time = serializers.SerializerMethodField()
    statutory_decision_due = serializers.DateField(allow_null=True)
    promised_decision_due = serializers.DateField(allow_null=True)
    capacity_ok = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(PermitNamedRefSerializer)
    def get_organisation(self, obj):
        return _ref(obj.organisation)

    @extend_schema_field(PermitNamedRefSerializer(allow_null=True))
    def get_venue(self, obj):
        return _ref(obj.venue)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_permit_required(self, obj) -> bool:
        return obj.checks.permit_required

    @extend_schema_field(
        {"type": "string", "enum": ["county", "city", "ministry"], "nullable": True, "description": "Order 505 Art. 12"}
    )
    def get_licensing_level(self, obj):
        return obj.checks.licensing_level

    @extend_schema_field(PermitNamedRefSerializer(allow_null=True))
    def get_licensing_department(self, obj):
        return _ref(obj.licensing_department)

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_latest_filing_date(self, obj):
        return obj.checks.latest_filing_date

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_filed_in_time(self, obj):
        return obj.checks.filed_in_time

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_capacity_ok(self, obj):
        return obj.checks.capacity_ok

    @extend_schema_field(SITE_PATH)
    def get_url(self, obj) -> str:
        return reverse("permits:application_detail", args=[obj.pk])


class PermitSessionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    expected_attendance = serializers.IntegerField()


class PermitUndertakerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = masked_field(PHONE)


class PermitZonePlanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    zone = serializers.IntegerField(source="zone_id")
    zone_name = serializers.CharField(source="zone.name")
    tickets = serializers.IntegerField()
    approved_tickets = serializers.IntegerField(allow_null=True)


class PermitMaterialOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = MaterialKindField(choices=MaterialKind.choices)
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(SITE_PATH)
    def get_download_url(self, obj) -> str:
        return reverse("permits:material_download", args=[obj.pk])


class PermitPlanSectionOutputSerializer(serializers.Serializer):
    section = PlanSectionField(choices=PlanSection.choices)
    text = serializers.CharField()
    page = serializers.IntegerField(allow_null=True)


class PermitInspectionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    department = serializers.SerializerMethodField()
    duty_name = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    result = InspectionResultField(choices=InspectionResult.choices)
    findings = serializers.CharField()
    inspected_on = serializers.DateField(allow_null=True)
    photos = serializers.SerializerMethodField()

    @extend_schema_field(PermitNamedRefSerializer)
    def get_department(self, obj):
        return _ref(obj.department)

    @extend_schema_field({"type": "array", "items": SITE_PATH})
    def get_photos(self, obj):
        return [reverse("permits:photo_download", args=[p.pk]) for p in obj.photos.all()]


class PermitConditionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    status = ConditionStatusField(choices=ConditionStatus.choices)
    report_note = serializers.CharField()
    check_note = serializers.CharField()


class PermitChangeRequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = ChangeKindField(choices=ChangeKind.choices)
    session = serializers.IntegerField(source="session_id")
    original_starts_at = serializers.DateTimeField()
    new_starts_at = serializers.DateTimeField()
    new_ends_at = serializers.DateTimeField()
    reason = serializers.CharField()
    status = ChangeStatusField(choices=ChangeStatus.choices)
    decision_note = serializers.CharField()


class PermitSupervisionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = SupervisionKindField(choices=SupervisionKind.choices)
    findings = serializers.CharField()
    passed = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()


class PermitCommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section = CommentSectionField(choices=CommentSection.choices)
    author = serializers.CharField(source="author_label")
    by_organizer = serializers.BooleanField()
    body = serializers.CharField()
    visible_to_organizer = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class PermitApplicationDetailOutputSerializer(PermitApplicationOutputSerializer):
    description = serializers.CharField()
    organized_by_government = serializers.BooleanField()
    regular_business = serializers.BooleanField()
    across_provinces = serializers.BooleanField()
    safety_person_name = serializers.CharField()
    # Personal information: masked unless the caller asked with ?reveal=1 and may see it (crowdsafe/common/pii.py).
    safety_person_phone = masked_field(PHONE)
    safety_person_id_number = masked_field(RESIDENT_ID)
    plan_mode = PlanModeField(choices=PlanMode.choices)
    correction_items = serializers.ListField(child=serializers.CharField())
    correction_due = serializers.DateField(allow_null=True)
    not_accepted_reasons = serializers.ListField(child=serializers.CharField())
    refusal_reasons = serializers.ListField(child=serializers.CharField())
    sessions = PermitSessionOutputSerializer(many=True, source="sessions.all")
    undertakers = PermitUndertakerOutputSerializer(many=True, source="undertakers.all")
    zone_plans = PermitZonePlanOutputSerializer(many=True, source="zone_plans.all")
    materials = PermitMaterialOutputSerializer(many=True, source="materials.all")
    plan_sections = PermitPlanSectionOutputSerializer(many=True, source="plan_sections.all")
    inspections = PermitInspectionOutputSerializer(many=True, source="inspections.all")
    conditions = PermitConditionOutputSerializer(many=True, source="conditions.all")
    change_requests = PermitChangeRequestOutputSerializer(many=True, source="change_requests.all")
    supervision = PermitSupervisionOutputSerializer(many=True, source="supervision.all")
    ready_at = serializers.DateTimeField(allow_null=True, help_text="Event-day readiness confirmed (issue 21).")
    checks = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    @extend_schema_field(PermitCheckOutputSerializer(many=True))
    def get_checks(self, obj):
        return PermitCheckOutputSerializer(
            [
                {
                    "key": c.key,
                    "title": c.title,
                    "ok": c.ok,
                    "status": c.status,
                    "message": c.message,
                    "article": c.article,
                    "blocking": c.blocking,
                }
                for c in obj.checks.items
            ],
            many=True,
        ).data

    @extend_schema_field(PermitMissingOutputSerializer(many=True))
    def get_missing(self, obj):
        return [{"text": m.text, "article": m.article, "section": m.section} for m in obj.missing]


class PermitQueueItemOutputSerializer(PermitApplicationOutputSerializer):
    days_left = serializers.IntegerField(allow_null=True)
