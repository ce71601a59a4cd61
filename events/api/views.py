"""The gatherings API. Scoped like the pages: a gathering outside the caller's scope is a 404; one they may see but
not act on is a 403 on writes. Writes go through ``events.services``; a domain error is a 400 naming its field."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common import pii
from crowdsafe.common.api import ActionApi, validated
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.errors import DomainError
from crowdsafe.org.models import Jurisdiction
from crowdsafe.web.api.pagination import CappedCountPagination
from crowdsafe.web.api.parsers import BoundedJSONParser
from events import selectors, services
from events.api.serializers import (
    DecisionInputSerializer,
    GatheringDetailOutputSerializer,
    GatheringInputSerializer,
    GatheringOutputSerializer,
    GatheringUpdateSerializer,
    HeadcountInputSerializer,
    HeadcountOutputSerializer,
    KeyDateOutputSerializer,
    MeasureInputSerializer,
    MeasureOutputSerializer,
    MeasureUpdateInputSerializer,
    MergeInputSerializer,
    NoteInputSerializer,
    PhotoInputSerializer,
    PhotoOutputSerializer,
    ReasonInputSerializer,
    RiskLevelInputSerializer,
)
from events.filters import GatheringFilterSet
from events.models import Gathering, Measure
from events.occasions import next_occurrence
from venues.selectors import venue_visible


def _detail(user, pk) -> Gathering:
    return selectors.gathering_detail(user=user, pk=pk)


def _detail_response(request, pk, *, code=status.HTTP_200_OK) -> Response:
    return Response(GatheringDetailOutputSerializer(_detail(request.user, pk)).data, status=code)


def _service_fields(user, data: dict, *, partial: bool) -> dict:
    """Resolve the grid code and the venue id of an input into objects (the venue among those the user may see)."""
    data = dict(data)
    data.pop("idempotency_key", None)
    if "grid" in data:
        code = (data.pop("grid") or "").strip().upper()
        grid = Jurisdiction.objects.filter(code=code).first()
        if grid is None:
            raise DomainError(_("No grid or community has the code “%(value)s”.") % {"value": code}, field="grid")
        data["grid"] = grid
    if "venue" in data:
        pk = data.pop("venue")
        if pk is None:
            data["venue"] = None
        else:
            venue = venue_visible(user=user).filter(pk=pk, is_active=True).first()
            if venue is None:
                raise DomainError(_("No active venue you may see has this id."), field="venue")
            data["venue"] = venue
    if not partial and data.get("estimated_attendance_min") is None:
        data["estimated_attendance_min"] = data.get("estimated_attendance_max")
    return data


class GatheringListApi(generics.ListAPIView):
    """The gatherings the caller may see (the list, 清单), newest start first; POST logs one. ``count`` counts up
    to 10,000 (``count_capped``: more than that); the pages go on past it."""

    serializer_class = GatheringOutputSerializer
    pagination_class = CappedCountPagination
    filter_backends = [FilterSetBackend]
    filterset_class = GatheringFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Gathering.objects.none()
        filters = GatheringFilterSet(self.request.query_params)
        # What the caller sees other than by territory, read once for the count and the rows.
        scope_ids = selectors.read_scope_ids(user=self.request.user, filters=filters)
        gatherings = selectors.gathering_list(user=self.request.user, filters=filters, scope_ids=scope_ids)
        plan = selectors.count_plan(user=self.request.user, filters=filters, scope_ids=scope_ids)
        self.count_order, self.lower_bound, self.known = plan.order, plan.lower_bound, plan.known  # the capped count
        return gatherings.select_related("key_date")

    @extend_schema(
        request=GatheringInputSerializer,
        responses={201: GatheringDetailOutputSerializer, 200: GatheringDetailOutputSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = validated(GatheringInputSerializer, request.data)
        key = data.get("idempotency_key")
        gathering, created = services.gathering_report(
            actor=request.user, idempotency_key=key, **_service_fields(request.user, data, partial=False)
        )
        return _detail_response(request, gathering.pk, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AttentionListApi(generics.ListAPIView):
    """Orange and red gatherings not yet closed in the caller's scope: red first, then by start. The register's
    envelope (``count_capped`` too): the two lists share the paginated schema of a gathering."""

    serializer_class = GatheringOutputSerializer
    pagination_class = CappedCountPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Gathering.objects.none()
        plan = selectors.attention_count_plan(user=self.request.user)
        self.count_order, self.lower_bound = plan.order, plan.lower_bound  # for the capped count
        return selectors.attention_list(user=self.request.user).select_related("key_date")


class GatheringDetailApi(APIView):
    """One gathering with its measures, headcounts, decisions and photos."""

    @extend_schema(
        responses=GatheringDetailOutputSerializer, parameters=[pii.reveal_parameter("the organizer's phone")]
    )
    def get(self, request, pk: int, **kwargs):
        gathering = _detail(request.user, pk)
        kinds = pii.reveal_kinds(
            request=request,
            subject=gathering,
            fields={"organizer_phone": pii.PHONE},
            organisation_id=gathering.organizer_id,
        )
        return Response(GatheringDetailOutputSerializer(gathering, context={"reveal": kinds}).data)

    @extend_schema(request=GatheringUpdateSerializer, responses=GatheringDetailOutputSerializer)
    def patch(self, request, pk: int, **kwargs):
        gathering = selectors.get_gathering_for(user=request.user, pk=pk)
        data = validated(GatheringUpdateSerializer, request.data, partial=True)
        services.gathering_update(
            gathering=gathering, actor=request.user, data=_service_fields(request.user, data, partial=True)
        )
        return _detail_response(request, pk)


class GatheringActionApi(ActionApi):
    """An action on a gathering the caller may see; by default it answers with the gathering's detail."""

    output_serializer = GatheringDetailOutputSerializer

    def find(self, request, pk: int, **kwargs) -> Gathering:
        return selectors.get_gathering_for(user=request.user, pk=pk)

    def output(self, request, gathering: Gathering, result):
        return _detail(request.user, gathering.pk)


class GatheringVerifyApi(GatheringActionApi):
    """The township or public security verified the reported gathering on site."""

    input_serializer = NoteInputSerializer

    def perform(self, request, gathering: Gathering, data: dict):
        return services.gathering_verify(gathering=gathering, actor=request.user, note=data["note"])


class GatheringConfirmApi(GatheringActionApi):
    """The township confirms that an expected gathering will take place."""

    input_serializer = NoteInputSerializer

    def perform(self, request, gathering: Gathering, data: dict):
        return services.gathering_confirm(gathering=gathering, actor=request.user, note=data["note"])


class GatheringDismissApi(GatheringActionApi):
    """An expected gathering that will not take place, or a false report, with the reason."""

    input_serializer = ReasonInputSerializer

    def perform(self, request, gathering: Gathering, data: dict):
        return services.gathering_dismiss(gathering=gathering, actor=request.user, reason=data["reason"])


class GatheringEndApi(GatheringActionApi):
    """The crowd has dispersed: the gathering ends, its measures are lifted and its duties closed."""

    input_serializer = NoteInputSerializer

    def perform(self, request, gathering: Gathering, data: dict):
        return services.gathering_end(gathering=gathering, actor=request.user, note=data["note"])


class GatheringRiskLevelApi(GatheringActionApi):
    """Township or public-security staff override the risk level, with the reason."""

    input_serializer = RiskLevelInputSerializer

    def perform(self, request, gathering: Gathering, data: dict):
        return services.gathering_set_risk_level(
            gathering=gathering, level=data["level"], reasons=[data["reason"]], source="override", actor=request.user
        )


class GatheringDecisionApi(GatheringActionApi):
    """Record a decision: suspend, cancel, postpone, lift a suspension or reschedule."""

    input_serializer = DecisionInputSerializer

    def perform(self, request, gathering: Gathering, data: dict):
        return services.gathering_decide(gathering=gathering, actor=request.user, **data)


class GatheringMergeApi(GatheringActionApi):
    """Merge this gathering into the one it duplicates."""

    input_serializer = MergeInputSerializer

    def perform(self, request, gathering: Gathering, data: dict):
        try:
            into = selectors.get_gathering_for(user=request.user, pk=data["into"])
        except Http404 as exc:
            raise DomainError(_("No gathering you may see has this id."), field="into") from exc
        return services.gathering_merge(gathering=gathering, into=into, actor=request.user, reason=data["reason"])


class MeasureListApi(GatheringActionApi):
    """The measures applied to a gathering; POST records one."""

    input_serializer = MeasureInputSerializer
    output_serializer = MeasureOutputSerializer
    success_status = status.HTTP_201_CREATED

    @extend_schema(responses=MeasureOutputSerializer(many=True))
    def get(self, request, pk: int, **kwargs):
        return Response(MeasureOutputSerializer(_detail(request.user, pk).measures.all(), many=True).data)

    def perform(self, request, gathering: Gathering, data: dict) -> Measure:
        return services.measure_record(gathering=gathering, actor=request.user, **data)

    def output(self, request, gathering: Gathering, measure: Measure) -> Measure:
        return measure


class MeasureDetailApi(APIView):
    """Record a measure's effect, or that it was lifted."""

    @extend_schema(request=MeasureUpdateInputSerializer, responses=MeasureOutputSerializer)
    def patch(self, request, pk: int, measure_pk: int, **kwargs):
        gathering = selectors.get_gathering_for(user=request.user, pk=pk)
        measure = get_object_or_404(Measure.objects.select_related("gathering"), pk=measure_pk, gathering=gathering)
        data = validated(MeasureUpdateInputSerializer, request.data)
        measure = services.measure_update(
            measure=measure, actor=request.user, effect=data.get("effect"), ended_at=data.get("ended_at")
        )
        return Response(MeasureOutputSerializer(measure).data)


class HeadcountListApi(GatheringActionApi):
    """Headcounts from the field, oldest first; POST records one."""

    input_serializer = HeadcountInputSerializer
    output_serializer = HeadcountOutputSerializer
    success_status = status.HTTP_201_CREATED

    @extend_schema(responses=HeadcountOutputSerializer(many=True))
    def get(self, request, pk: int, **kwargs):
        return Response(HeadcountOutputSerializer(_detail(request.user, pk).headcounts.all(), many=True).data)

    def perform(self, request, gathering: Gathering, data: dict):
        return services.headcount_record(gathering=gathering, actor=request.user, **data)

    def output(self, request, gathering: Gathering, update):
        return update


class PhotoListApi(GatheringActionApi):
    """Add photos (multipart, field ``photos``; JPEG, PNG or WebP of at most 5 MB each, at most 6 in all)."""

    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]
    input_schema = {"multipart/form-data": PhotoInputSerializer}  # the files are checked by the service
    output_serializer = PhotoOutputSerializer
    output_many = True
    success_status = status.HTTP_201_CREATED

    def perform(self, request, gathering: Gathering, data: dict):
        files = request.FILES.getlist("photos")
        if not files:
            raise DomainError(_("Choose a photo."), field="photos")
        return services.photo_add(gathering=gathering, actor=request.user, files=files)

    def output(self, request, gathering: Gathering, photos):
        return photos


class KeyDateListApi(APIView):
    """The key-date calendar with each occasion's next occurrence."""

    @extend_schema(responses=KeyDateOutputSerializer(many=True))
    def get(self, request, **kwargs):
        today = timezone.localdate()
        rows = []
        for key_date in selectors.key_date_list():
            upcoming = next_occurrence(key_date, today, explicit=list(key_date.dates.all()))
            key_date.next_starts_on = upcoming.starts_on if upcoming else None
            key_date.next_ends_on = upcoming.ends_on if upcoming else None
            rows.append(key_date)
        return Response(KeyDateOutputSerializer(rows, many=True).data)
