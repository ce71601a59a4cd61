"""Jurisdictions' boundaries (行政区划边界, issue 17 point 3): the check of an uploaded GeoJSON file, and the scoped,
cached GeoJSON that every map draws as its base layer.

An upload goes first through the kernel's check (``crowdsafe.common.files.check_upload``, kind ``boundary``: the
size limit, UTF-8 JSON whose top level is an object), then through ``read_boundary`` here: a Polygon or
MultiPolygon (bare, in a Feature, or in a FeatureCollection of such features, merged into one MultiPolygon), every
position two or three finite numbers with the longitude within ±180 and the latitude within ±90, every ring closed
(a ring whose last position is not its first is closed for the sender) with at least four positions, and at most
``MAX_POINTS`` positions in all. Positions are kept to 6 decimals (≈ 0.1 m) and their height dropped. Anything
else is refused with a message saying what is wrong (``UploadRefused``, a ``ValidationError`` and a
``DomainError``), never a 500.

The map endpoint (``boundary_collection``) answers a FeatureCollection of the boundaries of the territories the
user may see (``Jurisdiction.objects.visible_to``) under a root, cached by the ids it holds and their last change,
so that a user never gets a cached answer built for someone who sees more.
"""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from typing import IO, Any, cast

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext

from crowdsafe.common.files import UploadRefused, check_upload
from crowdsafe.org.models import Boundary, Jurisdiction

MAX_POINTS = 200_000  # positions in one boundary: a township's surveyed boundary has a few thousand
CACHE_SECONDS = 600
POLYGON_TYPES = {"Polygon", "MultiPolygon"}


class _Bad(Exception):
    """What is wrong with the geometry, said to the administrator."""


def _position(raw: Any) -> list[float]:
    if not isinstance(raw, list) or len(raw) not in (2, 3):
        raise _Bad(gettext("a position is not [longitude, latitude]"))
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw):
        raise _Bad(gettext("a position holds something other than numbers"))
    lng, lat = float(raw[0]), float(raw[1])
    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise _Bad(gettext("a position holds something other than numbers"))
    if not -180 <= lng <= 180 or not -90 <= lat <= 90:
        raise _Bad(
            gettext("the position [%(lng)s, %(lat)s] is out of range (longitude first, then latitude, in WGS-84)")
            % {"lng": f"{lng:g}", "lat": f"{lat:g}"}
        )
    return [round(lng, 6), round(lat, 6)]


def _polygon(raw: Any) -> list[list[list[float]]]:
    if not isinstance(raw, list) or not raw:
        raise _Bad(gettext("a polygon has no rings"))
    rings = []
    for ring_raw in raw:
        if not isinstance(ring_raw, list):
            raise _Bad(gettext("a ring is not a list of positions"))
        ring = [_position(p) for p in ring_raw]
        if ring and ring[0] != ring[-1]:
            ring.append(list(ring[0]))
        if len(ring) < 4:
            raise _Bad(gettext("a ring has fewer than three corners"))
        rings.append(ring)
    return rings


def _polygons_of(obj: Any) -> list[list[list[list[float]]]]:
    """The polygons of a Polygon, MultiPolygon, Feature or FeatureCollection."""
    if not isinstance(obj, dict):
        raise _Bad(gettext("it is not a GeoJSON object"))
    kind = obj.get("type")
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list) or not features:
            raise _Bad(gettext("the feature collection has no features"))
        return [polygon for feature in features for polygon in _polygons_of(feature)]
    if kind == "Feature":
        return _polygons_of(obj.get("geometry"))
    if kind == "Polygon":
        return [_polygon(obj.get("coordinates"))]
    if kind == "MultiPolygon":
        coordinates = obj.get("coordinates")
        if not isinstance(coordinates, list) or not coordinates:
            raise _Bad(gettext("the multipolygon has no polygons"))
        return [_polygon(p) for p in coordinates]
    raise _Bad(
        gettext("its geometry is a %(type)s; only Polygon and MultiPolygon are accepted")
        % {"type": str(kind or "?")[:40]}
    )


def read_boundary(data: Any, *, field: str | None = None) -> dict[str, Any]:
    """A boundary as a GeoJSON geometry (Polygon or MultiPolygon) from parsed JSON; ``UploadRefused`` otherwise."""
    try:
        polygons = _polygons_of(data)
    except _Bad as exc:
        raise UploadRefused(
            gettext("The boundary cannot be used: %(problem)s.") % {"problem": exc},
            code="boundary_geometry",
            field=field,
        ) from None
    except RecursionError:
        raise UploadRefused(
            gettext("The boundary cannot be used: %(problem)s.") % {"problem": gettext("it is nested too deep")},
            code="boundary_geometry",
            field=field,
        ) from None
    points = sum(len(ring) for polygon in polygons for ring in polygon)
    if points > MAX_POINTS:
        raise UploadRefused(
            gettext("The boundary has %(n)s points; at most %(max)s are accepted (simplify it first).")
            % {"n": points, "max": MAX_POINTS},
            code="boundary_too_many_points",
            field=field,
        )
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def read_boundary_upload(upload: Any, *, field: str | None = None) -> dict[str, Any]:
    """An uploaded .geojson file, through the kernel's upload check and then ``read_boundary``."""
    check_upload(upload, kind="boundary", field=field)
    stream = cast(IO[bytes], upload)
    stream.seek(0)
    try:
        data = json.loads(stream.read().decode("utf-8-sig"))
    finally:
        stream.seek(0)
    return read_boundary(data, field=field)


def point_count(geometry: dict[str, Any]) -> int:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return sum(len(ring) for polygon in polygons for ring in polygon)


def centre_of(geometry: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """The middle of the bounding box of the outer rings, as (latitude, longitude)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    lngs = [p[0] for polygon in polygons for p in polygon[0]]
    lats = [p[1] for polygon in polygons for p in polygon[0]]
    lat = (min(lats) + max(lats)) / 2
    lng = (min(lngs) + max(lngs)) / 2
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def bounding_box(geometry: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The bounding box of the outer rings, as (least latitude, least longitude, greatest latitude, greatest
    longitude)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    lngs = [p[0] for polygon in polygons for p in polygon[0]]
    lats = [p[1] for polygon in polygons for p in polygon[0]]
    south, west, north, east = (Decimal(f"{value:.6f}") for value in (min(lats), min(lngs), max(lats), max(lngs)))
    return south, west, north, east


# --- the map's base layer ------------------------------------------------------------------------------------


def boundary_collection(*, user: Any, root: Jurisdiction | None = None) -> str:
    """The boundaries the user may see (under ``root`` when given) as a GeoJSON FeatureCollection string, the
    largest territories first (drawn underneath). Cached by the ids in the answer and their last change: one
    aggregate query when cached."""
    qs = Boundary.objects.filter(jurisdiction__in=Jurisdiction.objects.visible_to(user))
    if root is not None:
        qs = qs.filter(jurisdiction__path__startswith=root.path)
    # What the answer holds, cheaply: the ids and their last change (one query on narrow columns, any database).
    seen = list(qs.order_by("jurisdiction_id").values_list("jurisdiction_id", "updated_at"))
    last = max((at for _pk, at in seen), default=None)
    key_source = repr(([pk for pk, _at in seen], last.isoformat() if last else ""))
    key = "org:boundaries:" + hashlib.sha256(key_source.encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        features = []
        rows = qs.select_related("jurisdiction").order_by("jurisdiction__depth", "jurisdiction__path")
        for row in rows:
            j = row.jurisdiction
            features.append(
                {
                    "type": "Feature",
                    "geometry": row.geometry,
                    "properties": {
                        "code": j.code,
                        "name": j.name,
                        "level": j.level,
                        "depth": j.depth,
                        "approximate": row.approximate,
                    },
                }
            )
        body = json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
        )
        cache.set(key, body, getattr(settings, "BOUNDARY_CACHE_SECONDS", CACHE_SECONDS))
    return cast(str, body)
