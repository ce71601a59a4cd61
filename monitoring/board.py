"""The live board's reads (监测大屏): the zones a user may see with their current state, worst first, a sparkline
of the last hour for the tiles shown, the level of every zone for the map, and a zone's day from the one-minute
rollups. Every read starts from ``Zone.objects.visible_to(user)`` and reads the current-state table and the
rollups only — never the raw readings — so the board costs the same whether the city sends 10 or 5,000
readings a second.

Queries of one board fragment, whatever the number of zones: the zones with their state (one query, sorted in
Python: 2,000 rows of a few columns), the sparklines of the tiles shown (one query on the rollups' unique
(zone, minute) index), and the territory code's path when filtered (one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db import connection
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crowdsafe.common.filters import ListFilterSet, TerritoryFilter
from monitoring.charts import BandLine, Marker, day_chart_svg, sparkline_svg
from monitoring.choices import Level, Measure, ZoneKind, rank
from monitoring.models import Band, MonitoringAlert, Rollup, Zone

#: How many tiles the board shows (the worst first); the map and the counts cover every zone.
BOARD_TILES = 60
SPARK_MINUTES = 60


class BoardFilterSet(ListFilterSet):
    """The board's filters: a territory (division code, its whole subtree), a level, a kind of zone."""

    territory = TerritoryFilter(label=gettext_lazy("Territory (division code)"))
    level = django_filters.ChoiceFilter(
        field_name="state__level", choices=Level.choices, label=gettext_lazy("Level"), empty_label=gettext_lazy("All")
    )
    kind = django_filters.ChoiceFilter(
        choices=ZoneKind.choices, label=gettext_lazy("Kind of zone"), empty_label=gettext_lazy("All")
    )

    class Meta:
        model = Zone
        fields = ["territory", "level", "kind"]


def board_zones(*, user: Any, filters: Any = None) -> QuerySet[Zone]:
    """The live zones ``user`` may see (exercise copies are on their exercise's page, not on the board)."""
    visible = Zone.objects.visible_to(user).filter(is_active=True, exercise=False)
    return BoardFilterSet.of(filters).apply(visible)


@dataclass
class Tile:
    """One zone on the board."""

    id: int
    name: str
    place: str
    kind: str
    level: str
    count: int | None
    density: float | None
    utilisation: float | None
    observed_at: dt.datetime | None
    interrupted: bool
    forecast: Mapping[str, Any]
    spark: str = ""
    url: str = ""

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label) if self.level in Level.values else str(Level.BLUE.label)

    @property
    def kind_label(self) -> str:
        return str(ZoneKind(self.kind).label) if self.kind in ZoneKind.values else ""

    @property
    def percent(self) -> int | None:
        return None if self.utilisation is None else round(self.utilisation * 100)

    @property
    def minutes_to_red(self) -> float | None:
        value = self.forecast.get("minutes_to_red") if self.forecast else None
        return float(value) if isinstance(value, int | float) else None

    @property
    def rate(self) -> float | None:
        value = self.forecast.get("rate_per_min") if self.forecast else None
        return float(value) if isinstance(value, int | float) else None

    @property
    def sort_key(self) -> tuple[int, int, float, str]:
        # Worst first: red, orange, an interrupted feed (a silent sensor is never an empty square), yellow, blue.
        return (
            -_weight(self.level, self.interrupted),
            0 if self.minutes_to_red is not None else 1,
            -(self.density or 0.0),
            self.name,
        )


@dataclass
class Board:
    tiles: list[Tile]
    total: int
    counts: dict[str, int]
    interrupted: int
    levels: dict[int, str] = field(default_factory=dict)
    version: str = ""
    #: How many zones come before the first tile (the board's pages: the next tiles, still worst first).
    offset: int = 0

    @property
    def first(self) -> int:
        """The rank of the first tile shown (1 = the most serious zone)."""
        return self.offset + 1

    @property
    def last(self) -> int:
        return self.offset + len(self.tiles)


def _number(value: Any) -> float | None:
    """A forecast figure read with ``->>`` (text, or None for a JSON null or a missing key)."""
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _weight(level: str, interrupted: bool) -> int:
    """How serious a zone is (as ``Tile.sort_key``): red, orange, an interrupted feed, yellow, blue."""
    return rank(level) * 2 + (3 if interrupted and rank(level) < 3 else 0)


# The negated weight of each (level, interrupted), looked up once per zone instead of computed.
_MINUS_WEIGHT = {(level, silent): -_weight(level, silent) for level in Level.values for silent in (False, True)}


def board(
    *, user: Any, filters: Any = None, limit: int = BOARD_TILES, offset: int = 0, now: dt.datetime | None = None
) -> Board:
    """The board of ``user`` (``board_if_changed``, always read)."""
    found = board_if_changed(user=user, filters=filters, limit=limit, offset=offset, now=now, since=None)
    assert found is not None  # no version given: always read
    return found


def board_if_changed(
    *,
    user: Any,
    since: str | None,
    filters: Any = None,
    limit: int = BOARD_TILES,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> Board | None:
    """The board of ``user``: the ``limit`` worst tiles with their sparklines (after the ``offset`` worse ones: the
    board's next pages; an offset past the last zone shows the last page), the count per level, and the level of
    every zone (the map recolours from it). None when the board's version is still ``since`` (what the board
    shows has not changed since the viewer's page read it: the poll answers 204).

    Every zone is read narrow (id, name, level, interrupted, density, whether red is forecast, updated) to sort
    worst first, count and colour the map — no JSON decoded per zone, no object per zone; then only the tiles shown
    are read whole, and their sparklines. The version comes from the same read: a poll whose board changed reads
    the zones' states once, not once for the version and again for the board."""
    now = now or timezone.now()
    zones = board_zones(user=user, filters=filters)
    # Unordered: sorted here (the zones' default order sorts 2,000 names by collation in the database for nothing).
    narrow = (
        zones.order_by()
        .annotate(mtr=KeyTextTransform("minutes_to_red", "state__forecast"))
        .values_list("id", "name", "state__level", "state__interrupted", "state__density", "mtr", "state__updated_at")
    )
    ranked: list[tuple[int, int, float, str, int]] = []
    levels: dict[int, str] = {}
    counts = {level: 0 for level in reversed(Level.values)}
    interrupted = 0
    latest: dt.datetime | None = None
    blue = Level.BLUE.value
    minus_weight = _MINUS_WEIGHT
    for pk, name, level, silent, density, mtr, updated in narrow:
        level = level or blue
        silent = bool(silent)
        levels[pk] = level
        counts[level] = counts.get(level, 0) + 1
        interrupted += silent
        if updated is not None and (latest is None or updated > latest):
            latest = updated
        # Worst first, as Tile.sort_key (then the id), written inline: 2,000 zones.
        weight = minus_weight.get((level, silent))
        if weight is None:
            weight = -_weight(level, silent)
        ranked.append((weight, 1 if mtr is None else 0, -(density or 0.0), name, pk))
    version = f"{len(levels)}:{latest.isoformat() if latest else ''}"
    if since is not None and since == version:
        return None
    ranked.sort()
    if offset >= len(ranked):
        offset = (len(ranked) - 1) // limit * limit if ranked else 0
    offset = max(offset, 0)
    shown_ids = [key[-1] for key in ranked[offset : offset + limit]]
    order = {pk: i for i, pk in enumerate(shown_ids)}
    tiles: list[Tile] = []
    if shown_ids:
        for row in (
            Zone.objects.filter(pk__in=shown_ids)
            .order_by()  # put in the board's order below
            .annotate(
                mtr=KeyTextTransform("minutes_to_red", "state__forecast"),
                rate=KeyTextTransform("rate_per_min", "state__forecast"),
            )
            .values_list(
                "id",
                "name",
                "kind",
                "jurisdiction__name",
                "state__level",
                "state__count",
                "state__density",
                "state__utilisation",
                "state__observed_at",
                "state__interrupted",
                "mtr",
                "rate",
            )
        ):
            pk, name, kind, place, level, count, density, utilisation, observed_at, silent, mtr, rate = row
            forecast = {"minutes_to_red": _number(mtr), "rate_per_min": _number(rate)}
            tiles.append(
                Tile(
                    id=pk,
                    name=name,
                    place=place,
                    kind=kind,
                    level=level or blue,
                    count=count,
                    density=density,
                    utilisation=utilisation,
                    observed_at=observed_at,
                    interrupted=bool(silent),
                    forecast=forecast,
                )
            )
        tiles.sort(key=lambda t: order[t.id])
        # One reverse for the tiles' links (60 {% url %} in the template cost more than the rest of a tile).
        prefix, _zero, suffix = reverse("monitoring:zone_page", args=[0]).rpartition("0")
        for tile in tiles:
            tile.url = f"{prefix}{tile.id}{suffix}"
    _add_sparklines(tiles, now=now)
    return Board(
        tiles=tiles,
        total=len(levels),
        counts=counts,
        interrupted=interrupted,
        levels=levels,
        version=version,
        offset=offset,
    )


def _minute_floor(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def _add_sparklines(tiles: Iterable[Tile], *, now: dt.datetime) -> None:
    by_id = {t.id: t for t in tiles}
    if not by_id:
        return
    first = _minute_floor(now) - dt.timedelta(minutes=SPARK_MINUTES - 1)
    read = _spark_series_arrays if connection.vendor == "postgresql" else _spark_series_rows
    for pk, values in read(list(by_id), first=first).items():
        by_id[pk].spark = sparkline_svg(values, level=by_id[pk].level)


def _spark_series_rows(zone_ids: list[int], *, first: dt.datetime) -> dict[int, list[float | None]]:
    """The mean people per minute of each zone from ``first`` for SPARK_MINUTES (None where no reading came), read
    row by row: one row per zone and minute (60 tiles × 60 minutes: 3,600 rows, a datetime each)."""
    series: dict[int, list[float | None]] = {pk: [None] * SPARK_MINUTES for pk in zone_ids}
    for zone_id, minute, total, n in Rollup.objects.filter(zone_id__in=zone_ids, minute__gte=first).values_list(
        "zone_id", "minute", "people_sum", "n"
    ):
        index = int((minute - first).total_seconds() // 60)
        if 0 <= index < SPARK_MINUTES and n:
            series[zone_id][index] = total / n
    return series


def _spark_series_arrays(zone_ids: list[int], *, first: dt.datetime) -> dict[int, list[float | None]]:
    """``_spark_series_rows`` on PostgreSQL, set-based: one row per zone with its minutes' indexes and means as two
    arrays, computed by the database on the rollups' (zone, minute) index — 60 rows instead of 3,600 rows with a
    datetime each (8.4 -> 3.3 ms of CPU for a full hour of 60 tiles, 2 ms of it drawing the lines)."""
    series: dict[int, list[float | None]] = {pk: [None] * SPARK_MINUTES for pk in zone_ids}
    table = connection.ops.quote_name(Rollup._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT zone_id, array_agg(floor(extract(epoch FROM minute - %s) / 60)::int ORDER BY minute), "
            f"array_agg(people_sum::float8 / NULLIF(n, 0) ORDER BY minute) FROM {table} "
            f"WHERE zone_id = ANY(%s) AND minute >= %s GROUP BY zone_id",
            [first, zone_ids, first],
        )
        for zone_id, indexes, means in cursor.fetchall():
            values = series[zone_id]
            for index, mean in zip(indexes, means, strict=True):
                if 0 <= index < SPARK_MINUTES:
                    values[index] = mean
    return series


# --- the map -------------------------------------------------------------------------------------------------


def map_shapes(*, user: Any, filters: Any = None) -> list[dict[str, Any]]:
    """The zones with a polygon, for the board's map: id, name, level and the outer ring as [lat, lng] pairs
    (GeoJSON stores [lng, lat]), to 6 decimals (≈ 0.1 m)."""
    shapes: list[dict[str, Any]] = []
    for pk, name, polygon, level in (
        board_zones(user=user, filters=filters)
        .filter(polygon__isnull=False)
        .values_list("id", "name", "polygon", "state__level")
    ):
        ring = _outer_ring(polygon)
        if ring:
            shapes.append({"id": pk, "name": name, "level": level or Level.BLUE.value, "ring": ring})
    return shapes


# The map draws at most this many zones' polygons; beyond, the zones are sent as clusters (issue 19: a map endpoint
# returns at most a few thousand features): a province's tens of thousands of zones would be megabytes of rings.
SHAPES_LIMIT = 3000


def map_layer(*, user: Any, filters: Any = None, limit: int = SHAPES_LIMIT) -> dict[str, Any]:
    """The board map's data: ``{"shapes": [...]}`` (``map_shapes``) for up to ``limit`` zones with a polygon;
    beyond, ``{"shapes": [], "clusters": [...], "count": n}``: the zones counted by cell and level
    (``crowdsafe.org.maps.clusters``, placed by the first vertex of each polygon, at most ``limit`` clusters)."""
    from django.db.models import Value
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import Coalesce

    from crowdsafe.org.maps import cluster_cells, clusters

    zones = board_zones(user=user, filters=filters).filter(polygon__isnull=False)
    if zones.order_by()[: limit + 1].count() <= limit:
        return {"shapes": map_shapes(user=user, filters=filters)}

    def vertex(index: int) -> RawSQL:
        column = f'"{Zone._meta.db_table}"."polygon"'
        return RawSQL(
            f"(CASE {column} ->> 'type' WHEN 'MultiPolygon' THEN {column} #>> '{{coordinates,0,0,0,{index}}}' "
            f"WHEN 'Feature' THEN {column} #>> '{{geometry,coordinates,0,0,{index}}}' "
            f"ELSE {column} #>> '{{coordinates,0,0,{index}}}' END)::numeric",
            (),
        )

    found = clusters(
        zones,
        lat=vertex(1),
        lng=vertex(0),
        level=Coalesce("state__level", Value(Level.BLUE.value)),
        cells=cluster_cells(limit),
        labels=dict(Level.choices),
    )
    return {"shapes": [], "clusters": found, "count": sum(c["count"] for c in found)}


def _outer_ring(polygon: Any) -> list[list[float]]:
    """The outer ring of a GeoJSON Polygon (or the first polygon of a MultiPolygon, or a Feature's geometry)."""
    if not isinstance(polygon, dict):
        return []
    if polygon.get("type") == "Feature":
        return _outer_ring(polygon.get("geometry"))
    coordinates = polygon.get("coordinates") or []
    if polygon.get("type") == "MultiPolygon":
        coordinates = coordinates[0] if coordinates else []
    try:
        return [[round(float(lat), 6), round(float(lng), 6)] for lng, lat, *_rest in coordinates[0]]
    except (IndexError, TypeError, ValueError):
        return []


# --- a zone's day --------------------------------------------------------------------------------------------


def density_bands(zone: Zone) -> list[BandLine]:
    """The density at which ``zone`` turns yellow, orange and red (its kind's density band), and the density of
    100 % of its safe or declared capacity when it has one."""
    bands = {b.zone_kind: b for b in Band.objects.filter(measure=Measure.DENSITY, zone_kind__in=[zone.kind, ""])}
    band = bands.get(zone.kind) or bands.get("")
    lines: list[BandLine] = []
    if band is not None:
        for level, value in band.thresholds().items():
            lines.append(BandLine(level, float(value), f"{Level(level).label} {float(value):g}"))
    capacity = zone.declared_capacity or zone.safe_capacity
    if capacity and zone.area_m2:
        lines.append(BandLine("capacity", float(capacity) / float(zone.area_m2), _("capacity")))
    return sorted(lines, key=lambda b: b.value)


def zone_day(zone: Zone, *, day: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """``zone``'s day (local midnight until now, or the whole ``day``): the density per minute from the
    rollups, the alerts raised that day, and the chart of both with the band lines."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = min(now, start + dt.timedelta(days=1))
    area = float(zone.area_m2)
    points = [
        (minute, total / n / area)
        for minute, total, n in Rollup.objects.filter(zone=zone, minute__gte=start, minute__lt=end)
        .order_by("minute")
        .values_list("minute", "people_sum", "n")
        if n
    ]
    alerts = list(
        MonitoringAlert.objects.filter(zone=zone, raised_at__gte=start, raised_at__lt=end)
        .only("id", "kind", "level", "state", "raised_at", "observed_at", "reason", "exercise", "zone_id")
        .order_by("raised_at")
    )
    markers = [
        Marker(a.observed_at or a.raised_at, a.level, f"{a.get_kind_display()} · {a.get_level_display()}")
        for a in alerts
    ]
    return {
        "day": day,
        "points": points,
        "alerts": alerts,
        "chart": day_chart_svg(
            points, start=start, end=end if end > start else now, bands=density_bands(zone), markers=markers
        ),
    }
