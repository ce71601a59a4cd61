"""The monitoring API (docs/contracts/monitoring.md): readings from sensors (their own token), zones and alerts."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, ParseError, ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import json
from rest_framework.views import APIView

from crowdsafe.common.api import ActionApi, validated
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scoped_or_404
from crowdsafe.org.models import Jurisdiction
from crowdsafe.web.api.parsers import BoundedJSONParser
from monitoring import selectors, services
from monitoring.api import schema as _schema  # noqa: F401  (the source token's OpenAPI scheme)
from monitoring.api.serializers import (
    MonitoredZoneDetailOutputSerializer,
    MonitoredZoneInputSerializer,
    MonitoredZoneOutputSerializer,
    MonitoredZoneUpdateSerializer,
    MonitoringAlertAdvanceInputSerializer,
    MonitoringAlertOutputSerializer,
    MonitoringSourceCreatedSerializer,
    MonitoringSourceInputSerializer,
    MonitoringSourceOutputSerializer,
    ReadingsInputSerializer,
    ReadingsOutputSerializer,
    ZoneCountInputSerializer,
)
from monitoring.filters import AlertFilterSet, ZoneFilterSet
from monitoring.models import MonitoringAlert, Source, Zone
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


def _too_deep(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests arrays and objects deeper than ``limit`` (the same depth as ``json_depth``
    counts in the text)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


class ReadingsJSONParser(BoundedJSONParser):
    """The API's bounded JSON parser for batches of up to 5,000 readings: the nesting is measured on the parsed
    value, not by scanning the text with regular expressions first (3.8 ms of a 1,000-reading batch, seven times
    the parse); a body nested too deeply for Python's parser is refused the same way."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.API_JSON_MAX_DEPTH
        too_deep = ParseError(_("The JSON body is nested too deeply: at most %(limit)s levels.") % {"limit": limit})
        try:
            text = codecs.getreader(encoding)(stream).read()
            value = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except RecursionError as exc:
            raise too_deep from exc
        except ValueError as exc:
            raise ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from exc
        if _too_deep(value, limit):
            raise too_deep
        return value


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
    parser_classes = [ReadingsJSONParser, CsvParser]

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
        # Already the documented shape (ReadingsOutputSerializer, for the schema): serialising 5,000 rows field by
        # field again would cost more than evaluating them.
        return Response(result.as_dict(), status=status.HTTP_200_OK)


def _jurisdiction(code: Any, *, field: str = "jurisdiction") -> Jurisdiction:
    found = Jurisdiction.objects.filter(code=str(code or "").strip().upper()).first()
    if found is None:
        raise DomainError(_("Unknown division code."), field=field)
    return found


def _belongs_to(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The venue zone, permit application and gathering named by id, each among those the caller may see (an id
    outside the caller's scope is refused like an unknown one)."""
    out: dict[str, Any] = {}
    if "venue_zone" in data:
        out["venue_zone"] = None
        if data["venue_zone"]:
            from venues.models import Zone as VenueZone
            from venues.selectors import venue_visible

            out["venue_zone"] = (
                VenueZone.objects.filter(pk=data["venue_zone"], venue__in=venue_visible(user=user))
                .select_related("venue")
                .first()
            )
            if out["venue_zone"] is None:
                raise DomainError(_("No such venue zone is open to you."), field="venue_zone")
    if "application" in data:
        out["application"] = None
        if data["application"]:
            from permits.selectors import application_visible

            out["application"] = application_visible(user=user).filter(pk=data["application"]).first()
            if out["application"] is None:
                raise DomainError(_("No such permit application is open to you."), field="application")
    if "gathering" in data:
        out["gathering"] = None
        if data["gathering"]:
            from events.selectors import gathering_visible

            out["gathering"] = gathering_visible(user=user).filter(pk=data["gathering"]).first()
            if out["gathering"] is None:
                raise DomainError(_("No such gathering is open to you."), field="gathering")
    return out


def _zone_answer(request: Request, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    zone = get_scoped_or_404(selectors.zone_list(user=request.user), pk=pk)
    return Response(MonitoredZoneDetailOutputSerializer(zone, context={"request": request}).data, status=code)


class ZoneListApi(generics.ListAPIView[Any]):
    """Monitored zones the caller may see, with their current level."""

    serializer_class = MonitoredZoneOutputSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend]
    filterset_class = ZoneFilterSet

    def get_queryset(self) -> Any:
        return selectors.zone_list(user=self.request.user, filters=self.request.query_params)

    @extend_schema(request=MonitoredZoneInputSerializer, responses={201: MonitoredZoneDetailOutputSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a monitored zone (township officers, leaders, administrators of the territory, public security
        covering it)."""
        data = dict(validated(MonitoredZoneInputSerializer, request.data))
        zone = services.zone_create(
            actor=request.user,
            jurisdiction=_jurisdiction(data.pop("jurisdiction")),
            polygon=data.pop("polygon", None),
            area_m2=data.pop("area_m2", None),
            **{**data, **_belongs_to(request.user, data)},
        )
        return _zone_answer(request, zone.pk, code=status.HTTP_201_CREATED)


class ZoneDetailApi(generics.RetrieveAPIView[Any]):
    """One zone: level, density, utilisation and forecast with their working, and who is alerted for it."""

    serializer_class = MonitoredZoneDetailOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return selectors.zone_list(user=self.request.user)

    @extend_schema(request=MonitoredZoneUpdateSerializer, responses=MonitoredZoneDetailOutputSerializer)
    def patch(self, request: Request, pk: int, **kwargs: Any) -> Response:
        """Change a zone: a new polygon or area recomputes its area; capacities are refreshed."""
        zone = get_scoped_or_404(selectors.zone_list(user=request.user), pk=pk)
        data = dict(validated(MonitoredZoneUpdateSerializer, request.data, partial=True))
        services.zone_update(
            zone=zone,
            actor=request.user,
            polygon=data.pop("polygon", None),
            area_m2=data.pop("area_m2", None),
            **{**data, **_belongs_to(request.user, data)},
        )
        return _zone_answer(request, pk)


class ZoneCountApi(ActionApi):
    """A manual count (人工计数) by a steward or grid worker: the people in the zone now. It goes through the
    zone's own manual source and resets a gate counter's running balance (people inside) to the count."""

    input_serializer = ZoneCountInputSerializer
    output_serializer = MonitoredZoneDetailOutputSerializer

    def find(self, request: Request, **kwargs: Any) -> Zone:
        return get_scoped_or_404(selectors.zone_list(user=request.user), pk=kwargs.get("pk"))

    def perform(self, request: Request, obj: Zone, data: dict[str, Any]) -> Any:
        return services.count_record(
            zone=obj, count=data["count"], actor=request.user, observed_at=data.get("observed_at")
        )

    def output(self, request: Request, obj: Zone, result: Any) -> Zone:
        return get_scoped_or_404(selectors.zone_list(user=request.user), pk=obj.pk)


class SourceListApi(generics.ListAPIView[Any]):
    """Monitoring sources the caller may see (never their tokens)."""

    serializer_class = MonitoringSourceOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return selectors.source_list(user=self.request.user).select_related("jurisdiction")

    @extend_schema(request=MonitoringSourceInputSerializer, responses={201: MonitoringSourceCreatedSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a source for zones the caller manages. The answer carries its token, this once: keep it in the
        sensor's configuration (only its hash is stored)."""
        data = dict(validated(MonitoringSourceInputSerializer, request.data))
        wanted = sorted(set(data["zones"]))
        zones = list(selectors.zone_list(user=request.user).filter(pk__in=wanted, exercise=False))
        if len(zones) != len(wanted):
            raise DomainError(_("One of the zones is unknown or not open to you."), field="zones")
        jurisdiction = _jurisdiction(data["jurisdiction"]) if data.get("jurisdiction") else zones[0].jurisdiction
        source, token = services.source_create(
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            jurisdiction=jurisdiction,
            zones=zones,
            interval_s=data["interval_s"],
        )
        source.token = token  # type: ignore[attr-defined]
        return Response(MonitoringSourceCreatedSerializer(source).data, status=status.HTTP_201_CREATED)


class SourceDetailApi(generics.RetrieveAPIView[Any]):
    """One monitoring source: its zones, interval, last seen, suspect or revoked."""

    serializer_class = MonitoringSourceOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return selectors.source_list(user=self.request.user).select_related("jurisdiction")


class SourceRevokeApi(ActionApi):
    """Revoke a source's token: its readings are refused from now on (a new source gets a new token)."""

    output_serializer = MonitoringSourceOutputSerializer

    def find(self, request: Request, **kwargs: Any) -> Source:
        return get_scoped_or_404(selectors.source_list(user=request.user), pk=kwargs.get("pk"))

    def perform(self, request: Request, obj: Source, data: dict[str, Any]) -> Source:
        return services.source_revoke(source=obj, actor=request.user)


class AlertListApi(generics.ListAPIView[Any]):
    """Monitoring alerts, filterable by zone, level, state and kind."""

    serializer_class = MonitoringAlertOutputSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend]
    filterset_class = AlertFilterSet

    def get_queryset(self) -> Any:
        return selectors.alert_list(user=self.request.user, filters=self.request.query_params)


class AlertDetailApi(generics.RetrieveAPIView[Any]):
    """One monitoring alert with its working."""

    serializer_class = MonitoringAlertOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return selectors.alert_list(user=self.request.user)


class AlertAdvanceApi(ActionApi):
    """Move an alert forward: acknowledged → measures under way → eased → closed (closing from any state)."""

    input_serializer = MonitoringAlertAdvanceInputSerializer
    output_serializer = MonitoringAlertOutputSerializer

    def find(self, request: Request, **kwargs: Any) -> MonitoringAlert:
        return get_scoped_or_404(selectors.alert_list(user=request.user), pk=kwargs.get("pk"))

    def perform(self, request: Request, obj: MonitoringAlert, data: dict[str, Any]) -> MonitoringAlert:
        return services.alert_advance(alert=obj, to=data["to"], actor=request.user, note=data.get("note", ""))
