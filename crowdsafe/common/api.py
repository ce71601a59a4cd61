"""The kernel's API toolbox: ``validated()`` for every input, and ``ActionApi``, the one shape of an action endpoint.

An action endpoint is a POST to one object that calls one service on it: submit an application, verify a
gathering, cancel a task, close a hazard. Every app writes it the same way::

    class TaskCancelApi(TaskActionApi):                    # TaskActionApi(ActionApi) says how to find a task
        \"\"\"Withdraw an outstanding task; the reason is required.\"\"\"   # the schema's description

        input_serializer = TaskCancelInputSerializer

        def perform(self, request, task, data):
            return services.task_cancel(task=task, actor=request.user, reason=data["reason"])

What ``ActionApi.post`` does, in this order, and why:

1. ``find`` looks the object up among those the caller may see. A missing id and an id outside the caller's scope
   are the same 404 with the same body, and the request body is not read before: an outsider learns nothing,
   not even from validation errors, about an object they may not see.
2. The body goes through ``input_serializer`` with ``validated()``: a 400 with the serializer's errors.
3. ``perform`` calls the one service. Its refusals are not caught here: the API's exception handler
   (``crowdsafe.web.api.exceptions``) makes a ``DomainError`` a 400 with its message, field and code, a
   ``PermissionDeniedError`` (or Django's ``PermissionDenied``) a 403.
4. ``output`` gives what to answer with (by default what ``perform`` returned; apps re-read the object with the
   joins their output serializer needs), serialised by ``output_serializer`` with ``success_status``.

The OpenAPI schema of the POST comes from the same attributes (``ActionSchema``), so it cannot drift from the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from django.http import Http404
from django.urls import reverse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

SerializerClass = type[BaseSerializer[Any]]

# The schema of a link to a page or a file of this site, answered as a path ("/permits/12/"): a URI reference, not
# an absolute URI (OpenAPI's ``format: uri``), so an answer does not depend on the host name a proxy passes on.
# Used as ``@extend_schema_field(SITE_PATH)`` on the serializer method that returns ``reverse(...)``.
SITE_PATH: dict[str, Any] = {"type": "string", "format": "uri-reference", "example": "/permits/12/"}


def api_date(value: dt.date | None) -> str | None:
    """A date as DRF's ``DateField`` writes it (ISO 8601), for a list serializer that writes its items out."""
    return None if value is None else value.isoformat()


def api_datetime(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """A date and time as DRF's ``DateTimeField`` writes it: in ``zone`` (the request's, looked up once per list
    with ``timezone.get_current_timezone()``), ISO 8601, UTC as ``Z``."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


#: A number no object has, reversed in the place of each one's (``paths_of``).
_PATH_MARKER = 9_876_543_210_123


def paths_of(viewname: str) -> Callable[[int], str]:
    """``reverse(viewname, args=[pk])`` for the many objects of one list: the URL resolver is walked once (~25 µs
    a row otherwise) and each path is written from it. For a view whose one argument is an ``<int:…>``; call it once
    per request (the script prefix and the language are the request's)."""
    head, _, tail = reverse(viewname, args=[_PATH_MARKER]).partition(str(_PATH_MARKER))
    return lambda pk: f"{head}{int(pk)}{tail}"


def validated(serializer_class: SerializerClass, data: Any, *, partial: bool = False, **context: Any) -> Any:
    """``data`` checked by ``serializer_class``: its ``validated_data``, or a DRF ``ValidationError`` (a 400) with
    the serializer's errors, field by field. ``context`` is handed to the serializer (``request``, ``today`` …).
    The one way every API view reads a body or a query string."""
    serializer = serializer_class(data=data, partial=partial, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ActionSchema(AutoSchema):
    """The OpenAPI operation of an ``ActionApi``'s POST, read from its serializers, status and parameters. Other
    methods of the same view (a GET beside the action) are described as usual."""

    def _action(self) -> ActionApi | None:
        view = self.view
        return view if self.method == "POST" and isinstance(view, ActionApi) else None

    def get_request_serializer(self) -> Any:
        action = self._action()
        if action is None:
            return super().get_request_serializer()
        return action.input_serializer if action.input_schema is None else action.input_schema

    def get_response_serializers(self) -> Any:
        action = self._action()
        if action is None:
            return super().get_response_serializers()
        output = action.output_serializer(many=True) if action.output_many else action.output_serializer
        return {action.success_status: output}

    def get_override_parameters(self) -> list[Any]:
        action = self._action()
        extra = list(action.parameters) if action is not None else []
        return [*super().get_override_parameters(), *extra]


class ActionApi(APIView):
    """POST to one object: find it in the caller's scope, validate the body, call one service, answer with the
    result (see the module's docstring). Subclasses set ``output_serializer`` (and ``input_serializer`` when the
    action takes input) and define ``find`` and ``perform``; the class docstring is the operation's description."""

    input_serializer: ClassVar[SerializerClass | None] = None
    output_serializer: ClassVar[SerializerClass]
    success_status: ClassVar[int] = status.HTTP_200_OK
    # The request body as the schema shows it, when it is not simply ``input_serializer``: a body of one media type
    # (``{"multipart/form-data": Serializer}``), or files that the service's upload check reads from
    # ``request.FILES`` itself.
    input_schema: ClassVar[Any] = None
    output_many: ClassVar[bool] = False  # the result is a list of what ``output_serializer`` serialises
    # Path parameters the schema cannot type by itself (e.g. an ``id`` of a view without a queryset).
    parameters: ClassVar[tuple[OpenApiParameter, ...]] = ()
    schema = ActionSchema()

    def find(self, request: Request, **kwargs: Any) -> Any:
        """The object the URL names, among those ``request.user`` may see; ``Http404`` otherwise. May raise
        ``PermissionDenied`` for an object the caller may see but never act on this way."""
        raise NotImplementedError

    def perform(self, request: Request, obj: Any, data: dict[str, Any]) -> Any:
        """Call the one service with ``obj`` and the validated ``data``; return its result."""
        raise NotImplementedError

    def output(self, request: Request, obj: Any, result: Any) -> Any:
        """What ``output_serializer`` serialises: by default the service's result."""
        return result

    def output_context(self, request: Request) -> dict[str, Any]:
        return {"request": request}

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # No docstring here: the schema's description is the subclass's.
        try:
            obj = self.find(request, **kwargs)
        except Http404 as exc:
            # Whatever the lookup said, a missing object and one outside the scope answer alike.
            raise NotFound from exc
        data = validated(self.input_serializer, request.data) if self.input_serializer is not None else {}
        result = self.perform(request, obj, data)
        serializer = self.output_serializer(
            self.output(request, obj, result), many=self.output_many, context=self.output_context(request)
        )
        return Response(serializer.data, status=self.success_status)
