from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from crowdsafe.accounts.api.serializers import MeOutputSerializer
from crowdsafe.accounts.models import User
from crowdsafe.org.selectors import membership_list_for
from crowdsafe.web.api.throttling import ClientIpAnonRateThrottle


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
    """Exchange a username and password for an API token (sent as ``Authorization: Token <key>``).

    Limited per client address (the trusted proxy's, crowdsafe.common.client_ip) and guarded by the sign-in
    lockouts (django-axes): the password check is given Django's own request, on which django-axes marks a
    lockout that its middleware then answers with 429 (crowdsafe/accounts/lockout.py).
    """

    throttle_classes = [ClientIpAnonRateThrottle]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # DRF's view names its own, unbounded JSON parser

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "request": self.request._request}
