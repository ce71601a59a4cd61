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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import F, Max, Min, QuerySet
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
    """A map dot: WGS-84 position to 6 decimals (≈ 0.1 m) and what its popup says. ``float()`` of a ``Decimal``, a
    float or a numeral is the nearest float to the number it writes (correctly rounded), as ``float(Decimal(str(…)))``
    was, without the two conversions per coordinate."""
    return {"lat": round(float(lat), 6), "lng": round(float(lng), 6), **fields}


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


@dataclass(frozen=True)
class Positions:
    """More rows for the same clusters (``clusters(more=…)``): a queryset and the field names or expressions of its
    rows' latitude, longitude and level. E.g. the gatherings placed by their venue's position beside those placed
    by their own: each part is read by the index that serves it, with no join for the rows that do not need one."""

    qs: QuerySet[Any]
    lat: Any
    lng: Any
    level: Any


def clusters(
    qs: QuerySet[Any],
    *,
    lat: Any,
    lng: Any,
    level: Any,
    cells: int,
    labels: Mapping[str, Any] | None = None,
    extent: Sequence[Any] | None = None,
    more: Sequence[Positions] = (),
) -> list[dict[str, Any]]:
    """The rows of ``qs`` (and of ``more``) as clusters: a grid of ``cells`` × ``cells`` laid over ``extent``
    (south, west, north, east: the territory's boundary box, ``territory_extent``; rows outside it fall in the
    edge cells) or, with none, over the rows' own extent (read first, in a statement of its own), one cluster per
    non-empty cell at the mean position of its members, with their number, their number per level, the cell's
    most serious level and the box of its members (``bounds``, to zoom to). Whatever the number of rows, nothing
    but the positions and the levels leaves the database, and the grouping is one statement over the rows as the
    indexes give them (no window over all of them to find their extent: at a million gatherings that window was
    about half of the leaders' map). ``lat``, ``lng``, ``level``: field names or expressions (e.g. a gathering's
    own position, else its venue's). ``labels``: the levels' names for the popup."""
    names = {name: str((labels or {}).get(name, name)) for name in LEVELS}
    parts, params = [], []
    for part in (Positions(qs, lat, lng, level), *more):
        rows = (
            part.qs.order_by()
            .annotate(_cl_lat=_expression(part.lat), _cl_lng=_expression(part.lng), _cl_level=_expression(part.level))
            .filter(_cl_lat__isnull=False, _cl_lng__isnull=False)
            .values_list("_cl_lat", "_cl_lng", "_cl_level")
        )
        sql, part_params = rows.query.sql_with_params()
        parts.append(sql)
        params.extend(part_params)
    source = f"({' UNION ALL '.join(parts)}) AS s"
    connection = connections[qs.db]
    found: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        if extent is None:
            cursor.execute(f"SELECT min(_cl_lat), min(_cl_lng), max(_cl_lat), max(_cl_lng) FROM {source}", params)
            south, west, north, east = cursor.fetchone()
            if south is None:
                return found
            # The grid's far edges just beyond the greatest position, as the window before it had them.
            extent = (south, west, Decimal(str(north)) + EDGE, Decimal(str(east)) + EDGE)
        south, west, north, east = (Decimal(str(value)) for value in extent)
        north, east = max(north, south + EDGE), max(east, west + EDGE)
        levels = ", ".join(f"count(*) FILTER (WHERE lvl = '{name}')" for name in LEVELS)
        i, i_params = _cell("lat", south, north, cells, connection.vendor)
        j, j_params = _cell("lng", west, east, cells, connection.vendor)
        # In double precision: the cells, means and boxes of ~100,000 numeric(9, 6) positions took three times as
        # long as reading them from the index.
        statement = (
            f"SELECT count(*), avg(lat), avg(lng), min(lat), min(lng), max(lat), max(lng), {levels} "
            f"FROM (SELECT lat, lng, lvl, {i} AS i, {j} AS j FROM (SELECT CAST(_cl_lat AS double precision) AS lat, "
            f"CAST(_cl_lng AS double precision) AS lng, _cl_level AS lvl FROM {source}) AS f) AS c "
            "GROUP BY i, j ORDER BY count(*) DESC"
        )
        cursor.execute(statement, (*i_params, *j_params, *params))
        for n, mean_lat, mean_lng, low_lat, low_lng, high_lat, high_lng, *by_level in cursor.fetchall():
            counts = dict(zip(LEVELS, by_level, strict=True))
            worst = next((name for name in LEVELS if counts[name]), "blue")
            found.append(
                point(
                    mean_lat,
                    mean_lng,
                    level=worst,
                    count=n,
                    counts=counts,
                    bounds=[[float(low_lat), float(low_lng)], [float(high_lat), float(high_lng)]],
                    title=ngettext("%(count)s in this area", "%(count)s in this area", n) % {"count": n},
                    lines=[f"{names[name]} {counts[name]}" for name in LEVELS if counts[name]],
                )
            )
    return found


EDGE = Decimal("0.000001")  # the least span of a cell's range, and how far beyond the greatest position a grid ends


def _cell(column: str, low: Decimal, high: Decimal, cells: int, vendor: str) -> tuple[str, list[Any]]:
    """The SQL of a row's cell (1 … ``cells``) along one axis of the grid from ``low`` to ``high`` (``column``: a
    double precision), a position outside the range in the nearest edge cell. PostgreSQL's ``width_bucket``;
    elsewhere (the embedded SQLite of ``scripts/run``) the same by arithmetic."""
    if vendor == "postgresql":
        return f"LEAST(GREATEST(width_bucket({column}, %s, %s, %s), 1), %s)", [float(low), float(high), cells, cells]
    return (
        f"MIN(MAX(CAST(({column} - %s) * %s / %s AS INTEGER) + 1, 1), %s)",
        [float(low), cells, float(high - low), cells],
    )


def territory_extent(root: Jurisdiction) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
    """The box (south, west, north, east) of the boundaries uploaded for ``root`` and its subtree, over which a
    map lays the grid of its clusters; None when there is none."""
    box = Boundary.objects.filter(jurisdiction__path__startswith=root.path).aggregate(
        south=Min("min_latitude"), west=Min("min_longitude"), north=Max("max_latitude"), east=Max("max_longitude")
    )
    if any(value is None for value in box.values()):
        return None
    return box["south"], box["west"], box["north"], box["east"]


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
