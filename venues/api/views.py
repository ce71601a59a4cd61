"""The venues API: venues, and their zones and exits nested under them. Scoped like the pages: a venue
outside the caller's scope is a 404; one they may see but not change is a 403 on writes. Writes go through
``venues.services``; a domain error is a 400 naming its field."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common import pii
from crowdsafe.common.api import ActionApi, validated
from crowdsafe.common.filters import FilterSetBackend
from venues import selectors, services
from venues.api.serializers import (
    ExitInputSerializer,
    ExitOutputSerializer,
    VenueDeactivateInputSerializer,
    VenueDetailOutputSerializer,
    VenueInputSerializer,
    VenueOutputSerializer,
    ZoneInputSerializer,
    ZoneOutputSerializer,
)
from venues.capacity import load_parameters, venue_capacity_from_models
from venues.filters import VenueFilterSet
from venues.models import Exit, Venue, Zone


def attach_capacity(venues, parameters=None) -> None:
    """Compute each venue's capacity (and its zones') from their prefetched zones and exits, and attach it as
    ``capacity_result`` for the output serializers: no query per venue."""
    parameters = parameters or load_parameters()
    for venue in venues:
        result = venue_capacity_from_models(venue, parameters)
        venue.capacity_result = result.venue
        for zone in venue.zones.all():
            zone.capacity_result = result.zones[zone.pk]


def _detail(user, pk) -> Venue:
    venue = selectors.venue_detail(user=user, pk=pk)
    attach_capacity([venue])
    return venue


class VenueListApi(generics.ListAPIView):
    """Venues the caller may see, with their safe capacity and its working."""

    serializer_class = VenueOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = VenueFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Venue.objects.none()
        return selectors.venue_list_with_capacity(user=self.request.user, filters=self.request.query_params)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        attach_capacity(page if page is not None else queryset)
        return page

    @extend_schema(request=VenueInputSerializer, responses={201: VenueDetailOutputSerializer})
    def post(self, request, *args, **kwargs):
        data = validated(VenueInputSerializer, request.data)
        venue = services.venue_create(actor=request.user, **data)
        return Response(
            VenueDetailOutputSerializer(_detail(request.user, venue.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class VenueDetailApi(APIView):
    """One venue with its zones, exits, risk points and safety records, and the capacity with its working."""

    @extend_schema(
        responses=VenueDetailOutputSerializer,
        parameters=[pii.reveal_parameter("the safety-responsible person's phone")],
    )
    def get(self, request, pk: int, **kwargs):
        venue = _detail(request.user, pk)
        kinds = pii.reveal_kinds(
            request=request,
            subject=venue,
            fields={"responsible_person_phone": pii.PHONE},
            organisation_id=venue.operator_id,
        )
        return Response(VenueDetailOutputSerializer(venue, context={"request": request, "reveal": kinds}).data)

    @extend_schema(request=VenueInputSerializer, responses=VenueDetailOutputSerializer)
    def put(self, request, pk: int, **kwargs):
        return self._update(request, pk, partial=False)

    @extend_schema(request=VenueInputSerializer, responses=VenueDetailOutputSerializer)
    def patch(self, request, pk: int, **kwargs):
        return self._update(request, pk, partial=True)

    def _update(self, request, pk: int, *, partial: bool):
        venue = selectors.venue_get(user=request.user, pk=pk)
        data = validated(VenueInputSerializer, request.data, partial=partial)
        services.venue_update(venue=venue, actor=request.user, data=data)
        return Response(VenueDetailOutputSerializer(_detail(request.user, pk), context={"request": request}).data)


class VenueActionApi(ActionApi):
    """An action on a venue the caller may see (``venue_pk`` in the URL of its zones and exits)."""

    def find(self, request, pk: int | None = None, venue_pk: int | None = None, **kwargs) -> Venue:
        return selectors.venue_get(user=request.user, pk=venue_pk if pk is None else pk)


class VenueDeactivateApi(VenueActionApi):
    """Take the venue off the active register, with the reason."""

    input_serializer = VenueDeactivateInputSerializer
    output_serializer = VenueDetailOutputSerializer

    def perform(self, request, venue: Venue, data: dict):
        return services.venue_deactivate(venue=venue, actor=request.user, reason=data["reason"])

    def output(self, request, venue: Venue, result) -> Venue:
        return _detail(request.user, venue.pk)


class ZoneListApi(VenueActionApi):
    """The zones of a venue, each with its capacity and working; POST adds one."""

    input_serializer = ZoneInputSerializer
    output_serializer = ZoneOutputSerializer
    success_status = status.HTTP_201_CREATED

    @extend_schema(responses=ZoneOutputSerializer(many=True))
    def get(self, request, venue_pk: int, **kwargs):
        venue = _detail(request.user, venue_pk)
        return Response(ZoneOutputSerializer(venue.zones.all(), many=True).data)

    def perform(self, request, venue: Venue, data: dict) -> Zone:
        return services.zone_create(venue=venue, actor=request.user, **data)

    def output(self, request, venue: Venue, zone: Zone) -> Zone:
        return _zone_with_capacity(request.user, venue.pk, zone.pk)


def _zone_with_capacity(user, venue_pk: int, zone_pk: int) -> Zone:
    venue = _detail(user, venue_pk)
    zone = next((z for z in venue.zones.all() if z.pk == zone_pk), None)
    if zone is None:
        raise Http404
    return zone


def _zone_out(user, venue_pk: int, zone_pk: int) -> dict:
    return ZoneOutputSerializer(_zone_with_capacity(user, venue_pk, zone_pk)).data


class ZoneDetailApi(APIView):
    def _zone(self, request, venue_pk: int, pk: int) -> Zone:
        venue = selectors.venue_get(user=request.user, pk=venue_pk)
        return generics.get_object_or_404(Zone.objects.select_related("venue"), pk=pk, venue=venue)

    @extend_schema(responses=ZoneOutputSerializer)
    def get(self, request, venue_pk: int, pk: int, **kwargs):
        zone = self._zone(request, venue_pk, pk)
        return Response(_zone_out(request.user, venue_pk, zone.pk))

    @extend_schema(request=ZoneInputSerializer, responses=ZoneOutputSerializer)
    def patch(self, request, venue_pk: int, pk: int, **kwargs):
        zone = self._zone(request, venue_pk, pk)
        data = validated(ZoneInputSerializer, request.data, partial=True)
        services.zone_update(zone=zone, actor=request.user, data=data)
        return Response(_zone_out(request.user, venue_pk, zone.pk))

    @extend_schema(responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request, venue_pk: int, pk: int, **kwargs):
        zone = self._zone(request, venue_pk, pk)
        services.zone_delete(zone=zone, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExitListApi(VenueActionApi):
    """The exits of a venue, with the zones each serves; POST adds one."""

    input_serializer = ExitInputSerializer
    output_serializer = ExitOutputSerializer
    success_status = status.HTTP_201_CREATED

    @extend_schema(responses=ExitOutputSerializer(many=True))
    def get(self, request, venue_pk: int, **kwargs):
        venue = selectors.venue_detail(user=request.user, pk=venue_pk)
        return Response(ExitOutputSerializer(venue.exits.all(), many=True).data)

    def perform(self, request, venue: Venue, data: dict) -> Exit:
        return services.exit_create(venue=venue, actor=request.user, **data)


class ExitDetailApi(APIView):
    def _exit(self, request, venue_pk: int, pk: int) -> Exit:
        venue = selectors.venue_get(user=request.user, pk=venue_pk)
        return generics.get_object_or_404(Exit.objects.select_related("venue"), pk=pk, venue=venue)

    @extend_schema(responses=ExitOutputSerializer)
    def get(self, request, venue_pk: int, pk: int, **kwargs):
        return Response(ExitOutputSerializer(self._exit(request, venue_pk, pk)).data)

    @extend_schema(request=ExitInputSerializer, responses=ExitOutputSerializer)
    def patch(self, request, venue_pk: int, pk: int, **kwargs):
        exit_ = self._exit(request, venue_pk, pk)
        data = validated(ExitInputSerializer, request.data, partial=True)
        exit_ = services.exit_update(exit=exit_, actor=request.user, data=data)
        return Response(ExitOutputSerializer(exit_).data)

    @extend_schema(responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request, venue_pk: int, pk: int, **kwargs):
        exit_ = self._exit(request, venue_pk, pk)
        services.exit_delete(exit=exit_, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
