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

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from crowdsafe.org.maps import map_config, point
from crowdsafe.org.models import PATH_SEPARATOR, Boundary, Jurisdiction
from events.choices import TERMINAL_STATUSES, GatheringStatus, RiskLevel
from events.models import choice_label
from events.selectors import gathering_visible
from response.choices import IncidentStatus
from response.selectors import incident_list
from risk.selectors import register_visible

MAP_LIMIT = 2000  # dots per layer (the most serious first)
HEAT_LIMIT = 5000
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
    zones: list[dict[str, Any]] = field(default_factory=list)
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
    from monitoring.board import map_shapes

    found = RiskMap()
    centres = _centres(root)
    detail = reverse("events:gathering_detail", args=[0])[: -len("0/")]
    gatherings = (
        gathering_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path)
        .exclude(status__in=[s.value for s in TERMINAL_STATUSES])
        .annotate(rank=RANK)
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
    for row in gatherings:
        lat, lng, approx = row["latitude"], row["longitude"], False
        if lat is None:
            lat, lng = row["venue__latitude"], row["venue__longitude"]
        if lat is None or lng is None:
            centre = _centre_for(row["jurisdiction_path"], centres)
            if centre is None:
                found.unplaced += 1
                continue
            (lat, lng), approx = centre, True
        when = timezone.localtime(row["starts_at"]).strftime("%m-%d %H:%M")
        level_label = choice_label(RiskLevel, row["risk_level"])
        found.gatherings.append(
            point(
                lat,
                lng,
                level=row["risk_level"],
                title=row["title"],
                tip=level_label,
                url=f"{detail}{row['pk']}/",
                lines=[f"{when} · {level_label} · {choice_label(GatheringStatus, row['status'])}"],
                approx=approx,
            )
        )

    venues = (
        register_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path, subject_type="venue", latitude__isnull=False)
        .order_by("-score", "id")[:MAP_LIMIT]
    )
    for entry in venues:
        found.venues.append(
            point(
                entry.latitude,
                entry.longitude,
                level=entry.level,
                title=entry.subject_label,
                tip=entry.get_level_display(),
                url=entry.assessment.get_absolute_url() if entry.assessment_id else "",
                lines=[f"{entry.get_level_display()}（{entry.score}）"],
            )
        )

    if with_zones:
        found.zones = map_shapes(user=user, filters={"territory": root.code})[:MAP_LIMIT]

    incidents = (
        incident_list(user=user)
        .filter(status=IncidentStatus.OPEN, jurisdiction_path__startswith=root.path, latitude__isnull=False)
        .order_by("-level__rank", "-id")[:MAP_LIMIT]
    )
    for incident in incidents:
        found.incidents.append(
            point(
                incident.latitude,
                incident.longitude,
                level=incident.level.alert_level,
                title=f"{incident.number} {incident.title}",
                tip=incident.level.name,
                url=incident.get_absolute_url(),
                lines=[incident.level.name, incident.place] if incident.place else [incident.level.name],
            )
        )

    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=HEAT_DAYS - 1), dt.time.min))
    heat = (
        gathering_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path, starts_at__gte=since)
        .exclude(status__in=["dismissed", "merged"])
        .filter(Q(latitude__isnull=False) | Q(venue__latitude__isnull=False))
        .order_by("-starts_at")
        .values_list("risk_level", "latitude", "longitude", "venue__latitude", "venue__longitude")[:HEAT_LIMIT]
    )
    for level, lat, lng, vlat, vlng in heat:
        if lat is None or lng is None:
            lat, lng = vlat, vlng
        if lat is not None and lng is not None:
            found.heat.append([round(float(lat), 6), round(float(lng), 6), HEAT_WEIGHT.get(level, 0.3)])
    return found


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
