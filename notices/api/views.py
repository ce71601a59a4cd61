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

from notices import selectors, services
from notices.api.serializers import (
    NoticeDetailOutputSerializer,
    NoticeFilterSerializer,
    NoticeOutputSerializer,
    NoticeRevokeInputSerializer,
)
from notices.models import Notice


class NoticeListApi(generics.ListAPIView):
    """Documents the caller may see, newest first."""

    serializer_class = NoticeOutputSerializer

    @extend_schema(parameters=[NoticeFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notice.objects.none()
        filters = NoticeFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.notice_list(user=self.request.user, filters=filters.validated_data)


class NoticeDetailApi(APIView):
    """One document: its contents, parties, PDF facts and status."""

    @extend_schema(responses=NoticeDetailOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        notice = selectors.notice_get(user=request.user, pk=pk)
        return Response(NoticeDetailOutputSerializer(notice, context={"request": request}).data)


class NoticeRevokeApi(APIView):
    """Revoke the document, with the reason (heads of the issuing department only)."""

    @extend_schema(request=NoticeRevokeInputSerializer, responses=NoticeDetailOutputSerializer)
    def post(self, request, pk: int, **kwargs):
        notice = selectors.notice_get(user=request.user, pk=pk)
        data = NoticeRevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.notice_revoke(notice=notice, actor=request.user, reason=data.validated_data["reason"])
        notice = selectors.notice_get(user=request.user, pk=notice.pk)
        return Response(NoticeDetailOutputSerializer(notice, context={"request": request}).data)


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
