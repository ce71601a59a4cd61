"""Distances between WGS-84 points (geographiclib's geodesic, as monitoring measures areas)."""

from __future__ import annotations

from decimal import Decimal

from geographiclib.geodesic import Geodesic


def distance_m(a: tuple[Decimal | float, Decimal | float], b: tuple[Decimal | float, Decimal | float]) -> float:
    result = Geodesic.WGS84.Inverse(float(a[0]), float(a[1]), float(b[0]), float(b[1]))
    return float(result["s12"])
