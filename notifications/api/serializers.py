"""API serializers of the notifications app: inputs apart from outputs (HackSoft style)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Delivery, DeliveryAttempt, Message, Notification, NotificationPreference

# Choice fields are plain strings here, documented in their help text: their names ("status", "kind", "channel")
# are used by other apps' choice sets too, and distinct enums of one name make the schema ambiguous.


class MessageOutputSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True,
        help_text="reminder_before, reminder_due, reminder_overdue, escalation_head, escalation_leader, alert, "
        "notice, digest or test.",
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "kind_label", "title", "body", "url", "urgent", "subject_label", "created_at"]


class NotificationOutputSerializer(serializers.ModelSerializer):
    message = MessageOutputSerializer(read_only=True)
    is_read = serializers.BooleanField(read_only=True)
    digest_state = serializers.CharField(
        read_only=True, help_text="Empty, pending (waiting for the daily digest) or sent (in a digest)."
    )

    class Meta:
        model = Notification
        fields = ["id", "message", "created_at", "read_at", "is_read", "digest_state"]


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        "example": "08:30",
        "description": "A local wall-clock time, hours and minutes (HH:MM).",
    }
)
class HourMinuteField(serializers.TimeField):
    """A time of day as people set it ("08:30"), not an RFC 3339 time with seconds and an offset: the schema says
    so by a pattern, as OpenAPI's ``format: time`` would promise a shape the API does not send."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)  # type: ignore[arg-type]


class PreferenceSerializer(serializers.ModelSerializer):
    """Input and output of a person's settings (the same fields both ways)."""

    quiet_start = HourMinuteField(allow_null=True, required=False)
    quiet_end = HourMinuteField(allow_null=True, required=False)
    digest_time = HourMinuteField(required=False)

    class Meta:
        model = NotificationPreference
        fields = ["email_enabled", "sms_enabled", "quiet_start", "quiet_end", "digest", "digest_time"]


class AttemptOutputSerializer(serializers.ModelSerializer):
    outcome = serializers.CharField(read_only=True, help_text="delivered, logged, transient, permanent or interrupted.")
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "finished_at", "outcome", "outcome_label", "response", "error"]


class DeliveryOutputSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(read_only=True, help_text="in_app, email, sms, wecom or dingtalk.")
    status = serializers.CharField(
        read_only=True, help_text="pending, claimed, delivered, logged (development backend only), failed or skipped."
    )
    title = serializers.CharField(source="message.title", read_only=True)
    message_kind = serializers.CharField(source="message.kind", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default="")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "title",
            "message_kind",
            "channel",
            "channel_label",
            "recipient_label",
            "address",
            "department",
            "department_name",
            "urgent",
            "status",
            "status_label",
            "attempts",
            "next_attempt_at",
            "last_error",
            "delivered_at",
            "created_at",
        ]


class DeliveryDetailOutputSerializer(DeliveryOutputSerializer):
    attempt_log = AttemptOutputSerializer(many=True, read_only=True)
    message = MessageOutputSerializer(read_only=True)

    class Meta(DeliveryOutputSerializer.Meta):
        fields = [*DeliveryOutputSerializer.Meta.fields, "message", "attempt_log"]
