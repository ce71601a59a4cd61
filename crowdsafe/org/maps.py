"""The configuration of a map (issue 17 point 3), handed to ``static/js/crowdsafe-map.js`` as JSON
(``templates/org/_map.html`` puts it in a json_script block: no inline script, the CSP holds).

Every map of the platform is built the same way: the tile service of the settings when there is one
(``MAP_TILE_URL``, its attribution, subdomains, an overlay of labels, and its coordinate system ``MAP_TILE_CRS``:
with ``gcj02`` the script shifts every WGS-84 position onto the tiles), the jurisdictions' boundaries as the base
layer (fetched from a scoped, cached endpoint: ``org:boundaries`` or a screen token's), and the page's layers:

- ``points``: dots coloured by level (gatherings, venues, register entries, incidents), each
  ``{lat, lng, level, title, url, lines}``, given inline or read from a json_script block (``data_id``), which a
  page refreshed by htmx may replace (``refresh``: the layer is redrawn after each swap);
- ``marker``: one pin (a venue's or a gathering's position);
- ``zones``: monitored zones' polygons from the board's shapes endpoint or inline, recoloured from a json_script
  block of levels after each htmx swap;
- ``heat``: a heat map of ``[lat, lng, weight]`` (the vendored leaflet.heat plugin).

Layer names are the users' words (Chinese); the layer control lists them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import F, QuerySet
from django.templatetags.static import static
from django.utils.translation import gettext, ngettext

from crowdsafe.org.models import Boundary, Jurisdiction

# The colours of the four levels (红橙黄蓝), the same on every map and legend.
LEVEL_COLOURS = {"red": "#c81e1e", "orange": "#e8590c", "yellow": "#f2c200", "blue": "#1c64f2"}
DEFAULT_CENTRE = (36.0976, 114.3923)  # 安阳市 (the demo city), when nothing else says where to look


def tile_settings() -> dict[str, str]:
    return {
        "url": str(getattr(settings, "MAP_TILE_URL", "") or ""),
        "attribution": str(getattr(settings, "MAP_TILE_ATTRIBUTION", "") or ""),
        "subdomains": str(getattr(settings, "MAP_TILE_SUBDOMAINS", "") or ""),
        "overlay": str(getattr(settings, "MAP_TILE_OVERLAY_URL", "") or ""),
        "crs": str(getattr(settings, "MAP_TILE_CRS", "wgs84") or "wgs84"),
    }


def centre_of(root: Jurisdiction | None) -> list[float]:
    """Where to look when there is nothing to fit: the root's boundary centre, else its nearest ancestor's."""
    if root is not None:
        codes = [*root.ancestor_codes, root.code]
        found = (
            Boundary.objects.filter(jurisdiction__code__in=codes)
            .order_by("-jurisdiction__depth")
            .values_list("centre_latitude", "centre_longitude")
            .first()
        )
        if found:
            return [float(found[0]), float(found[1])]
    return list(DEFAULT_CENTRE)


def texts() -> dict[str, str]:
    return {
        "boundaries": gettext("Jurisdiction boundaries"),
        "approximate": gettext("approximate boundary"),
        "approximateNote": gettext("Boundaries marked approximate are drawn by hand, not surveyed."),
        "approximatePosition": gettext("position approximate: the centre of its territory"),
        "open": gettext("Open"),
        "noTiles": gettext("No map tiles here: the jurisdiction boundaries are the base map."),
        "noTilesNoBoundaries": gettext("Map tiles are not available here: the markers show the recorded positions."),
    }


def map_config(
    *,
    layers: list[dict[str, Any]],
    boundaries_url: str | None = None,
    css: str = "",
    root: Jurisdiction | None = None,
    zoom: int | None = None,
    fit: bool | str = True,
    collapsed: bool = False,
) -> dict[str, Any]:
    """The JSON a page hands to the map script. ``css``: the page's own class prefix (``venue-map``,
    ``risk-map`` …): the container gets ``<css>--no-tiles`` and its note ``<css>-note``, as each page styles them.
    ``fit``: True to show the markers, ``"territory"`` to show the whole territory's boundaries (and any marker
    outside them), False to keep ``zoom`` at the root's centre. ``collapsed``: the layer control as an icon."""
    return {
        "tiles": tile_settings(),
        "boundaries": boundaries_url or "",
        "layers": layers,
        "css": css,
        "centre": centre_of(root),
        "zoom": zoom,
        "fit": fit,
        "collapsed": collapsed,
        "colours": LEVEL_COLOURS,
        "texts": texts(),
    }


def point(lat: Any, lng: Any, **fields: Any) -> dict[str, Any]:
    """A map dot: WGS-84 position to 6 decimals (≈ 0.1 m) and what its popup says."""
    return {"lat": round(float(Decimal(str(lat))), 6), "lng": round(float(Decimal(str(lng))), 6), **fields}


def marker_icons() -> dict[str, str]:
    """The pin's images, named explicitly: Leaflet's own guess reads them from leaflet.css, which breaks once the
    static files are served under hashed names."""
    return {
        "icon": static("vendor/leaflet/images/marker-icon.png"),
        "iconRetina": static("vendor/leaflet/images/marker-icon-2x.png"),
        "shadow": static("vendor/leaflet/images/marker-shadow.png"),
    }


def marker_layer(lat: Any, lng: Any, name: str) -> dict[str, Any]:
    return {"type": "marker", "key": "marker", "name": name, "point": point(lat, lng, title=name), **marker_icons()}


# --- many features: clusters computed by the database (issue 19: "the map endpoints return at most a few thousand
# features, clustered or aggregated on the server beyond that") -------------------------------------------------

LEVELS = ("red", "orange", "yellow", "blue")  # the most serious first


def cluster_cells(limit: int) -> int:
    """Cells per side of the grid laid over the features, so that there are at most ``limit`` clusters."""
    return max(1, math.isqrt(limit))


def clusters(
    qs: QuerySet[Any], *, lat: Any, lng: Any, level: Any, cells: int, labels: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The rows of ``qs`` as clusters: a grid of ``cells`` × ``cells`` laid over their extent (``width_bucket``
    between the least and the greatest latitude and longitude), one cluster per non-empty cell at the mean position
    of its members, with their number, their number per level, the cell's most serious level and the box of its
    members (``bounds``, to zoom to). One statement, whatever the number of rows: nothing but the positions and the
    levels leaves the database. ``lat``, ``lng``, ``level``: field names or expressions (e.g. a gathering's own
    position, else its venue's). ``labels``: the levels' names for the popup."""
    names = {name: str((labels or {}).get(name, name)) for name in LEVELS}
    rows = (
        qs.order_by()
        .annotate(_cl_lat=_expression(lat), _cl_lng=_expression(lng), _cl_level=_expression(level))
        .filter(_cl_lat__isnull=False, _cl_lng__isnull=False)
        .values_list("_cl_lat", "_cl_lng", "_cl_level")
    )
    sql, params = rows.query.sql_with_params()
    levels = ", ".join(f"count(*) FILTER (WHERE lvl = '{name}')" for name in LEVELS)
    statement = (
        f"SELECT count(*), avg(lat), avg(lng), min(lat), min(lng), max(lat), max(lng), {levels} "
        "FROM (SELECT lat, lng, lvl, "
        "width_bucket(lat, min(lat) OVER (), max(lat) OVER () + 0.000001, %s) AS i, "
        "width_bucket(lng, min(lng) OVER (), max(lng) OVER () + 0.000001, %s) AS j "
        f"FROM ({sql}) AS s (lat, lng, lvl)) AS c "
        "GROUP BY i, j ORDER BY count(*) DESC"
    )
    found = []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(statement, (cells, cells, *params))
        for n, mean_lat, mean_lng, south, west, north, east, *by_level in cursor.fetchall():
            counts = dict(zip(LEVELS, by_level, strict=True))
            worst = next((name for name in LEVELS if counts[name]), "blue")
            found.append(
                point(
                    mean_lat,
                    mean_lng,
                    level=worst,
                    count=n,
                    counts=counts,
                    bounds=[[float(south), float(west)], [float(north), float(east)]],
                    title=ngettext("%(count)s in this area", "%(count)s in this area", n) % {"count": n},
                    lines=[f"{names[name]} {counts[name]}" for name in LEVELS if counts[name]],
                )
            )
    return found


def _expression(value: Any) -> Any:
    return F(value) if isinstance(value, str) else value


def points_or_clusters(
    qs: QuerySet[Any],
    *,
    limit: int,
    to_point: Any,
    lat: Any,
    lng: Any,
    level: Any,
    labels: Mapping[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A points layer of at most ``limit`` features: the first ``limit`` + 1 rows of ``qs`` (in its order, the most
    serious first) become dots through ``to_point`` (which may return None for one it cannot place); when there are
    more than ``limit``, the whole set is sent as clusters instead (``clusters``, at most ``limit`` of them).
    Returns the features and the number of rows they stand for."""
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        points = [p for p in (to_point(row) for row in rows) if p is not None]
        return points, len(points)
    found = clusters(qs, lat=lat, lng=lng, level=level, cells=cluster_cells(limit), labels=labels)
    return found, sum(c["count"] for c in found)
