"""The visitor's IP address, the same for every limit that counts by address.

Only the trusted proxy's header is believed, and only when one is configured (``TRUSTED_PROXY_IP_HEADER``,
e.g. ``X-Real-IP``): any other header, X-Forwarded-For included, is whatever the client chose to send, so a
limit keyed on it is bypassed by changing it. With no proxy configured the address is the socket's
(``REMOTE_ADDR``). django-axes (``AXES_CLIENT_IP_CALLABLE``), django-ratelimit (``RATELIMIT_IP_META_KEY``) and
the API throttles (``crowdsafe.web.api.throttling``) all call :func:`client_ip`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def proxy_meta_key() -> str | None:
    """The ``request.META`` key of the trusted proxy's header, or None when no proxy is trusted."""
    header = str(getattr(settings, "TRUSTED_PROXY_IP_HEADER", "") or "").strip()
    if not header:
        return None
    return "HTTP_" + header.upper().replace("-", "_")


def client_ip(request: HttpRequest) -> str:
    """The client's address: the trusted proxy's header when configured, else the socket's address.

    When the header holds a list (X-Forwarded-For), the last entry is the one the trusted proxy added itself;
    the entries before it came from the client.
    """
    key = proxy_meta_key()
    if key:
        value = str(request.META.get(key, "") or "")
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries:
            return entries[-1]
    return str(request.META.get("REMOTE_ADDR", "") or "")
