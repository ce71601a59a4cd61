"""API serializers of the response app: inputs apart from outputs (HackSoft style). Choice fields are plain strings
documented in their help text, each with its ``*_label`` (the words the pages show)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crowdsafe.common.pii import mask_phone
from response.choices import ReportChannel
from response.models import (
    EscalationRequest,
    Force,
    Incident,
    IncidentMeasure,
    PublicReport,
    SituationReport,
)

# --- inputs ------------------------------------------------------------------------------------------------------


class TicketPushInputSerializer(serializers.Serializer[Any]):
    """A ticket of the 110 or 12345 dispatch system. Pushing the same ticket number again changes nothing."""

    ticket_number = serializers.CharField(max_length=40)
    channel = serializers.CharField(max_length=8, help_text="110 or 12345.")
    received_at = serializers.DateTimeField(required=False, help_text="When the call was taken (ISO 8601).")
    place_text = serializers.CharField(max_length=200)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    def validate_channel(self, value: str) -> str:
        if value not in (ReportChannel.POLICE_110, ReportChannel.HOTLINE_12345):
            raise serializers.ValidationError(_("Either 110 or 12345."))
        return value


class IncidentReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=5000)


class LevelInputSerializer(serializers.Serializer[Any]):
    level = serializers.CharField(max_length=8, help_text="IV, III, II or I.")
    reason = serializers.CharField(max_length=5000)


class ActivateInputSerializer(serializers.Serializer[Any]):
    plan = serializers.IntegerField(help_text="The id of one of the proposed plans (``proposals`` of the incident).")
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ForceRequestInputSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=12, help_text="police, fire, medical, urban, volunteers or other.")
    requested_count = serializers.IntegerField(min_value=1, max_value=100_000)
    department = serializers.IntegerField(required=False, allow_null=True, help_text="The id of the department asked.")
    unit = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ForceAdvanceInputSerializer(serializers.Serializer[Any]):
    force = serializers.IntegerField()
    state = serializers.CharField(max_length=12, help_text="dispatched, on_scene or released.")
    arrived_count = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True)


class SituationReportInputSerializer(serializers.Serializer[Any]):
    situation = serializers.CharField(max_length=5000)
    measures = serializers.CharField(max_length=5000)
    forces = serializers.CharField(max_length=5000)
    needs = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(max_length=5000)


class HandoverInputSerializer(serializers.Serializer[Any]):
    to_user = serializers.IntegerField(help_text="The id of the new commander.")
    reason = serializers.CharField(max_length=5000)


class CloseInputSerializer(serializers.Serializer[Any]):
    summary = serializers.CharField(max_length=5000)
    lessons = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        max_length=50,
        help_text="What the activated plans must change: each becomes an after-action item of each plan.",
    )


# --- outputs -----------------------------------------------------------------------------------------------------


class IncidentOutputSerializer(serializers.ModelSerializer[Incident]):
    status = serializers.CharField(read_only=True, help_text="open or closed.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    level = serializers.CharField(source="level.code", read_only=True, help_text="IV, III, II or I.")
    level_label = serializers.CharField(source="level.__str__", read_only=True)
    jurisdiction = serializers.CharField(source="jurisdiction.name", read_only=True)
    tier = serializers.CharField(source="tier.name", read_only=True)
    commander = serializers.CharField(source="commander.display_name", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "title",
            "status",
            "status_label",
            "source_label",
            "level",
            "level_label",
            "jurisdiction",
            "tier",
            "commander",
            "place",
            "exercise",
            "opened_at",
            "next_report_due_at",
            "closed_at",
            "summary",
        ]


class IncidentMeasureOutputSerializer(serializers.ModelSerializer[IncidentMeasure]):
    department = serializers.CharField(source="department.name", read_only=True, default="")
    status = serializers.CharField(read_only=True, help_text="pending, done or cancelled.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = IncidentMeasure
        fields = [
            "id",
            "kind_label",
            "action",
            "department",
            "routing_reason",
            "due_at",
            "status",
            "status_label",
            "done_at",
        ]


class ForceOutputSerializer(serializers.ModelSerializer[Force]):
    kind = serializers.CharField(read_only=True, help_text="police, fire, medical, urban, volunteers or other.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state = serializers.CharField(read_only=True, help_text="requested, dispatched, on_scene or released.")
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True, default="")

    class Meta:
        model = Force
        fields = [
            "id",
            "kind",
            "kind_label",
            "department",
            "unit",
            "requested_count",
            "arrived_count",
            "state",
            "state_label",
            "requested_at",
            "dispatched_at",
            "on_scene_at",
            "released_at",
        ]


class SituationReportOutputSerializer(serializers.ModelSerializer[SituationReport]):
    notice_number = serializers.CharField(source="notice.number", read_only=True, default="")

    class Meta:
        model = SituationReport
        fields = [
            "id",
            "sequence",
            "situation",
            "measures",
            "forces",
            "needs",
            "next_steps",
            "created_at",
            "notice_number",
        ]


class EscalationOutputSerializer(serializers.ModelSerializer[EscalationRequest]):
    status = serializers.CharField(read_only=True, help_text="pending, accepted, withdrawn or returned.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    from_tier = serializers.CharField(source="from_tier.name", read_only=True)
    to_tier = serializers.CharField(source="to_tier.name", read_only=True)
    to_jurisdiction = serializers.CharField(source="to_jurisdiction.name", read_only=True)
    window_seconds = serializers.SerializerMethodField()

    class Meta:
        model = EscalationRequest
        fields = [
            "id",
            "status",
            "status_label",
            "from_tier",
            "to_tier",
            "to_jurisdiction",
            "reason",
            "requested_at",
            "accepted_at",
            "window_seconds",
        ]

    def get_window_seconds(self, obj: EscalationRequest) -> int | None:
        window = obj.window
        return int(window.total_seconds()) if window is not None else None


class ProposalOutputSerializer(serializers.Serializer[Any]):
    plan = serializers.IntegerField(source="plan.pk")
    title = serializers.CharField(source="plan.title")
    reasons = serializers.ListField(child=serializers.CharField())
    activated = serializers.BooleanField()


class IncidentDetailOutputSerializer(IncidentOutputSerializer):
    """An incident with its common picture: measures, forces, the situation reports, the higher-level requests and
    the proposed plans with why each matches."""

    measures = IncidentMeasureOutputSerializer(many=True, read_only=True)
    forces = ForceOutputSerializer(many=True, read_only=True)
    reports = SituationReportOutputSerializer(many=True, read_only=True)
    escalations = EscalationOutputSerializer(many=True, read_only=True)
    proposals = serializers.SerializerMethodField()

    class Meta(IncidentOutputSerializer.Meta):
        fields = [*IncidentOutputSerializer.Meta.fields, "measures", "forces", "reports", "escalations", "proposals"]

    @extend_schema_field(ProposalOutputSerializer(many=True))
    def get_proposals(self, obj: Incident) -> list[dict[str, Any]]:
        from response.selectors import plans_proposed

        data: list[dict[str, Any]] = ProposalOutputSerializer(plans_proposed(obj), many=True).data  # type: ignore[assignment]
        return data


class ReportOutputSerializer(serializers.ModelSerializer[PublicReport]):
    """A report from the public. The caller's number is masked; ``POST …/reveal/`` shows it (logged)."""

    channel = serializers.CharField(read_only=True, help_text="110, 12345 or web.")
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text="received, linked, gathering_created or no_action.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    jurisdiction = serializers.CharField(source="jurisdiction.name", read_only=True)
    caller_phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = PublicReport
        fields = [
            "id",
            "ticket_number",
            "channel",
            "channel_label",
            "received_at",
            "place_text",
            "latitude",
            "longitude",
            "description",
            "caller_phone_masked",
            "jurisdiction",
            "status",
            "status_label",
            "gathering",
            "incident",
            "first_action_at",
        ]

    def get_caller_phone_masked(self, obj: PublicReport) -> str:
        return mask_phone(obj.caller_phone)


class TicketOutputSerializer(serializers.ModelSerializer[PublicReport]):
    """What the dispatch system gets back: the ticket as recorded and whether it was new."""

    status = serializers.CharField(read_only=True, help_text="received, linked, gathering_created or no_action.")
    created = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = PublicReport
        fields = ["id", "ticket_number", "status", "received_at", "created", "status_url"]

    def get_created(self, obj: PublicReport) -> bool:
        return bool(self.context.get("created"))

    def get_status_url(self, obj: PublicReport) -> str:
        from django.urls import reverse

        return reverse("response:report", kwargs={"ticket": obj.ticket_number})


class PhoneOutputSerializer(serializers.Serializer[Any]):
    caller_phone = serializers.CharField()
