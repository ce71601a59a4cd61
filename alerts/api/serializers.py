"""API serializers of the alerts app: inputs apart from outputs (HackSoft style).

Choice fields are plain strings documented in their help text, each with its ``*_label`` (the Chinese word the
pages show): "level" and "party" are names other apps' choice sets use too, and two enums of one name make the
schema ambiguous."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts import selectors
from alerts.access import can_oversee
from alerts.models import Alert, AlertTarget
from crowdsafe.org.access import get_scope


class AlertTargetOutputSerializer(serializers.ModelSerializer[AlertTarget]):
    """One person alerted: when they were told, by when they should acknowledge, when and how they did."""

    person = serializers.CharField(source="user.display_name", read_only=True)
    party = serializers.CharField(
        read_only=True,
        help_text="township, police_on_duty, venue_operator, organizer, territory_leader, emergency or escalation "
        "(the next person up).",
    )
    party_label = serializers.CharField(source="get_party_display", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True, default="")
    acknowledged_via = serializers.CharField(read_only=True, help_text="Empty, app or link.")
    acknowledged_via_label = serializers.CharField(source="get_acknowledged_via_display", read_only=True)
    is_acknowledged = serializers.BooleanField(read_only=True)

    class Meta:
        model = AlertTarget
        fields = [
            "id",
            "person",
            "party",
            "party_label",
            "department",
            "hop",
            "note",
            "notified_at",
            "ack_due_at",
            "is_acknowledged",
            "acknowledged_at",
            "acknowledged_via",
            "acknowledged_via_label",
            "escalated_at",
        ]


class AlertOutputSerializer(serializers.ModelSerializer[Alert]):
    """An alert, with the caller's own acknowledgment (``mine``: null when the caller was not alerted)."""

    level = serializers.CharField(read_only=True, help_text="orange or red.")
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    rule = serializers.CharField(source="rule.name", read_only=True)
    rule_reason = serializers.CharField(source="rule.reason", read_only=True)
    jurisdiction = serializers.CharField(source="jurisdiction.name", read_only=True)
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "title",
            "level",
            "level_label",
            "rule",
            "rule_reason",
            "reason",
            "subject_label",
            "subject_url",
            "jurisdiction",
            "exercise",
            "unreached",
            "created_at",
            "mine",
        ]

    @extend_schema_field(AlertTargetOutputSerializer(allow_null=True))
    def get_mine(self, alert: Alert) -> dict[str, Any] | None:
        target = selectors.target_of(alert, self.context["request"].user)
        return dict(AlertTargetOutputSerializer(target).data) if target is not None else None


class AlertDetailOutputSerializer(AlertOutputSerializer):
    """An alert with everyone alerted and every hop, for those who oversee it (the sender, the territory's leaders,
    the alerted departments); the others see only their own row in ``targets``."""

    targets = serializers.SerializerMethodField()

    class Meta(AlertOutputSerializer.Meta):
        fields = [*AlertOutputSerializer.Meta.fields, "targets"]

    @extend_schema_field(AlertTargetOutputSerializer(many=True))
    def get_targets(self, alert: Alert) -> list[dict[str, Any]]:
        user = self.context["request"].user
        rows = list(alert.targets.all())
        if not can_oversee(get_scope(user), alert):
            rows = [t for t in rows if t.user_id == user.pk]
        return list(AlertTargetOutputSerializer(rows, many=True).data)
