"""API of the alerts app: the caller's alerts, one alert (with who acknowledged when, for those who oversee it),
and the one-tap acknowledgment. A missing alert and one outside the caller's scope are the same 404; an alert the
caller may see but was not alerted of (a leader or head overseeing it) cannot be acknowledged by them: 403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors, services
from alerts.api.serializers import AlertDetailOutputSerializer, AlertOutputSerializer
from alerts.filters import AlertFilterSet
from alerts.models import Alert, AlertTarget
from crowdsafe.common.api import ActionApi
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.errors import PermissionDeniedError
from crowdsafe.org.access import get_scoped_or_404

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)


class AlertListApi(generics.ListAPIView):  # type: ignore[type-arg]
    """The alerts the caller was alerted of, newest first, each with their own acknowledgment (``mine``)."""

    serializer_class = AlertOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = AlertFilterSet

    def get_queryset(self) -> Any:
        return selectors.alerts_of(user=self.request.user, filters=self.request.query_params)


def _alert(request: Request, pk: int) -> Alert:
    """The alert ``pk`` among those the caller may see; the same 404 for a missing one and one out of scope."""
    alert: Alert = get_scoped_or_404(selectors.alert_detail(user=request.user), pk=pk)
    return alert


class AlertDetailApi(APIView):
    @extend_schema(parameters=[ID_PARAMETER], responses=AlertDetailOutputSerializer)
    def get(self, request: Request, pk: int, **kwargs: Any) -> Response:
        """One alert the caller may see: everyone alerted and every hop for those who oversee it (the sender,
        the territory's leaders, the alerted departments), only the caller's own row for the others."""
        return Response(AlertDetailOutputSerializer(_alert(request, pk), context={"request": request}).data)


class AlertAcknowledgeApi(ActionApi):
    """Acknowledge an alert the caller was alerted of (one tap; a second changes nothing). It stops the alert's
    escalation to the next person up. 403 for an alert the caller oversees but was not alerted of."""

    output_serializer = AlertDetailOutputSerializer
    parameters = (ID_PARAMETER,)

    def find(self, request: Request, **kwargs: Any) -> Alert:
        return _alert(request, kwargs["pk"])

    def perform(self, request: Request, obj: Alert, data: dict[str, Any]) -> AlertTarget:
        target = selectors.target_of(obj, request.user)
        if target is None:
            raise PermissionDeniedError(_("Only the person alerted can acknowledge it."))
        return services.alert_acknowledge(target=target, actor=request.user)

    def output(self, request: Request, obj: Alert, result: AlertTarget) -> Alert:
        # Re-read with the acknowledgment just recorded (the prefetched targets predate it).
        return _alert(request, obj.pk)
