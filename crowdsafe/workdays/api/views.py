"""Read-only calendar API: the days of a range, and the due date of a period. Any signed-in user."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import validated
from crowdsafe.workdays.api.serializers import (
    CalendarDayOutputSerializer,
    CalendarRangeInputSerializer,
    DeadlineInputSerializer,
    DeadlineOutputSerializer,
)
from crowdsafe.workdays.selectors import calendar_days, compute_deadline

BAD_INPUT = OpenApiResponse(description="Invalid parameters: an object mapping each field to its messages.")


class CalendarDaysApi(APIView):
    """Every day of a range (at most 366 days) with its type, holiday name and whether its year is covered.

    The range is the page: a bounded list, so it is not paginated."""

    @extend_schema(
        operation_id="calendar_days",
        parameters=[CalendarRangeInputSerializer],
        responses={200: CalendarDayOutputSerializer(many=True), 400: BAD_INPUT},
    )
    def get(self, request, **kwargs):
        params = validated(CalendarRangeInputSerializer, request.query_params)
        days = calendar_days(params["start"], params["end"])
        return Response(CalendarDayOutputSerializer(days, many=True).data)


class DeadlineApi(APIView):
    """The due date of a period of n working or calendar days from a start date, with an explanation."""

    @extend_schema(
        operation_id="calendar_deadline",
        parameters=[DeadlineInputSerializer],
        responses={200: DeadlineOutputSerializer, 400: BAD_INPUT},
    )
    def get(self, request, **kwargs):
        params = validated(DeadlineInputSerializer, request.query_params)
        deadline = compute_deadline(params["start"], params["n"], params["unit"])
        return Response(DeadlineOutputSerializer(deadline).data)
