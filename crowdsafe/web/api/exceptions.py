"""API error shape: every error is a 4xx JSON body with ``detail`` (and ``field``/``code`` when known)."""

from __future__ import annotations

from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from crowdsafe.errors import DomainError, PermissionDeniedError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        if len(exc.problems) > 1:  # every problem of the input at once
            body["errors"] = [{"field": f, "detail": str(m)} for f, m in exc.problems]
        code = status.HTTP_403_FORBIDDEN if isinstance(exc, PermissionDeniedError) else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)
    if isinstance(exc, Http404):
        # One 404 for every "not here": get_object_or_404's message names the model and says the row is missing,
        # so an outsider could tell a missing id from one outside their scope ("未找到。").
        exc = NotFound()
    return drf_exception_handler(exc, context)
