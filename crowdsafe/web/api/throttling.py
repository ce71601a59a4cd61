"""API throttles keyed on the client's address as the trusted proxy reports it (crowdsafe.common.client_ip).

DRF's own ``get_ident`` believes X-Forwarded-For as sent unless NUM_PROXIES is set, so a client changing
that header escaped the token endpoint's per-address limit.
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle

from crowdsafe.common.client_ip import client_ip


class ClientIpAnonRateThrottle(AnonRateThrottle):
    """The anonymous rate (``anon`` in DEFAULT_THROTTLE_RATES), counted per client address."""

    def get_ident(self, request):
        return client_ip(request._request)
