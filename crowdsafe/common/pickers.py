"""The jurisdiction picker's data (issue 20 point 3): filters and forms take a division code, and people know their
territories by name. ``GET /pickers/jurisdictions/?q=文峰`` answers the territories the user may see whose name
(or code) matches, at most ``LIMIT``, broadest first; ``?code=410502`` answers that one territory (to show the name
of a code already in the field). ``static/js/jurisdiction-picker.js`` turns the code inputs into a search-as-you-type
list of names; the form still submits the code.

Other pickers (the venue picker of the permit portal) are the apps' own views built from ``picker_query`` and
``picker_response``: an input with ``data-picker-url`` (and ``data-picker-empty``, the "nothing found" line) gets the
same combobox, searching that URL; picking a row sends its ``code``, and text typed but not picked is sent as typed,
for the server to search (what happens with script off too)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from crowdsafe.org.models import Jurisdiction

LIMIT = 20
MAX_QUERY = 32


def jurisdiction_matches(*, user: Any, query: str = "", code: str = "") -> list[dict[str, str]]:
    """The visible territories matching ``query`` (name contains it, or code starts with it), or the one with
    ``code``; each as code, name, level (its label) and the name of its parent."""
    qs = Jurisdiction.objects.visible_to(user).select_related("parent")
    code, query = code.strip().upper(), query.strip()[:MAX_QUERY]
    if code:
        qs = qs.filter(code=code)
    elif query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__startswith=query.upper()))
    else:
        return []
    rows = qs.order_by("depth", "name", "code")[:LIMIT]
    return [
        {
            "code": row.code,
            "name": row.name,
            "level": str(row.get_level_display()),
            "parent": row.parent.name if row.parent_id else "",
        }
        for row in rows
    ]


@require_GET
@login_required
def jurisdiction_search(request: HttpRequest) -> JsonResponse:
    results = jurisdiction_matches(
        user=request.user, query=request.GET.get("q", ""), code=request.GET.get("code", "")[:20]
    )
    return JsonResponse({"results": results})


def picker_query(request: HttpRequest) -> str:
    """The text typed into a picker (``?q=``), trimmed and bounded."""
    return request.GET.get("q", "").strip()[:MAX_QUERY]


def picker_response(results: list[dict[str, str]]) -> JsonResponse:
    """A picker's answer: at most ``LIMIT`` rows, each with ``code`` (what the form sends), ``name`` (what the
    person reads), and ``level`` and ``parent`` (the grey line under it)."""
    return JsonResponse({"results": results[:LIMIT]})
