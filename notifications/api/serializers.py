"""API serializers of the notifications app: inputs apart from outputs (HackSoft style)."""

from __future__ import annotations

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


class PreferenceSerializer(serializers.ModelSerializer):
    """Input and output of a person's settings (the same fields both ways)."""

    quiet_start = serializers.TimeField(allow_null=True, required=False, format="%H:%M")
    quiet_end = serializers.TimeField(allow_null=True, required=False, format="%H:%M")
    digest_time = serializers.TimeField(required=False, format="%H:%M")

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
