"""The inspections API: the inspections the caller may see, one with its parts and answers, and three actions —
send a batch of answers (once per key), record a failed item as a hazard, sign a department's part."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import ActionApi
from crowdsafe.common.filters import FilterSetBackend
from inspections import selectors, services
from inspections.api.serializers import (
    AnswersInputSerializer,
    AnswersOutputSerializer,
    InspectionDetailOutputSerializer,
    InspectionHazardInputSerializer,
    InspectionHazardOutputSerializer,
    InspectionOutputSerializer,
    SignInputSerializer,
)
from inspections.filters import InspectionFilterSet
from inspections.models import Inspection, InspectionAnswer, InspectionPart

ID_PARAMETER = OpenApiParameter("pk", int, OpenApiParameter.PATH, description="The inspection's id.")


class InspectionListApi(generics.ListAPIView):  # type: ignore[type-arg]
    """The inspections the caller may see, newest first."""

    serializer_class = InspectionOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = InspectionFilterSet

    def get_queryset(self) -> Any:
        return selectors.inspection_list(user=self.request.user, filters=self.request.query_params)


def _detail(pk: int) -> Inspection:
    return (
        Inspection.objects.select_related("template", "jurisdiction")
        .prefetch_related("parts__department", "answers__item")
        .get(pk=pk)
    )


class InspectionDetailApi(APIView):
    @extend_schema(parameters=[ID_PARAMETER], responses=InspectionDetailOutputSerializer)
    def get(self, request: Request, pk: int, **kwargs: Any) -> Response:
        """One inspection with its departments' parts and its answers."""
        selectors.inspection_get(user=request.user, pk=pk)
        return Response(InspectionDetailOutputSerializer(_detail(pk), context={"request": request}).data)


class InspectionActionApi(ActionApi):
    parameters = (ID_PARAMETER,)

    def find(self, request: Request, **kwargs: Any) -> Inspection:
        return selectors.inspection_get(user=request.user, pk=kwargs["pk"])


class InspectionAnswersApi(InspectionActionApi):
    """Send a batch of answers (photos through the web form). Applied once per ``key``: a batch sent again answers
    the stored result with ``repeat`` true."""

    input_serializer = AnswersInputSerializer
    output_serializer = AnswersOutputSerializer

    def perform(self, request: Request, obj: Inspection, data: dict[str, Any]) -> Any:
        return services.answers_submit(
            inspection=obj,
            actor=request.user,
            key=data["key"],
            answers=data["answers"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            device_time=data.get("device_time"),
        )


class InspectionHazardApi(InspectionActionApi):
    """Record a failed item as a hazard of the risk app: its level and deadline from the item's severity, its
    supervising department by the responsibility rules."""

    input_serializer = InspectionHazardInputSerializer
    output_serializer = InspectionHazardOutputSerializer

    def perform(self, request: Request, obj: Inspection, data: dict[str, Any]) -> Any:
        answer = InspectionAnswer.objects.filter(inspection=obj, pk=data["answer"]).first()
        if answer is None:
            raise Http404
        return services.answer_to_hazard(answer=answer, actor=request.user, note=data["note"])


class InspectionSignApi(InspectionActionApi):
    """Sign a department's part of the inspection (its people only); the last signature completes it."""

    input_serializer = SignInputSerializer
    output_serializer = InspectionDetailOutputSerializer

    def perform(self, request: Request, obj: Inspection, data: dict[str, Any]) -> Any:
        part = InspectionPart.objects.filter(inspection=obj, pk=data["part"]).first()
        if part is None:
            raise Http404
        return services.part_sign(part=part, actor=request.user, note=data["note"])

    def output(self, request: Request, obj: Inspection, result: Any) -> Inspection:
        return _detail(obj.pk)
