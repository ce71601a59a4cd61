"""Risk now (当前风险, issue 17 point 2), for a jurisdiction's children: gatherings that are not over by level
per child, the venues at red or orange in the risk register, open major hazards and overdue rectifications, and
open incidents. Each read goes through its own app's selector (already scoped to the user); a gathering's level
is ``Gathering.risk_level`` — the one field that holds the automatic pre-level (triage) and the assessed level
alike (``risk_source`` says which) — so these counts agree with the gatherings' attention list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Q, Value, When

from crowdsafe.org.models import Jurisdiction
from dashboard.selectors.matrix import OWN_LEVEL
from events.choices import TERMINAL_STATUSES, RiskLevel
from events.selectors import gathering_visible
from response.choices import IncidentStatus
from response.selectors import incident_list
from risk.choices import OPEN_HAZARD_STATES, HazardLevel
from risk.selectors import hazard_visible, register_visible

LEVELS = [RiskLevel.RED.value, RiskLevel.ORANGE.value, RiskLevel.YELLOW.value, RiskLevel.BLUE.value]


@dataclass
class LevelRow:
    jurisdiction: Jurisdiction
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))


@dataclass
class RiskNow:
    root: Jurisdiction
    rows: list[LevelRow]
    gathering_totals: dict[str, int]
    venues: dict[str, int]
    hazards: dict[str, int]
    open_incidents: int


def risk_now(*, user: Any, root: Jurisdiction, today: Any) -> RiskNow:
    """Five queries whatever the size: children, gatherings by (child, level), venues, hazards, incidents."""
    children = list(Jurisdiction.objects.filter(parent=root).order_by("code"))
    row = Case(
        *[When(jurisdiction_path__startswith=c.path, then=Value(c.pk)) for c in children], default=Value(OWN_LEVEL)
    )
    gatherings = (
        gathering_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path)
        .exclude(status__in=[s.value for s in TERMINAL_STATUSES])
        .order_by()
        .annotate(r=row)
        .values("r", "risk_level")
        .annotate(n=Count("pk"))
    )
    rows = {c.pk: LevelRow(jurisdiction=c, label=c.name) for c in children}
    totals = dict.fromkeys(LEVELS, 0)
    for item in gatherings:
        target = rows.get(item["r"])
        if target is None:
            target = rows.setdefault(OWN_LEVEL, LevelRow(jurisdiction=root, label=root.name))
        target.counts[item["risk_level"]] = target.counts.get(item["risk_level"], 0) + item["n"]
        totals[item["risk_level"]] = totals.get(item["risk_level"], 0) + item["n"]
    venues = (
        register_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path, subject_type="venue")
        .order_by()
        .aggregate(
            red=Count("pk", filter=Q(level=RiskLevel.RED.value)),
            orange=Count("pk", filter=Q(level=RiskLevel.ORANGE.value)),
        )
    )
    open_q = Q(state__in=OPEN_HAZARD_STATES)
    hazards = (
        hazard_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path)
        .order_by()
        .aggregate(
            major=Count("pk", filter=open_q & Q(level=HazardLevel.MAJOR)),
            overdue=Count("pk", filter=open_q & Q(rectification_deadline__lt=today)),
        )
    )
    incidents = (
        incident_list(user=user).filter(status=IncidentStatus.OPEN, jurisdiction__path__startswith=root.path).count()
    )
    return RiskNow(
        root=root,
        rows=list(rows.values()),
        gathering_totals=totals,
        venues=venues,
        hazards=hazards,
        open_incidents=incidents,
    )
