"""The risk map of the leaders' dashboard and of the command-centre screen (issue 17 point 3): over the
jurisdictions' boundaries, the gatherings not yet over by level, the venues by their level in the risk register,
the monitored zones by their live level, the open incidents, and a heat map of the gatherings of the period.

Each read goes through its own app's selector (already scoped to the user) and is cut to the chosen territory. A
gathering's level is ``Gathering.risk_level`` (the automatic pre-level and the assessed level alike, as in
``dashboard.selectors.risk``), so the orange and red dots are exactly the gatherings of the attention list: one
with no position of its own nor of its venue is placed at the centre of its territory's boundary (the nearest one
uploaded), drawn dashed and said to be approximate in its popup. Only one with no boundary above it either is
left off (and counted in ``unplaced``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from crowdsafe.org.maps import (
    LEVELS,
    Positions,
    cluster_cells,
    clusters,
    map_config,
    point,
    points_or_clusters,
    territory_extent,
)
from crowdsafe.org.models import PATH_SEPARATOR, Boundary, Jurisdiction
from events.choices import TERMINAL_STATUSES, GatheringStatus, RiskLevel
from events.models import choice_label
from events.selectors import gathering_visible
from response.choices import IncidentStatus
from response.selectors import incident_list
from risk.selectors import register_visible

MAP_LIMIT = 2000  # dots per layer (the most serious first); beyond, the whole layer in at most this many clusters
HEAT_LIMIT = 5000  # heat points; beyond, every gathering of the period summed by cell
HEAT_DAYS = 30  # the heat map's period: gatherings that started in the last 30 days
HEAT_WEIGHT = {"red": 1.0, "orange": 0.75, "yellow": 0.5, "blue": 0.3}
RANK = Case(
    When(risk_level="red", then=Value(0)),
    When(risk_level="orange", then=Value(1)),
    When(risk_level="yellow", then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


@dataclass
class RiskMap:
    gatherings: list[dict[str, Any]] = field(default_factory=list)
    venues: list[dict[str, Any]] = field(default_factory=list)
    zones: Any = field(default_factory=list)  # the shapes, or {"clusters": …} beyond MAP_LIMIT zones
    incidents: list[dict[str, Any]] = field(default_factory=list)
    heat: list[list[float]] = field(default_factory=list)
    unplaced: int = 0


def _centres(root: Jurisdiction) -> dict[str, tuple[Any, Any]]:
    """The boundary centres of the territory, its subtree and its ancestors, by path."""
    ancestors = [
        PATH_SEPARATOR.join(root.path.split(PATH_SEPARATOR)[: i + 1]) + PATH_SEPARATOR for i in range(root.depth)
    ]
    rows = Boundary.objects.filter(
        Q(jurisdiction__path__startswith=root.path) | Q(jurisdiction__path__in=ancestors)
    ).values_list("jurisdiction__path", "centre_latitude", "centre_longitude")
    return {path: (lat, lng) for path, lat, lng in rows}


def _centre_for(path: str, centres: dict[str, tuple[Any, Any]]) -> tuple[Any, Any] | None:
    parts = [p for p in path.split(PATH_SEPARATOR) if p]
    while parts:
        found = centres.get(PATH_SEPARATOR.join(parts) + PATH_SEPARATOR)
        if found:
            return found
        parts.pop()
    return None


def risk_map(*, user: Any, root: Jurisdiction, today: dt.date, with_zones: bool = True) -> RiskMap:
    """The layers' data. ``with_zones=False``: the page reads the zones from the board's cached shapes endpoint
    instead (their polygons are the heavy part: ~750 KB for 2,000 zones)."""
    from monitoring.board import map_layer

    found = RiskMap()
    centres = _centres(root)
    detail = reverse("events:gathering_detail", args=[0])[: -len("0/")]
    level_names = dict(RiskLevel.choices)
    # Up to 500 dots: the labels, in the reader's language, and the local time zone looked up once, not per dot (each
    # lookup reads the request's thread-local language or zone: a fifth of the page's Python, issue 19).
    level_labels = {value: choice_label(RiskLevel, value) for value in RiskLevel.values}
    status_labels = {value: choice_label(GatheringStatus, value) for value in GatheringStatus.values}
    local = timezone.get_current_timezone()

    def gathering_point(row: dict[str, Any]) -> dict[str, Any] | None:
        lat, lng, approx = row["latitude"], row["longitude"], False
        if lat is None:
            lat, lng = row["venue__latitude"], row["venue__longitude"]
        if lat is None or lng is None:
            centre = _centre_for(row["jurisdiction_path"], centres)
            if centre is None:
                found.unplaced += 1
                return None
            (lat, lng), approx = centre, True
        when = row["starts_at"].astimezone(local).strftime("%m-%d %H:%M")
        level_label = level_labels.get(row["risk_level"], row["risk_level"])
        return point(
            lat,
            lng,
            level=row["risk_level"],
            title=row["title"],
            tip=level_label,
            url=f"{detail}{row['pk']}/",
            lines=[f"{when} · {level_label} · {status_labels.get(row['status'], row['status'])}"],
            approx=approx,
        )

    not_over = (
        gathering_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path)
        .exclude(status__in=sorted(s.value for s in TERMINAL_STATUSES))  # as the partial index says it
    )
    if _more_than(not_over, MAP_LIMIT):
        # Every gathering not over, counted by cell of a grid over the territory's boundary box, read from the
        # partial index of the gatherings not over (their place, level and position included): those with a
        # position of their own apart from those placed by their venue's (joined for those alone), and those with
        # neither by territory (at a million gatherings: ~100,000 not over, 3.0 s before, bench/run "map: …").
        extent = territory_extent(root)
        found.gatherings = clusters(
            not_over.filter(latitude__isnull=False),
            lat="latitude",
            lng="longitude",
            level="risk_level",
            cells=cluster_cells(MAP_LIMIT),
            labels=level_names,
            extent=extent,
            more=[
                Positions(
                    not_over.filter(latitude__isnull=True, venue__latitude__isnull=False),
                    lat="venue__latitude",
                    lng="venue__longitude",
                    level="risk_level",
                )
            ],
        )
        found.gatherings += _unpositioned_clusters(not_over, centres, found, level_names)
    else:
        # The layer's dots, the most serious first (Any: the typed rows of values() are dicts for gathering_point).
        dots: Any = (
            not_over.annotate(rank=RANK)
            .order_by("rank", "starts_at", "id")
            .values(
                "pk",
                "title",
                "risk_level",
                "status",
                "starts_at",
                "latitude",
                "longitude",
                "venue__latitude",
                "venue__longitude",
                "jurisdiction_path",
            )[:MAP_LIMIT]
        )
        found.gatherings = [p for p in map(gathering_point, dots) if p is not None]

    def venue_point(entry: Any) -> dict[str, Any]:
        return point(
            entry.latitude,
            entry.longitude,
            level=entry.level,
            title=entry.subject_label,
            tip=entry.get_level_display(),
            url=entry.assessment.get_absolute_url() if entry.assessment_id else "",
            lines=[f"{entry.get_level_display()}（{entry.score}）"],
        )

    found.venues, _n = points_or_clusters(
        register_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path, subject_type="venue", latitude__isnull=False)
        .order_by("-score", "id"),
        limit=MAP_LIMIT,
        to_point=venue_point,
        lat="latitude",
        lng="longitude",
        level="level",
        labels=level_names,
    )

    if with_zones:
        # The zones' polygons, or beyond MAP_LIMIT zones their clusters ({"clusters": …}: the script draws either).
        layer = map_layer(user=user, filters={"territory": root.code}, limit=MAP_LIMIT)
        found.zones = layer if layer.get("clusters") else layer["shapes"]

    def incident_point(incident: Any) -> dict[str, Any]:
        return point(
            incident.latitude,
            incident.longitude,
            level=incident.level.alert_level,
            title=f"{incident.number} {incident.title}",
            tip=incident.level.name,
            url=incident.get_absolute_url(),
            lines=[incident.level.name, incident.place] if incident.place else [incident.level.name],
        )

    found.incidents, _n = points_or_clusters(
        incident_list(user=user)
        .filter(status=IncidentStatus.OPEN, jurisdiction_path__startswith=root.path, latitude__isnull=False)
        .order_by("-level__rank", "-id"),
        limit=MAP_LIMIT,
        to_point=incident_point,
        lat="latitude",
        lng="longitude",
        level="level__alert_level",
        labels=level_names,
    )

    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=HEAT_DAYS - 1), dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    period = (
        gathering_visible(user=user)
        # Started in the period: from 30 days ago to today, not the expected ones of the months ahead too (at a
        # million gatherings those were 289,400 rows to sum instead of ~41,000).
        .filter(jurisdiction_path__startswith=root.path, starts_at__gte=since, starts_at__lt=until)
        .exclude(status__in=["dismissed", "merged"])
    )
    heat = period.filter(Q(latitude__isnull=False) | Q(venue__latitude__isnull=False))
    if _more_than(heat, HEAT_LIMIT):
        found.heat = _heat_cells(period, territory_extent(root))
    else:
        spots = heat.order_by("-starts_at").values_list(
            "risk_level", "latitude", "longitude", "venue__latitude", "venue__longitude"
        )[:HEAT_LIMIT]
        for level, lat, lng, vlat, vlng in spots:
            if lat is None or lng is None:
                lat, lng = vlat, vlng
            if lat is not None and lng is not None:
                found.heat.append([round(float(lat), 6), round(float(lng), 6), HEAT_WEIGHT.get(level, 0.3)])
    return found


def _unpositioned_clusters(
    not_over: Any, centres: dict[str, tuple[Any, Any]], found: RiskMap, names: dict[str, Any]
) -> list[dict[str, Any]]:
    """In a clustered layer, the gatherings with no position of their own nor of their venue, counted by territory
    and level and placed at the territory's boundary centre (dashed: approximate), so that the clusters still count
    every gathering not over (the orange and red ones are the attention list)."""
    by_centre: dict[tuple[Any, Any], dict[str, int]] = {}
    rows = (
        not_over.filter(latitude__isnull=True)
        .filter(Q(venue__isnull=True) | Q(venue__latitude__isnull=True))
        .order_by()
        .values_list("jurisdiction_path", "risk_level")
        .annotate(n=Count("id"))
    )
    for path, level, n in rows:
        centre = _centre_for(path, centres)
        if centre is None:
            found.unplaced += n
            continue
        counts = by_centre.setdefault(centre, dict.fromkeys(LEVELS, 0))
        counts[level if level in counts else "blue"] += n
    placed = []
    for (lat, lng), counts in by_centre.items():
        n = sum(counts.values())
        placed.append(
            point(
                lat,
                lng,
                level=next((name for name in LEVELS if counts[name]), "blue"),
                count=n,
                counts=counts,
                approx=True,
                title=ngettext("%(count)s in this area", "%(count)s in this area", n) % {"count": n},
                lines=[f"{names.get(name, name)} {counts[name]}" for name in LEVELS if counts[name]],
            )
        )
    return placed


def _more_than(qs: Any, limit: int) -> bool:
    """Are there more than ``limit`` rows? One row read at that offset, in no order: an index of the rows gives it
    without reading them all (the ordered first ``limit`` + 1 rows of the layer's dots meant reading and sorting
    all ~100,000 gatherings not over at a million, only to find that they are too many)."""
    return bool(list(qs.order_by().values_list("pk", flat=True)[limit : limit + 1]))


def _heat_cells(period: Any, extent: Any) -> list[list[float]]:
    """The heat map of more gatherings than ``HEAT_LIMIT``: every one of the period's with a position (its own, else
    its venue's), summed by cell (``clusters``, over the territory's box ``extent``) and weighted by level, each
    cell's weight relative to the heaviest (0.3–1: the plugin's scale)."""
    cells = clusters(
        period.filter(latitude__isnull=False),
        lat="latitude",
        lng="longitude",
        level="risk_level",
        cells=cluster_cells(HEAT_LIMIT),
        extent=extent,
        more=[
            Positions(
                period.filter(latitude__isnull=True, venue__latitude__isnull=False),
                lat="venue__latitude",
                lng="venue__longitude",
                level="risk_level",
            )
        ],
    )
    weights = [sum(HEAT_WEIGHT[name] * c["counts"][name] for name in LEVELS) for c in cells]
    heaviest = max(weights, default=0) or 1
    return [
        [c["lat"], c["lng"], round(0.3 + 0.7 * weight / heaviest, 3)] for c, weight in zip(cells, weights, strict=True)
    ]


def risk_map_config(
    *, boundaries_url: str, root: Jurisdiction, data_prefix: str, refresh: bool = False, zones_url: str = ""
) -> dict[str, Any]:
    """The map's configuration; its data is in the json_script blocks ``<data_prefix>-gatherings`` etc. of the
    page (or of the screen's refreshed fragment, when ``refresh``)."""

    def layer(kind: str, key: str, name: str, **extra: Any) -> dict[str, Any]:
        return {"type": kind, "key": key, "name": name, "data_id": f"{data_prefix}-{key}", "refresh": refresh, **extra}

    layers = [
        layer("heat", "heat", gettext("Heat map of gatherings (last 30 days)"), visible=refresh, fit=False),
        layer("zones", "zones", gettext("Monitored zones"), fit=False, **({"url": zones_url} if zones_url else {})),
        layer("points", "venues", gettext("Venues by risk level"), radius=6, stroke="#1f2a37", fit=False),
        layer("points", "incidents", gettext("Incidents"), radius=12, stroke="#111111"),
        layer("points", "gatherings", gettext("Gatherings by level")),
    ]
    return map_config(
        layers=layers,
        boundaries_url=boundaries_url,
        css="dash-map",
        root=root,
        zoom=11,
        fit="territory",
        collapsed=refresh,
    )
