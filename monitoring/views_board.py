"""The live monitoring pages (issue 15 point 5): the board (tiles worst first, the map, filtered by territory),
its fragment polled every 5 seconds, a zone's page (the state with its working, polled, and the day's chart),
and the phone view for field staff (the zones they may count, and the clicker).

The pages update themselves with htmx polling of small server-rendered fragments (no inline script: the data
for the map is a JSON script element, the clicker reads data attributes). A poll whose data has not changed
since the version the page holds gets a 204 (htmx swaps nothing on a 204) after the board's read of the zones, the
one read of the zones' states whether or not the board changed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from crowdsafe.org.access import get_scope
from crowdsafe.org.maps import map_config
from monitoring import access, selectors
from monitoring.board import BOARD_TILES, Board, BoardFilterSet, board, board_if_changed, map_layer, zone_day
from monitoring.choices import Level
from monitoring.models import MonitoringAlert, Zone, ZoneState

POLL_SECONDS = 5
#: Tiles per page of the board: the most serious first, then the next ones page by page (every zone has a tile).
PAGE_TILES = BOARD_TILES
SHAPES_CACHE_SECONDS = 60


def _query(request: HttpRequest) -> str:
    """The filters of the page, to carry into the fragment's URL."""
    return urlencode([(k, v) for k in ("territory", "level", "kind") for v in request.GET.getlist(k) if v])


def _offset(request: HttpRequest) -> int:
    """The zones before the page's first tile, from ``?page=`` (1 when absent or not a number)."""
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    return (max(page, 1) - 1) * PAGE_TILES


def _tiles_context(request: HttpRequest, data: Board) -> dict[str, Any]:
    """What the tiles' fragment needs besides the board: the filters, the fragment's poll URL (filters and page),
    and the links to the previous and next tiles (the full page, same filters)."""
    query = _query(request)
    page = data.offset // PAGE_TILES + 1

    def url(number: int) -> str:
        found = "&".join(part for part in (query, f"page={number}" if number > 1 else "") if part)
        return reverse("monitoring:board") + (f"?{found}" if found else "")

    return {
        "board": data,
        "query": query,
        "poll_query": "&".join(part for part in (query, f"page={page}" if page > 1 else "") if part),
        "pages": {
            "size": PAGE_TILES,
            "previous": url(page - 1) if page > 1 else "",
            "next": url(page + 1) if data.last < data.total else "",
            "next_size": min(PAGE_TILES, data.total - data.last),
        },
        "poll_seconds": POLL_SECONDS,
    }


@login_required
@require_GET
def board_page(request: HttpRequest) -> HttpResponse:
    filterset = BoardFilterSet(request.GET)
    data = board(user=request.user, filters=filterset, limit=PAGE_TILES, offset=_offset(request))
    return render(
        request,
        "monitoring/board.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            **_tiles_context(request, data),
            "board_map": _board_map(request),
        },
    )


def _board_map(request: HttpRequest) -> dict[str, Any]:
    """The board's map (crowdsafe/org/maps.py): the zones' polygons from the cached shapes endpoint, recoloured
    from the levels of the tiles' fragment after each htmx swap, over the jurisdictions' boundaries."""
    query = _query(request)
    layer = {
        "type": "zones",
        "key": "zones",
        "name": gettext("Monitored zones"),
        "url": reverse("monitoring:board_shapes") + (f"?{query}" if query else ""),
        "levels_id": "mon-levels",
        "link": reverse("monitoring:zone_page", args=[0]),
    }
    return map_config(layers=[layer], boundaries_url=reverse("org:boundaries"), css="mon-map")


@login_required
@require_GET
def board_tiles(request: HttpRequest) -> HttpResponse:
    """The tiles and the map's levels, for the board's poll; 204 when nothing changed since ``v`` (the version:
    the number of zones and the latest change of their states, from the board's own read of the zones)."""
    filterset = BoardFilterSet(request.GET)
    data = board_if_changed(
        user=request.user,
        filters=filterset,
        limit=PAGE_TILES,
        offset=_offset(request),
        since=request.GET.get("v") or None,
    )
    if data is None:
        return HttpResponse(status=204)
    return render(request, "monitoring/_board_tiles.html", _tiles_context(request, data))


def shapes_cache_key(user: Any, query: str) -> str:
    """The cache key of the map's polygons for ``user`` with the board's filters ``query``."""
    scope = get_scope(user)
    seen = (scope.is_superuser, scope.paths_for(None), sorted(scope.organisation_ids), query)
    return "monitoring:shapes:" + hashlib.sha256(repr(seen).encode()).hexdigest()


@login_required
@require_GET
def board_shapes(request: HttpRequest) -> HttpResponse:
    """The map's polygons (id, name, level, outer ring) as JSON, fetched once by the board page: ~750 KB for 2,000
    zones, so kept out of the page and its polls, and cached for ``SHAPES_CACHE_SECONDS`` per visibility and filters
    (a zone's visibility depends only on the territories and organisations of its viewer). The levels in it may be
    that old; the map recolours from the page's current levels at once."""
    key = shapes_cache_key(request.user, _query(request))
    body = cache.get(key)
    if body is None:
        layer = map_layer(user=request.user, filters=BoardFilterSet(request.GET))
        body = json.dumps(layer, ensure_ascii=False, separators=(",", ":"))
        cache.set(key, body, SHAPES_CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/json")
    patch_cache_control(response, private=True, max_age=SHAPES_CACHE_SECONDS)
    return response


def _visible_zone(request: HttpRequest, pk: int) -> Zone:
    zone = (
        Zone.objects.visible_to(request.user)
        .select_related("jurisdiction", "state", "state__source", "exercise_of")
        .filter(pk=pk)
        .first()
    )
    if zone is None:
        raise Http404
    return zone


def _state(zone: Zone) -> ZoneState | None:
    try:
        return zone.state
    except ZoneState.DoesNotExist:
        return None


def _state_context(zone: Zone) -> dict[str, Any]:
    state = _state(zone)
    forecast = (state.forecast if state else None) or {}
    next_level = forecast.get("next_level")
    return {
        "zone": zone,
        "state": state,
        "level": (state.level if state else "") or Level.BLUE.value,
        "forecast": forecast,
        "next_level_label": Level(next_level).label if next_level in Level.values else "",
        "percent": round(state.utilisation * 100) if state and state.utilisation is not None else None,
        "capacity": zone.declared_capacity or zone.safe_capacity,
        "open_alerts": list(
            MonitoringAlert.objects.filter(zone=zone, state__in=["raised", "acknowledged", "measures"]).order_by(
                "-raised_at"
            )[:5]
        ),
        "poll_seconds": POLL_SECONDS,
    }


@login_required
@require_GET
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    zone = _visible_zone(request, pk)
    context = _state_context(zone)
    context.update(zone_day(zone))
    context["can_count"] = access.can_count(get_scope(request.user), zone)
    # Who is alerted for the zone and why (the alert rules resolved through alerts.recipients); an exercise copy's
    # alerts reach only its participants, shown on the exercise's page.
    context["watchers"] = [] if zone.exercise else selectors.zone_watchers(zone)
    return render(request, "monitoring/zone_detail.html", context)


@login_required
@require_GET
def zone_state(request: HttpRequest, pk: int) -> HttpResponse:
    """The zone page's state card, polled."""
    zone = _visible_zone(request, pk)
    return render(request, "monitoring/_zone_state.html", _state_context(zone))


@login_required
@require_GET
def zone_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The zone page's day chart, polled every minute (the rollups are per minute)."""
    zone = _visible_zone(request, pk)
    return render(request, "monitoring/_zone_chart.html", {"zone": zone, **zone_day(zone)})


@login_required
@require_GET
def field_list(request: HttpRequest) -> HttpResponse:
    """The phone view: the zones the person may count, worst first."""
    data = board(user=request.user, filters={}, limit=200)
    return render(request, "monitoring/field_list.html", {"board": data, "poll_seconds": POLL_SECONDS})


@login_required
@require_GET
def field_zone(request: HttpRequest, pk: int) -> HttpResponse:
    """The clicker of one zone: big + and − buttons, counts kept on the phone when offline and sent when back."""
    zone = _visible_zone(request, pk)
    if not access.can_count(get_scope(request.user), zone):
        raise Http404
    context = _state_context(zone)
    context["now"] = timezone.now()
    return render(request, "monitoring/field_zone.html", context)
