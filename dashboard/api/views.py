"""API of the leaders' dashboard (issue 17 point 7), for the city's own screens: the responsibility matrix and
risk now, the same figures as the pages (the same selectors). Read-only; a caller who may not see the dashboard,
or asks for a place outside their territory, gets a 404; bad query parameters a 400."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import validated
from dashboard.access import dashboard_root
from dashboard.api.serializers import (
    MatrixQuerySerializer,
    MatrixSerializer,
    RiskNowSerializer,
    RootQuerySerializer,
    SupervisionSerializer,
)
from dashboard.forms import DEFAULT_PERIOD_DAYS
from dashboard.selectors.matrix import responsibility_matrix
from dashboard.selectors.risk import risk_now
from dashboard.selectors.supervision import supervision


def _period(query: dict) -> tuple[dt.date, dt.date]:
    end = query.get("date_to") or timezone.localdate()
    start = query.get("date_from") or end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    return (end, end) if start > end else (start, end)


class MatrixApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[MatrixQuerySerializer], responses=MatrixSerializer, operation_id="dashboard_matrix")
    def get(self, request: Request) -> Response:
        query = validated(MatrixQuerySerializer, request.query_params)
        root = dashboard_root(request.user, query.get("root") or None)
        today = timezone.localdate()
        end = query.get("date_to") or today
        start = query.get("date_from") or end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if start > end:
            start = end
        matrix = responsibility_matrix(user=request.user, root=root, today=today, period=(start, end))
        return Response(MatrixSerializer(matrix).data)


class RiskNowApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[RootQuerySerializer], responses=RiskNowSerializer, operation_id="dashboard_risk_now")
    def get(self, request: Request) -> Response:
        query = validated(RootQuerySerializer, request.query_params)
        root = dashboard_root(request.user, query.get("root") or None)
        now = risk_now(user=request.user, root=root, today=timezone.localdate())
        return Response(RiskNowSerializer(now).data)


class SupervisionApi(APIView):
    """Per department: 督办 (escalations) sent and acknowledged in the period, and the reminder gaps now."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[MatrixQuerySerializer], responses=SupervisionSerializer, operation_id="dashboard_supervision"
    )
    def get(self, request: Request) -> Response:
        query = validated(MatrixQuerySerializer, request.query_params)
        root = dashboard_root(request.user, query.get("root") or None)
        result = supervision(user=request.user, root=root, period=_period(query))
        return Response(SupervisionSerializer(result).data)
