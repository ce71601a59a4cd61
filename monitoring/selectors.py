"""Reads of the monitoring app, scoped to the user (``visible_to``), filtered by the app's FilterSets."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from crowdsafe.common.filters import FilterData
from monitoring.choices import LEVEL_RANK, Level, rank
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
    """Who is alerted at each level for this zone, from the alert rules, with the rule's reason."""
    from alerts.models import AlertRule

    out = []
    for rule in AlertRule.objects.filter(key__startswith="monitoring.").prefetch_related("parties").order_by("key"):
        out.append(
            {
                "rule": rule.key,
                "name": rule.name,
                "reason": rule.reason,
                "active": rule.is_active,
                "parties": [{"party": p.get_party_display(), "from_level": p.min_level} for p in rule.parties.all()],
            }
        )
    return out


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
