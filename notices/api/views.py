"""The official-documents API: the scoped list, one document, its PDF and its revocation. Documents are issued by
the services of the apps whose decisions they record (permits, risk, drills, duties), not through this API."""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import ActionApi
from crowdsafe.common.filters import FilterSetBackend
from notices import selectors, services
from notices.api.serializers import (
    NoticeDetailOutputSerializer,
    NoticeOutputSerializer,
    NoticeRevokeInputSerializer,
)
from notices.filters import NoticeFilterSet
from notices.models import Notice


class NoticeListApi(generics.ListAPIView):
    """Documents the caller may see, newest first."""

    serializer_class = NoticeOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = NoticeFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notice.objects.none()
        return selectors.notice_list(user=self.request.user, filters=self.request.query_params)


class NoticeDetailApi(APIView):
    """One document: its contents, parties, PDF facts and status."""

    @extend_schema(responses=NoticeDetailOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        notice = selectors.notice_get(user=request.user, pk=pk)
        return Response(NoticeDetailOutputSerializer(notice, context={"request": request}).data)


class NoticeRevokeApi(ActionApi):
    """Revoke the document, with the reason (heads of the issuing department only)."""

    input_serializer = NoticeRevokeInputSerializer
    output_serializer = NoticeDetailOutputSerializer

    def find(self, request, pk: int, **kwargs) -> Notice:
        return selectors.notice_get(user=request.user, pk=pk)

    def perform(self, request, notice: Notice, data: dict) -> Notice:
        return services.notice_revoke(notice=notice, actor=request.user, reason=data["reason"])

    def output(self, request, notice: Notice, revoked: Notice) -> Notice:
        return selectors.notice_get(user=request.user, pk=revoked.pk)


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the view answers with the stored file itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class NoticePdfApi(APIView):
    """The stored PDF of the document (404 until it is rendered)."""

    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The stored PDF."),
            404: OpenApiResponse(description="No such document, or its PDF is not rendered yet."),
        }
    )
    def get(self, request, pk: int, **kwargs):
        notice = selectors.notice_get(user=request.user, pk=pk)
        if not notice.pdf:
            raise Http404("The PDF is not rendered yet.")
        try:
            handle = notice.pdf.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The stored PDF is missing.") from exc
        return FileResponse(handle, filename=f"{notice.number}.pdf", content_type="application/pdf")
