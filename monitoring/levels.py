"""Levels with their working (issue 15 point 2): the bands, the level of a count, hysteresis, and the trend.

Pure functions over plain values, so the ingest can evaluate thousands of zones per second and the tests can
read like the rule."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from monitoring.choices import LEVELS_UP, Level, Measure, rank

BandTable = dict[tuple[str, str], dict[str, Any]]


def load_bands() -> BandTable:
    """{(measure, zone_kind or ""): {"thresholds": {level: float}, "source": str}} from the Band table."""
    from monitoring.models import Band

    table: BandTable = {}
    for band in Band.objects.all():
        table[(band.measure, band.zone_kind)] = {
            "thresholds": {k: float(v) for k, v in band.thresholds().items()},
            "source": band.source,
        }
    return table


def band_for(bands: BandTable, measure: str, zone_kind: str) -> dict[str, Any] | None:
    return bands.get((measure, zone_kind)) or bands.get((measure, ""))


def band_key(bands: BandTable, measure: str, zone_kind: str) -> str:
    """The band a measure was levelled against, as stored in a zone state's working: ``measure:kind`` (blank kind:
    the band of every kind)."""
    return f"{measure}:{zone_kind if (measure, zone_kind) in bands else ''}"


def working_stored(working: dict[str, Any]) -> dict[str, Any]:
    """The working as a zone state stores it: each measure names its band (``band``) instead of carrying the band's
    thresholds and cited source — the same figures and paragraphs in every zone's row, rewritten on every batch,
    were half of what the ingest wrote — and the sources' candidate estimates are left to the state's ``latest``
    (the API rebuilds them: ``evaluation.reconcile``). ``working_in_full`` puts the bands back."""
    if "candidates" in working:
        working = {k: v for k, v in working.items() if k != "candidates"}
    measures = working.get("measures")
    if not measures or all("bands" not in m and "source" not in m for m in measures):
        return working
    return {**working, "measures": [{k: v for k, v in m.items() if k not in ("source", "bands")} for m in measures]}


def working_in_full(working: dict[str, Any], bands: BandTable | None = None) -> dict[str, Any]:
    """A stored working with each measure's band — its thresholds and cited source — put back (for the API and the
    pages; a working that already has them is returned as it is)."""
    measures = (working or {}).get("measures")
    if not measures or all("source" in m and "bands" in m for m in measures):
        return working
    bands = bands if bands is not None else load_bands()
    out = []
    for m in measures:
        measure, _sep, kind = str(m.get("band", f"{m.get('measure', '')}:")).partition(":")
        band = bands.get((measure, kind)) or bands.get((measure, ""))
        out.append(
            {
                **m,
                "bands": m.get("bands", band["thresholds"] if band else {}),
                "source": m.get("source", band["source"] if band else ""),
            }
        )
    return {**working, "measures": out}


def level_of(value: float | None, thresholds: dict[str, float]) -> str:
    level = Level.BLUE.value
    if value is None:
        return level
    for name in LEVELS_UP:
        limit = thresholds.get(name)
        if limit is not None and value >= limit:
            level = name
    return level


@dataclass
class Assessment:
    """The level of one count in one zone, and the count from which each level starts (for the forecast and the
    hysteresis)."""

    level: str
    density: float | None
    utilisation: float | None
    working: dict[str, Any]
    # The lowest count at which each level starts, over every measure that applies.
    count_for: dict[str, float] = field(default_factory=dict)


def assess(
    *,
    count: int,
    area_m2: float,
    zone_kind: str,
    safe_capacity: int | None,
    declared_capacity: int | None,
    approved_capacity: int | None,
    bands: BandTable,
) -> Assessment:
    """Density and utilisation of ``count``; the level is the worse of them. The working names each measure's band
    (``band``), as a zone state stores it; ``working_in_full`` adds the band's thresholds and cited source."""
    working: dict[str, Any] = {"count": count, "area_m2": round(area_m2, 2), "measures": []}
    count_for: dict[str, float] = {}
    levels = []
    density = count / area_m2 if area_m2 > 0 else None
    band = band_for(bands, Measure.DENSITY, zone_kind)
    if band and density is not None:
        lvl = level_of(density, band["thresholds"])
        levels.append(lvl)
        working["measures"].append(
            {
                "measure": "density",
                "value": round(density, 3),
                "level": lvl,
                "band": band_key(bands, Measure.DENSITY, zone_kind),
            }
        )
        for name, limit in band["thresholds"].items():
            count_for[name] = min(count_for.get(name, math.inf), limit * area_m2)
    utilisation = None
    capacities = [c for c in (safe_capacity, declared_capacity) if c]
    if capacities:
        capacity = min(capacities)
        utilisation = count / capacity
        band = band_for(bands, Measure.UTILISATION, zone_kind)
        if band:
            lvl = level_of(utilisation, band["thresholds"])
            levels.append(lvl)
            working["measures"].append(
                {
                    "measure": "utilisation",
                    "capacity": capacity,
                    "value": round(utilisation, 3),
                    "level": lvl,
                    "band": band_key(bands, Measure.UTILISATION, zone_kind),
                    "capacity_from": "declared" if capacity == declared_capacity else "safe",
                }
            )
            for name, limit in band["thresholds"].items():
                count_for[name] = min(count_for.get(name, math.inf), limit * capacity)
    if approved_capacity:
        share = count / approved_capacity
        band = band_for(bands, Measure.APPROVED, zone_kind)
        if band:
            lvl = level_of(share, band["thresholds"])
            levels.append(lvl)
            working["measures"].append(
                {
                    "measure": "approved",
                    "capacity": approved_capacity,
                    "value": round(share, 3),
                    "level": lvl,
                    "band": band_key(bands, Measure.APPROVED, zone_kind),
                }
            )
            for name, limit in band["thresholds"].items():
                count_for[name] = min(count_for.get(name, math.inf), limit * approved_capacity)
            utilisation = max(utilisation or 0.0, share)
    level = max(levels, key=rank) if levels else Level.BLUE.value
    working["level"] = level
    return Assessment(level=level, density=density, utilisation=utilisation, working=working, count_for=count_for)


def hysteresis(
    *,
    current: str,
    proposed: str,
    count: int,
    count_for: dict[str, float],
    below_since: dt.datetime | None,
    at: dt.datetime,
) -> tuple[str, dt.datetime | None]:
    """(new level, new below_since). Rises at once; falls only when the count has stayed below the current
    level's threshold less the margin for the hysteresis time."""
    if rank(proposed) >= rank(current):
        return proposed, None
    threshold = count_for.get(current)
    margin = 1 - settings.MONITORING_FALL_MARGIN_PERCENT / 100
    if threshold is not None and count >= threshold * margin:
        return current, None  # within the margin: not below yet
    since = below_since or at
    if at - since >= dt.timedelta(minutes=settings.MONITORING_HYSTERESIS_MINUTES):
        return proposed, None
    return current, since


def early_warning_hold(forecast: dict[str, Any], *, previous: dict[str, Any] | None, at: dt.datetime) -> dict[str, Any]:
    """The early warning with the same hysteresis as the level: it starts at once, and ends only after red has not
    been forecast within the horizon for the hysteresis time. A noisy trend that crosses the horizon back and forth
    therefore keeps one warning open (one urgent alert), instead of opening a new one each time; ``held`` says the
    warning stands although the latest forecast alone would not raise it, and ``clear_since`` since when."""
    previous = previous or {}
    if forecast.get("early_warning"):
        return {**forecast, "warning_held": False, "warning_clear_since": None}
    if not previous.get("early_warning"):
        return forecast
    clear_since = previous.get("warning_clear_since") or at.isoformat()
    if at - dt.datetime.fromisoformat(clear_since) >= dt.timedelta(minutes=settings.MONITORING_HYSTERESIS_MINUTES):
        return {**forecast, "warning_held": False, "warning_clear_since": None}
    return {**forecast, "early_warning": True, "warning_held": True, "warning_clear_since": clear_since}


def theil_sen(points: list[tuple[float, float]]) -> float:
    """The median of the pairwise slopes (robust to outliers: a miscount does not tilt the trend)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    n = len(points)
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(n) for j in range(i + 1, n) if xs[j] != xs[i]]
    if not slopes:
        return 0.0
    slopes.sort()
    mid = len(slopes) // 2
    return slopes[mid] if len(slopes) % 2 else (slopes[mid - 1] + slopes[mid]) / 2


WINDOWS_MIN = (5, 10, 20, 30)
MIN_POINTS = 6
KEEP_POINTS = 40
SPACING_S = 20


def add_point(recent: list[list[float]], ts: float, count: float) -> list[list[float]]:
    """The thinned series: one point per ``SPACING_S`` seconds (the latest value within it), at most
    ``KEEP_POINTS``; each point as whole numbers (seconds, people): the series is read and rewritten with the zone's
    state on every batch, and a second is finer than the trend needs."""
    point: list[float] = [round(ts), round(count)]
    if recent and ts - recent[-1][0] < SPACING_S and len(recent) > 1 and ts - recent[-2][0] < SPACING_S * 2:
        recent[-1] = point
    else:
        recent.append(point)
    return recent[-KEEP_POINTS:]


def forecast(
    *, recent: list[list[float]], now_ts: float, count: float, level: str, count_for: dict[str, float]
) -> dict[str, Any]:
    """Growth rate (persons/min, Theil–Sen over the shortest window holding enough points), minutes to the next
    level and to red; ``early_warning`` when red is forecast within the horizon."""
    out: dict[str, Any] = {
        "rate_per_min": None,
        "window_min": None,
        "points": 0,
        "next_level": None,
        "minutes_to_next": None,
        "minutes_to_red": None,
        "early_warning": False,
        "horizon_min": settings.MONITORING_FORECAST_HORIZON_MINUTES,
    }
    # The series is in time order (``add_point`` appends; an out-of-order reading never moves the level back): each
    # window is a tail of it.
    times = [p[0] for p in recent]
    window_points: list[tuple[float, float]] = []
    for window in WINDOWS_MIN:
        start = bisect.bisect_left(times, now_ts - window * 60)
        if len(recent) - start >= MIN_POINTS:
            window_points = [(p[0], p[1]) for p in recent[start:]]
            out["window_min"] = window
            break
    if len(window_points) < MIN_POINTS:
        return out
    rate = theil_sen(window_points) * 60
    out["rate_per_min"] = round(rate, 2)
    out["points"] = len(window_points)
    current = rank(level)
    higher = [name for name in LEVELS_UP if rank(name) > current and name in count_for]
    if higher:
        out["next_level"] = higher[0]
    if rate > 0:
        if higher:
            out["minutes_to_next"] = round(max(0.0, (count_for[higher[0]] - count) / rate), 1)
        if Level.RED.value in count_for and rank(level) < rank(Level.RED):
            minutes = max(0.0, (count_for[Level.RED.value] - count) / rate)
            out["minutes_to_red"] = round(minutes, 1)
            out["early_warning"] = minutes <= settings.MONITORING_FORECAST_HORIZON_MINUTES
    return out
