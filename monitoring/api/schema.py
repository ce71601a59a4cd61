"""The OpenAPI description of a sensor's own token (``Authorization: Token <source token>``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SourceTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "monitoring.api.views.SourceTokenAuthentication"
    name = "sourceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A monitoring source's own token, shown once when the source is created: "
            "`Token cs_…` (see docs/monitoring-sensors.md).",
        }
