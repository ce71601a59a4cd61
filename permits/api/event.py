"""Issue 21 in the permits API: an event's security resources against the ratio table, its temporary structures
and their acceptance, the event-day readiness, the post-event review and copying an application. Scoped like the
rest of the API: an application outside the caller's scope is a 404, an action the caller may not take a 403, a
domain error a 400 naming its field; every write goes through ``permits.services``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import ActionApi, validated
from crowdsafe.errors import DomainError
from permits import selectors, services
from permits.api.serializers import PermitApplicationDetailOutputSerializer, _choice_field
from permits.api.views import ApplicationActionApi, detail_response
from permits.choices import AcceptanceVia, ResourceKind, ReviewOutcome, ReviewSide, StructureKind
from permits.models import EventSession, TemporaryStructure
from permits.resources import resource_check
from venues.models import Zone

ResourceKindField = _choice_field(ResourceKind, "PermitResourceKind")
StructureKindField = _choice_field(StructureKind, "PermitStructureKind")
AcceptanceViaField = _choice_field(AcceptanceVia, "PermitAcceptanceVia")
ReviewSideField = _choice_field(ReviewSide, "PermitReviewSide")
ReviewOutcomeField = _choice_field(ReviewOutcome, "PermitReviewOutcome")


# --- serializers ------------------------------------------------------------------------------------------------


class ResourceLineOutputSerializer(serializers.Serializer):
    resource = ResourceKindField(choices=ResourceKind.choices)
    label = serializers.CharField()
    planned = serializers.IntegerField()
    required = serializers.IntegerField()
    shortfall = serializers.IntegerField()
    per_people = serializers.IntegerField(allow_null=True)
    basis = serializers.CharField()
    city_rule = serializers.BooleanField()


class SessionResourcesOutputSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    starts_at = serializers.DateTimeField(source="session.starts_at")
    expected_attendance = serializers.IntegerField(source="session.expected_attendance")
    shortfall = serializers.BooleanField()
    lines = ResourceLineOutputSerializer(many=True)


class ResourceInputSerializer(serializers.Serializer):
    resource = ResourceKindField(choices=ResourceKind.choices)
    count = serializers.IntegerField(min_value=0, max_value=100_000)
    session = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    zone = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class StructureOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = StructureKindField(choices=StructureKind.choices)
    name = serializers.CharField()
    zone = serializers.IntegerField(source="zone_id", allow_null=True)
    builder = serializers.CharField()
    accepted = serializers.BooleanField(source="is_accepted")
    accepted_at = serializers.DateTimeField(allow_null=True)
    accepted_by = serializers.CharField(source="accepted_by_label")
    accepted_via = serializers.CharField(help_text="inspection, housing, other; empty until accepted")
    inspection = serializers.CharField(source="inspection_label")
    note = serializers.CharField(source="acceptance_note")


class StructureInputSerializer(serializers.Serializer):
    kind = StructureKindField(choices=StructureKind.choices)
    name = serializers.CharField(max_length=128)
    zone = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    builder = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)


class AcceptInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AttendanceRowSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    starts_at = serializers.CharField()
    expected = serializers.IntegerField()
    actual = serializers.IntegerField(allow_null=True)


class ReviewOutputSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    side = ReviewSideField(choices=ReviewSide.choices)
    attendance = AttendanceRowSerializer(many=True)
    incidents = serializers.CharField()
    worked = serializers.CharField()
    did_not_work = serializers.CharField()
    outcome = serializers.CharField(help_text="good, concerns, failed (the department's); empty for the organizer")
    recorded_at = serializers.DateTimeField()


class ReviewsOutputSerializer(serializers.Serializer):
    reviews = ReviewOutputSerializer(many=True)
    previous = ReviewOutputSerializer(many=True, help_text="The organizer's previous event's reviews.")


class ReviewInputSerializer(serializers.Serializer):
    attendance = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=10_000_000, allow_null=True),
        required=False,
        default=dict,
        help_text="{session id: actual attendance}",
    )
    incidents = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    worked = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    did_not_work = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")


# --- views ------------------------------------------------------------------------------------------------------


def _zone(application, pk):
    if pk is None:
        return None
    zone = Zone.objects.filter(pk=pk, venue_id=application.venue_id).first()
    if zone is None:
        raise DomainError(_("That zone is not part of the event's venue."), field="zone")
    return zone


class ResourcesApi(APIView):
    @extend_schema(responses=SessionResourcesOutputSerializer(many=True))
    def get(self, request, pk: int):
        """The planned resources of each session against the ratio table, with the shortfall and its basis."""
        application = selectors.application_get(user=request.user, pk=pk)
        return Response(SessionResourcesOutputSerializer(resource_check(application), many=True).data)

    @extend_schema(request=ResourceInputSerializer, responses=SessionResourcesOutputSerializer(many=True))
    def post(self, request, pk: int):
        """Plan a number of a resource for a session (none: every session) and a zone (none: the whole event)."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = validated(ResourceInputSerializer, request.data)
        session = None
        if data["session"] is not None:
            session = EventSession.objects.filter(pk=data["session"], application=application).first()
            if session is None:
                raise DomainError(_("That session is not part of this application."), field="session")
        services.resource_set(
            application=application,
            actor=request.user,
            resource=data["resource"],
            count=data["count"],
            session=session,
            zone=_zone(application, data["zone"]),
        )
        return Response(SessionResourcesOutputSerializer(resource_check(application), many=True).data)


class StructuresApi(APIView):
    @extend_schema(responses=StructureOutputSerializer(many=True))
    def get(self, request, pk: int):
        """The temporary structures listed on the application, with their acceptance."""
        application = selectors.application_get(user=request.user, pk=pk)
        return Response(StructureOutputSerializer(application.structures.all(), many=True).data)

    @extend_schema(request=StructureInputSerializer, responses={201: StructureOutputSerializer})
    def post(self, request, pk: int):
        """List a temporary structure (stage, stand, screen …) to be accepted before the event."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = validated(StructureInputSerializer, request.data)
        structure = services.temporary_structure_add(
            application=application,
            actor=request.user,
            kind=data["kind"],
            name=data["name"],
            zone=_zone(application, data["zone"]),
            builder=data["builder"],
        )
        return Response(StructureOutputSerializer(structure).data, status=status.HTTP_201_CREATED)


class StructureAcceptApi(ActionApi):
    """Record the acceptance (验收) of a temporary structure: the licensing department, the housing department
    or an inspecting department."""

    input_serializer = AcceptInputSerializer
    output_serializer = StructureOutputSerializer

    def find(self, request, pk: int, **kwargs):
        structure = get_object_or_404(TemporaryStructure, pk=pk)
        selectors.application_get(user=request.user, pk=structure.application_id)
        return structure

    def perform(self, request, structure, data: dict):
        return services.temporary_structure_accept(structure=structure, actor=request.user, note=data["note"])


class ReadyApi(ApplicationActionApi):
    """Confirm the approved event ready for the day; refused (400, ``structures_not_accepted``) while a temporary
    structure is not accepted."""

    def perform(self, request, application, data: dict):
        return services.application_mark_ready(application=application, actor=request.user)


class ReviewApi(APIView):
    @extend_schema(responses=ReviewsOutputSerializer)
    def get(self, request, pk: int):
        """This event's post-event reviews, and those of the organizer's previous event."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = {"reviews": list(application.reviews.all()), "previous": selectors.previous_reviews(application)}
        return Response(ReviewsOutputSerializer(data).data)

    @extend_schema(request=ReviewInputSerializer, responses=ReviewOutputSerializer)
    def post(self, request, pk: int):
        """Record (or replace) the caller's side of the post-event review: the organizer's, or the licensing
        department's with its outcome."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = validated(ReviewInputSerializer, request.data)
        review = services.review_record(application=application, actor=request.user, **data)
        return Response(ReviewOutputSerializer(review).data)


class CopyApi(APIView):
    @extend_schema(request=None, responses={201: PermitApplicationDetailOutputSerializer})
    def post(self, request, pk: int):
        """Start a new draft from one of the organisation's past applications (not its sessions, documents or
        decisions); answers with the new application."""
        source = selectors.application_get(user=request.user, pk=pk)
        application = services.application_copy(source=source, actor=request.user)
        return detail_response(request, application.pk, code=status.HTTP_201_CREATED)
