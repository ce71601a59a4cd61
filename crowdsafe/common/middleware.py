"""Security middleware: django-csp's Content-Security-Policy with the map tile server added, the
Permissions-Policy (which neither Django nor django-csp sets), and the refusal of a request body that is too large
before it is read.

The policy is ``CONTENT_SECURITY_POLICY`` in settings; its images may also come from the origin of
``MAP_TILE_URL``, read when the response is made. The Permissions-Policy says which powerful browser features a
page may use at all: everything the platform never uses is off, so that injected markup or a compromised script
could not turn on the camera or the microphone; geolocation stays on for the platform's own pages (``self``),
because field staff fill in where they stand from the phone's position.

A request body is refused by its declared length (``Content-Length``) before any of it is read: a 100 MB upload
sent to a form is answered 413 at once instead of being spooled to disk, parsed and hashed before the form says
no. The limit is ``settings.UPLOAD_REQUEST_MAX_BYTES`` for every view, or the view's own
(``request_size_limit``, for a view that takes more files at once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

V = TypeVar("V", bound=Callable[..., Any])


def tile_origin() -> str:
    """The origin (``https://tiles.example.gov.cn``) of the map tile server, or "" when there is none."""
    url = urlsplit(str(getattr(settings, "MAP_TILE_URL", "") or ""))
    if url.scheme not in {"http", "https"} or not url.netloc:
        return ""
    host = url.netloc
    if "{s}" in host:  # t{s}.tianditu.gov.cn: the subdomains, as the one wildcard a CSP source may have
        first, _dot, rest = host.partition(".")
        host = f"*.{rest}" if "{s}" in first and rest else ""
    return f"{url.scheme}://{host}" if host else ""


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the tile server's origin added to ``img-src``."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origin = tile_origin()
        if origin and not report_only:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", []), origin]
            parts.update = update
        return parts


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


def request_size_limit(max_bytes: int) -> Callable[[V], V]:
    """Let a view take a body of up to ``max_bytes`` (instead of ``settings.UPLOAD_REQUEST_MAX_BYTES``)."""

    def decorate(view: V) -> V:
        view.request_size_limit = max_bytes  # type: ignore[attr-defined]
        return view

    return decorate


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


class RequestSizeLimitMiddleware:
    """Refuses with 413 a request whose ``Content-Length`` is above the view's limit, before the body is read (and
    before the CSRF check, which would read the form). Listed before ``CsrfViewMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = int(getattr(view, "request_size_limit", 0) or settings.UPLOAD_REQUEST_MAX_BYTES)
        if length <= limit:
            return None
        message = gettext(
            "What you sent weighs %(size)s MB; at most %(max)s MB can be sent at once. "
            "Send fewer or smaller files at a time."
        ) % {"size": _megabytes(length), "max": _megabytes(limit)}
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response: HttpResponseBase = JsonResponse({"detail": message}, status=413)
        else:
            html = render_to_string("413.html", {"message": message}, request=request)
            response = HttpResponse(html, status=413)
        return response
