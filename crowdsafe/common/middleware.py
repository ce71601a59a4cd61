"""Response headers that Django and django-csp do not set: the Permissions-Policy.

Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in settings); this header says which
powerful browser features a page may use at all. Everything the platform never uses is switched off, so that
injected markup or a compromised script could not turn on the camera or the microphone; geolocation stays on
for the platform's own pages (``self``), because field staff fill in where they stand from the phone's position.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def permissions_policy(features: Mapping[str, Sequence[str]]) -> str:
    """The header's value: ``camera=(), geolocation=(self)``; an allowlist entry other than ``self`` and ``*`` is
    an origin, quoted as the structured-header syntax asks."""
    parts = []
    for feature, allowed in features.items():
        items = [item if item in {"self", "*"} else f'"{item}"' for item in allowed]
        parts.append(f"{feature}=({' '.join(items)})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` (from ``settings.PERMISSIONS_POLICY``) to every response that has none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.value = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response
