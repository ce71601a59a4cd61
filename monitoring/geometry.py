"""Areas of zones drawn on the map: the geodesic area of a GeoJSON polygon on the WGS84 ellipsoid, in m²
(geographiclib, Karney's algorithm), never degrees squared."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from geographiclib.geodesic import Geodesic


class PolygonError(ValueError):
    pass


def _ring(geojson: Any) -> list[tuple[float, float]]:
    if not isinstance(geojson, dict):
        raise PolygonError("not a GeoJSON object")
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    if geojson.get("type") != "Polygon":
        raise PolygonError("the geometry must be a Polygon")
    rings = geojson.get("coordinates")
    if not isinstance(rings, list) or not rings or not isinstance(rings[0], list):
        raise PolygonError("the polygon has no ring")
    points = []
    for point in rings[0]:
        if not isinstance(point, list | tuple) or len(point) < 2:
            raise PolygonError("a point is not [longitude, latitude]")
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise PolygonError("a point lies outside longitude/latitude range")
        points.append((lat, lon))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(points) < 3:
        raise PolygonError("a polygon needs at least three points")
    return points


def polygon_area_m2(geojson: Any) -> Decimal:
    """The area of the outer ring of a GeoJSON Polygon (or a Feature holding one), in m², 2 decimals."""
    polygon = Geodesic.WGS84.Polygon()
    for lat, lon in _ring(geojson):
        polygon.AddPoint(lat, lon)
    _num, _perimeter, area = polygon.Compute(False, True)
    return Decimal(str(round(abs(area), 2)))
