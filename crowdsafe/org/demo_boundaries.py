"""Approximate boundaries for the demo cities (issue 17 point 3), so that the maps of a fresh demo, with no tile
server and no internet, show the districts and townships under the markers. They are drawn by hand as boxes
around the demo's venues and gatherings, not surveyed: stored with ``approximate=True``, the maps label them
示意边界. A boundary an administrator has uploaded is never replaced.

Each district (or county) is a box (west, south, east, north in WGS-84 degrees); its four townships are its
quarters, in the order north-west, north-east, south-east, south-west (so that the demo venues of 东大街街道 and of
林州市's towns fall in their own township); the city is the union of its districts. 梅河口市 has no districts: its
townships are the quarters of the city's box."""

from __future__ import annotations

from typing import Any

from crowdsafe.org import demo_data, services
from crowdsafe.org.models import Boundary, Jurisdiction

Box = tuple[float, float, float, float]

DISTRICT_BOXES: dict[str, Box] = {
    "410581": (113.60, 35.80, 114.20, 36.30),  # 林州市
    "410503": (114.20, 36.12, 114.45, 36.22),  # 北关区
    "410505": (114.20, 36.00, 114.33, 36.12),  # 殷都区
    "410502": (114.33, 36.00, 114.45, 36.12),  # 文峰区
    "410506": (114.20, 35.90, 114.45, 36.00),  # 龙安区
    "410522": (114.45, 35.90, 114.75, 36.22),  # 安阳县
    "410527": (114.75, 35.90, 115.05, 36.22),  # 内黄县
    "410523": (114.20, 35.60, 114.60, 35.90),  # 汤阴县
    "410526": (114.60, 35.40, 115.05, 35.90),  # 滑县
}
CITY_BOXES: dict[str, Box] = {"220581": (125.55, 42.40, 125.85, 42.62)}  # 梅河口市 (no districts)


def ring(box: Box) -> list[list[float]]:
    west, south, east, north = box
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def polygon(box: Box) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring(box)]}


def parts(box: Box, n: int) -> list[Box]:
    """``n`` boxes that tile ``box``: its quarters (NW, NE, SE, SW) for four, else vertical strips west to east."""
    west, south, east, north = box
    if n == 4:
        lng = round((west + east) / 2, 6)
        lat = round((south + north) / 2, 6)
        return [(west, lat, lng, north), (lng, lat, east, north), (lng, south, east, lat), (west, south, lng, lat)]
    step = (east - west) / max(n, 1)
    return [(round(west + i * step, 6), south, round(west + (i + 1) * step, 6), north) for i in range(n)]


def plan() -> dict[str, dict[str, Any]]:
    """Division code → geometry, for every demo city, district and township with a box."""
    geometries: dict[str, dict[str, Any]] = {}
    for city in demo_data.CITIES:
        districts = [d for d in city["districts"] if d["code"] in DISTRICT_BOXES]
        if city["code"] in CITY_BOXES:
            box = CITY_BOXES[city["code"]]
            geometries[city["code"]] = polygon(box)
            for township, part in zip(city["townships"], parts(box, len(city["townships"])), strict=True):
                geometries[township["code"]] = polygon(part)
        if districts:
            geometries[city["code"]] = {
                "type": "MultiPolygon",
                "coordinates": [[ring(DISTRICT_BOXES[d["code"]])] for d in districts],
            }
        for district in districts:
            box = DISTRICT_BOXES[district["code"]]
            geometries[district["code"]] = polygon(box)
            for township, part in zip(district["townships"], parts(box, len(district["townships"])), strict=True):
                geometries[township["code"]] = polygon(part)
    return geometries


def seed_boundaries() -> int:
    """Give the demo territories that have no boundary yet their approximate one; returns how many were set."""
    geometries = plan()
    have = set(Boundary.objects.filter(jurisdiction__code__in=geometries).values_list("jurisdiction__code", flat=True))
    added = 0
    for jurisdiction in Jurisdiction.objects.filter(code__in=set(geometries) - have).order_by("path"):
        services.jurisdiction_set_boundary(
            jurisdiction=jurisdiction, geometry=geometries[jurisdiction.code], approximate=True, actor=None
        )
        added += 1
    return added
