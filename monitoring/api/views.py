"""The monitoring API (docs/contracts/monitoring.md): readings from sensors (their own token), zones and alerts."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.filters import FilterSetBackend
from monitoring import selectors
from monitoring.api.serializers import (
    AlertOutputSerializer,
    ReadingsInputSerializer,
    ReadingsOutputSerializer,
    ZoneOutputSerializer,
)
from monitoring.filters import AlertFilterSet, ZoneFilterSet
from monitoring.models import Source
from monitoring.services import readings_ingest, source_for_token

CSV_COLUMNS = ("zone", "observed_at", "count", "entered", "exited", "density")


class CsvParser(BaseParser):
    """``text/csv`` with a header row of ``zone,observed_at,count,entered,exited,density``."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> dict[str, Any]:
        text = stream.read().decode("utf-8-sig", errors="replace")
        rows = [
            {k: (v if v != "" else None) for k, v in row.items() if k in CSV_COLUMNS}
            for row in csv.DictReader(io.StringIO(text))
        ]
        return {"readings": rows}


class SourceTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <source token>``: a sensor's own token, not a person's."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"token":
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("Invalid token header."))
        source = source_for_token(header[1].decode(errors="replace"))
        if source is None:
            raise AuthenticationFailed(_("Unknown or revoked source token."))
        return (None, source)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ReadingsApi(APIView):
    """Readings from one source (≤ 5,000 per batch, JSON or CSV). Each bad row is refused with its index and
    reason; the rest are stored. Sending the same batch again stores nothing twice."""

    authentication_classes = [SourceTokenAuthentication]
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, CsvParser]

    @extend_schema(request=ReadingsInputSerializer, responses={200: ReadingsOutputSerializer})
    def post(self, request: Request) -> Response:
        source = request.auth
        if not isinstance(source, Source):
            raise AuthenticationFailed(_("Send the source's token."))
        rows = request.data.get("readings") if isinstance(request.data, dict) else None
        if not isinstance(rows, list):
            raise ValidationError({"readings": [_("Send a list of readings.")]})
        if len(rows) > settings.MONITORING_MAX_BATCH:
            raise ValidationError(
                {"readings": [_("At most %(n)d readings per batch.") % {"n": settings.MONITORING_MAX_BATCH}]}
            )
        result = readings_ingest(source=source, rows=rows)
        return Response(ReadingsOutputSerializer(result.as_dict()).data, status=status.HTTP_200_OK)


class ZoneListApi(generics.ListAPIView[Any]):
    """Monitored zones the caller may see, with their current level."""

    serializer_class = ZoneOutputSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend]
    filterset_class = ZoneFilterSet

    def get_queryset(self) -> Any:
        return selectors.zone_list(user=self.request.user, filters=self.request.query_params)


class ZoneDetailApi(generics.RetrieveAPIView[Any]):
    """One zone: level, density, utilisation and forecast with their working."""

    serializer_class = ZoneOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return selectors.zone_list(user=self.request.user)


class AlertListApi(generics.ListAPIView[Any]):
    """Monitoring alerts, filterable by zone, level, state and kind."""

    serializer_class = AlertOutputSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend]
    filterset_class = AlertFilterSet

    def get_queryset(self) -> Any:
        return selectors.alert_list(user=self.request.user, filters=self.request.query_params)
