"""API of the notifications app: the caller's own notifications (list, unread count, mark read), their settings,
and the delivery log scoped like the page (another person's notification, a delivery outside the caller's
departments: 404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import ActionApi, validated
from crowdsafe.common.filters import FilterSetBackend
from notifications import selectors, services
from notifications.api.serializers import (
    DeliveryDetailOutputSerializer,
    DeliveryOutputSerializer,
    MarkedOutputSerializer,
    NotificationOutputSerializer,
    PreferenceSerializer,
    UnreadCountOutputSerializer,
)
from notifications.filters import DeliveryFilterSet, InboxFilterSet

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)


class NotificationListApi(generics.ListAPIView):
    """The caller's notifications, newest first."""

    serializer_class = NotificationOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = InboxFilterSet

    def get_queryset(self):
        return selectors.inbox(user=self.request.user, filters=self.request.query_params)


class UnreadCountApi(APIView):
    @extend_schema(responses=UnreadCountOutputSerializer)
    def get(self, request, **kwargs):
        return Response({"unread": selectors.unread_count(user=request.user)})


class NotificationReadApi(ActionApi):
    """Mark one of the caller's notifications read."""

    output_serializer = NotificationOutputSerializer
    parameters = (ID_PARAMETER,)

    def find(self, request, pk: int, **kwargs):
        return selectors.notification_get(user=request.user, pk=pk)

    def perform(self, request, notification, data: dict):
        return services.notification_mark_read(notification=notification, actor=request.user)


class MarkAllReadApi(APIView):
    @extend_schema(request=None, responses=MarkedOutputSerializer)
    def post(self, request, **kwargs):
        return Response({"marked": services.notifications_mark_all_read(actor=request.user)})


class PreferenceApi(APIView):
    """The caller's notification settings (channels, quiet hours, daily digest)."""

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request, **kwargs):
        return Response(PreferenceSerializer(services.preference_for(request.user)).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request, **kwargs):
        current = services.preference_for(request.user)
        attrs = validated(PreferenceSerializer, request.data)
        preference = services.preferences_update(
            user=request.user,
            actor=request.user,
            email_enabled=attrs.get("email_enabled", current.email_enabled),
            sms_enabled=attrs.get("sms_enabled", current.sms_enabled),
            quiet_start=attrs.get("quiet_start"),
            quiet_end=attrs.get("quiet_end"),
            digest=attrs.get("digest", current.digest),
            digest_time=attrs.get("digest_time", current.digest_time),
        )
        return Response(PreferenceSerializer(preference).data)


class DeliveryListApi(generics.ListAPIView):
    """The delivery log: what was sent to whom, over which channel, and whether it arrived."""

    serializer_class = DeliveryOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = DeliveryFilterSet

    def get_queryset(self):
        return selectors.delivery_log(user=self.request.user, filters=self.request.query_params)


class DeliveryDetailApi(APIView):
    @extend_schema(parameters=[ID_PARAMETER], responses=DeliveryDetailOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        return Response(DeliveryDetailOutputSerializer(selectors.delivery_get(user=request.user, pk=pk)).data)
