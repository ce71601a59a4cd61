"""Serializers of the dashboard's API (issue 17 point 7): the query of each read and the figures it returns."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from dashboard.forms import MAX_PERIOD_DAYS


class RootQuerySerializer(serializers.Serializer):
    # The query parameter is called ``root`` as on the pages; DRF's Field.root (the parent serializer) is a
    # property the stubs type, hence the ignore.
    root = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=20, help_text="Division code; default: the caller's territory."
    )


class MatrixQuerySerializer(RootQuerySerializer):
    date_from = serializers.DateField(required=False, help_text="Start of the period (default: 4 weeks ago).")
    date_to = serializers.DateField(required=False, help_text="End of the period (default: today).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": _("The end of the period is before its start.")})
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise serializers.ValidationError({"date_from": _("A period may cover at most ten years.")})
        return attrs


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CellSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    due_soon = serializers.IntegerField(help_text="Outstanding and due within 3 working days.")
    overdue = serializers.IntegerField()
    done = serializers.IntegerField(help_text="Done in the period.")
    on_time = serializers.IntegerField(help_text="Done in the period by the due date.")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="on_time ÷ done (null when nothing done).")
    median_days_overdue = serializers.FloatField(allow_null=True)
    oldest_overdue_task = serializers.IntegerField(allow_null=True, source="oldest_id")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A department kind, or ~territorial, ~organisation, ~unassigned.")
    name = serializers.CharField(source="label")


class MatrixRowSerializer(serializers.Serializer):
    place = PlaceSerializer(source="jurisdiction")
    name = serializers.CharField(source="label")
    own_level = serializers.BooleanField(help_text="Tasks about the chosen jurisdiction itself, not a child.")
    cells = CellSerializer(many=True)
    total = CellSerializer()


class MatrixSerializer(serializers.Serializer):
    root = PlaceSerializer()
    today = serializers.DateField()
    period_from = serializers.SerializerMethodField()
    period_to = serializers.SerializerMethodField()
    due_soon_until = serializers.DateField()
    columns = ColumnSerializer(many=True)
    rows = MatrixRowSerializer(many=True)
    column_totals = CellSerializer(many=True)
    total = CellSerializer()

    def get_period_from(self, obj: Any) -> str:
        return obj.period[0].isoformat()

    def get_period_to(self, obj: Any) -> str:
        return obj.period[1].isoformat()


class LevelCountsSerializer(serializers.Serializer):
    red = serializers.IntegerField()
    orange = serializers.IntegerField()
    yellow = serializers.IntegerField()
    blue = serializers.IntegerField()


class LevelRowSerializer(serializers.Serializer):
    place = PlaceSerializer(source="jurisdiction")
    name = serializers.CharField(source="label")
    counts = LevelCountsSerializer()


class VenueCountsSerializer(serializers.Serializer):
    red = serializers.IntegerField()
    orange = serializers.IntegerField()


class HazardCountsSerializer(serializers.Serializer):
    major = serializers.IntegerField(help_text="Open major hazards.")
    overdue = serializers.IntegerField(help_text="Open hazards past their rectification deadline.")


class AlertCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    red = serializers.IntegerField()
    orange = serializers.IntegerField()


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    zone = serializers.CharField(source="zone.name", allow_null=True, default=None)
    kind = serializers.CharField()
    level = serializers.CharField()
    state = serializers.CharField()
    raised_at = serializers.DateTimeField()


class DrillsSerializer(serializers.Serializer):
    plans = serializers.IntegerField(help_text="Plans in force.")
    drilled = serializers.IntegerField(help_text="Plans drilled within their interval.")
    overdue_drills = serializers.IntegerField()
    open_items = serializers.IntegerField(help_text="Open after-action items.")
    overdue_items = serializers.IntegerField()


class LargeEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_name = serializers.CharField()
    first_session_start = serializers.DateTimeField()
    expected_attendance = serializers.IntegerField()
    permit_state = serializers.CharField(source="state")
    permit_state_label = serializers.CharField(source="get_state_display")
    open_conditions = serializers.IntegerField(help_text="Conditions of the approval not yet checked and done.")


class KeyDateSerializer(serializers.Serializer):
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    days_away = serializers.IntegerField()


class RiskNowSerializer(serializers.Serializer):
    root = PlaceSerializer()
    gatherings_by_level = LevelRowSerializer(many=True, source="rows")
    gathering_totals = LevelCountsSerializer()
    venues = VenueCountsSerializer()
    hazards = HazardCountsSerializer()
    open_incidents = serializers.IntegerField()
    monitoring_alerts = AlertCountsSerializer(source="alert_counts")
    alerts = AlertSerializer(many=True)
    drills = DrillsSerializer()
    large_events = LargeEventSerializer(many=True)
    key_dates = KeyDateSerializer(many=True)


class SupervisionRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A department kind, or ~territorial, ~organisation, ~unassigned; empty: all.")
    name = serializers.CharField(source="label")
    sent = serializers.IntegerField(help_text="督办 (escalations) sent in the period.")
    acknowledged = serializers.IntegerField(help_text="Of those, opened by at least one recipient.")
    unacknowledged = serializers.IntegerField()
    gaps = serializers.IntegerField(help_text="Holders of outstanding tasks whom no reminder can reach.")
    gap_tasks = serializers.IntegerField(help_text="Outstanding tasks those holders hold.")
    sent_url = serializers.CharField(help_text="The page listing the messages behind ``sent``.")
    acknowledged_url = serializers.CharField()
    unacknowledged_url = serializers.CharField()
    gaps_url = serializers.CharField()


class SupervisionSerializer(serializers.Serializer):
    root = PlaceSerializer()
    period_from = serializers.SerializerMethodField()
    period_to = serializers.SerializerMethodField()
    rows = SupervisionRowSerializer(many=True)
    total = SupervisionRowSerializer()

    def get_period_from(self, obj: Any) -> str:
        return obj.period[0].isoformat()

    def get_period_to(self, obj: Any) -> str:
        return obj.period[1].isoformat()
