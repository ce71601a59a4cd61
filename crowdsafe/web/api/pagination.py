from __future__ import annotations

import functools
from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from crowdsafe.common.pagination import COUNT_CAP, CappedPaginator


class StandardPagination(PageNumberPagination):
    """Page-number pagination with a client-chosen page size, capped so one request stays cheap."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CappedCountPagination(StandardPagination):
    """The standard envelope (``count``, ``next``, ``previous``, ``results``) for a list that may hold millions of
    rows (issue 19 point 1): ``count`` counts at most 10,000 rows (``crowdsafe.common.pagination``), and
    ``count_capped`` says whether there are more. ``next`` is given whenever another page exists, past the cap too.

    Why not a cursor pagination: every list of this API answers this envelope, and its clients (the phone app,
    the city's data exchange) show "N results" and jump to a page; a capped integer keeps them working unchanged
    and a client that walks the whole register still can (``next`` until null), though a synchronisation over a
    large register should read it by date windows (``date_from`` / ``date_to``), each well under the cap."""

    django_paginator_class = CappedPaginator

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        # The view may say how the count reads the rows (``CappedPaginator``'s ``count_order``, ``lower_bound`` and
        # ``known``).
        options = {name: getattr(view, name, None) for name in ("count_order", "lower_bound", "known")}
        self.django_paginator_class = functools.partial(CappedPaginator, **options)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": bool(getattr(paginator, "capped", False)),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"] = {
            "type": "integer",
            "example": 123,
            "description": (
                f"The number of results, counted up to {COUNT_CAP:,}: when `count_capped` is true there are more "
                f"than {COUNT_CAP:,} and `count` is {COUNT_CAP:,}."
            ),
        }
        properties["count_capped"] = {
            "type": "boolean",
            "example": False,
            "description": (
                f"True when there are more than {COUNT_CAP:,} results (`count` is then a lower bound). Pages go on "
                "past the cap: follow `next` until it is null; narrow a large register with the date filters."
            ),
        }
        response["required"] = ["count", "count_capped", "results"]
        # Keep the keys in the order of the answer.
        response["properties"] = {
            key: properties[key] for key in ("count", "count_capped", "next", "previous", "results")
        }
        return response
