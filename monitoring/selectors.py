"""Reads of the monitoring app, scoped to the user (``visible_to``), filtered by the app's FilterSets."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from crowdsafe.common.filters import FilterData
from monitoring.choices import ALERT_STATE_ORDER, LEVEL_RANK, AlertState, Level, Measure, rank
from monitoring.filters import AlertFilterSet, ZoneFilterSet
from monitoring.models import MonitoringAlert, Source, Zone


def zone_list(*, user: Any, filters: FilterData = None) -> QuerySet[Zone]:
    return (
        ZoneFilterSet.of(filters)
        .apply(Zone.objects.visible_to(user))
        .select_related("state", "jurisdiction", "state__source")
        .order_by("jurisdiction_path", "name", "id")
    )


def source_list(*, user: Any) -> QuerySet[Source]:
    return (
        Source.objects.visible_to(user).distinct().prefetch_related("zones").order_by("jurisdiction_path", "name", "id")
    )


def alert_list(*, user: Any, filters: FilterData = None) -> QuerySet[MonitoringAlert]:
    return (
        AlertFilterSet.of(filters)
        .apply(MonitoringAlert.objects.visible_to(user))
        .select_related("zone", "source")
        .order_by("-raised_at", "-id")
    )


def zone_watchers(zone: Zone) -> list[dict[str, Any]]:
    """Who is alerted for this zone, rule by rule (level episodes, early warnings, interruptions): each party of
    the rule from its level, the people it reaches here now (resolved by alerts' own recipient rules, the one path
    the alerts take), and the rule's reason. Parties nobody stands for here are listed with no people."""
    from alerts.models import AlertRule
    from alerts.recipients import resolve

    # Resolved for an episode of the zone (unsaved), the subject the alerts are raised with: its venue operator and
    # organizer come from the episode's duties registration (monitoring.duties).
    episode = MonitoringAlert(zone=zone, jurisdiction=zone.jurisdiction, jurisdiction_path=zone.jurisdiction_path)
    out = []
    rules = AlertRule.objects.filter(key__startswith="monitoring.", is_active=True).prefetch_related("parties")
    for rule in rules.order_by("key"):
        parties = []
        for party in rule.parties.all():
            found = resolve(parties=[party.party], subject=episode, jurisdiction=zone.jurisdiction)
            parties.append(
                {
                    "party": str(party.get_party_display()),
                    "from_level": str(party.get_min_level_display()),
                    "people": [_person(r.user) for r in found.recipients],
                }
            )
        out.append({"rule": rule.key, "name": rule.name, "reason": rule.reason, "parties": parties})
    return out


def _person(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


def plan_measures_for(alert: MonitoringAlert) -> list[Any]:
    """The matching emergency plan's measures for the alert's level: the plan of the zone's event, else of its
    venue, else of its gathering's kind in the territory; measures at that level and below, highest first."""
    from drills.models import EmergencyPlan, PlanMeasure

    zone = alert.zone
    if zone is None:
        return []
    plans = EmergencyPlan.objects.all()
    plan = None
    if zone.application_id:
        plan = plans.filter(application_id=zone.application_id).order_by("-id").first()
    if plan is None and zone.venue_zone is not None:
        plan = plans.filter(venue_id=zone.venue_zone.venue_id).order_by("-id").first()
    if plan is None and zone.gathering is not None:
        plan = (
            plans.filter(gathering_kind=zone.gathering.kind, jurisdiction_path__in=_ancestors(zone.jurisdiction_path))
            .order_by("-id")
            .first()
        )
    if plan is None:
        return []
    wanted = [lvl for lvl, r in LEVEL_RANK.items() if r <= rank(alert.level)]
    measures = list(PlanMeasure.objects.filter(plan=plan, alert_level__in=wanted))
    measures.sort(key=lambda m: (-rank(m.alert_level), m.position, m.pk))
    return measures


def _ancestors(path: str) -> list[str]:
    from crowdsafe.org.access import ancestor_paths

    return ancestor_paths(path)


def application_level(application: Any, *, user: Any = None) -> dict[str, Any]:
    """A permitted event's monitored level: the worst of its zones, with the reason."""
    zones = Zone.objects.filter(application=application, is_active=True, exercise=False).select_related("state")
    worst: dict[str, Any] = {"level": Level.BLUE.value, "reason": "", "zone": None}
    for zone in zones:
        state = getattr(zone, "state", None)
        if state is not None and rank(state.level) > rank(worst["level"]):
            worst = {
                "level": state.level,
                "zone": zone.pk,
                "reason": f"{zone.name}：{state.count} 人，{(state.utilisation or 0) * 100:.0f}%",
            }
    return worst


def alert_figures(alert: MonitoringAlert) -> dict[str, Any]:
    """The working of an alert in figures for its page (from the snapshot taken when it was raised or rose):
    people, area, density, share of capacity, trend, the time to the next level and to red, each measure with its
    level, its red threshold and the source of its band, and which source the count came from."""
    working = alert.working or {}
    forecast = working.get("forecast") or {}
    measures = []
    percent = None
    for m in working.get("measures", []):
        value = m.get("value")
        is_density = m.get("measure") == Measure.DENSITY
        if not is_density and value is not None:
            percent = max(percent or 0.0, float(value) * 100)
        measures.append(
            {
                "label": Measure(m["measure"]).label if m.get("measure") in Measure.values else "",
                "value": value if is_density else (float(value) * 100 if value is not None else None),
                "is_density": is_density,
                "capacity": m.get("capacity"),
                "level": Level(m["level"]).label if m.get("level") in Level.values else "",
                "level_code": m.get("level", ""),
                "red": _threshold((m.get("bands") or {}).get("red"), is_density),
                "orange": _threshold((m.get("bands") or {}).get("orange"), is_density),
                "band_source": m.get("source", ""),
            }
        )
    count, area = working.get("count"), working.get("area_m2")
    next_level = forecast.get("next_level")
    return {
        "count": count,
        "area_m2": area,
        "density": (count / area) if count is not None and area else None,
        "percent": percent,
        "rate_per_min": forecast.get("rate_per_min"),
        "minutes_to_next": forecast.get("minutes_to_next"),
        "next_level": Level(next_level).label if next_level in Level.values else "",
        "minutes_to_red": forecast.get("minutes_to_red"),
        "window_min": forecast.get("window_min"),
        "source_name": working.get("source_name", ""),
        "held": bool(working.get("held_by_hysteresis")),
        "measures": measures,
        "silent": alert.source_id is not None,
        "last_seen_at": working.get("last_seen_at"),
        "interval_s": working.get("interval_s"),
    }


def _threshold(value: Any, is_density: bool) -> str:
    """A band's threshold as the page shows it: persons/m² as given, a share as a percentage."""
    if value is None:
        return "—"
    return f"{float(value):g}" if is_density else f"{float(value) * 100:.0f}%"


def alert_next_states(alert: MonitoringAlert) -> list[tuple[str, str]]:
    """The states an alert may move to now (forward only; closing from any open state): (value, label)."""
    if alert.state == AlertState.CLOSED:
        return []
    here = ALERT_STATE_ORDER[alert.state]
    return [(s.value, str(s.label)) for s in AlertState if s != AlertState.RAISED and ALERT_STATE_ORDER[s] > here]
