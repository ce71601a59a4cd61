from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from crowdsafe.accounts.api.serializers import MeOutputSerializer
from crowdsafe.accounts.models import User
from crowdsafe.org.selectors import membership_list_for


class MeApi(APIView):
    """The signed-in user with their memberships (roles and where they hold them)."""

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request, **kwargs):
        user = (
            User.objects.filter(pk=request.user.pk)
            .prefetch_related(Prefetch("memberships", queryset=membership_list_for(user=request.user)))
            .get()
        )
        return Response(MeOutputSerializer(user).data)


class TokenApi(ObtainAuthToken):
    """Exchange a username and password for an API token (sent as ``Authorization: Token <key>``)."""

    throttle_classes = [AnonRateThrottle]
